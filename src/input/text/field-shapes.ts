/**
 * Field objects built from flat key/value lists through an object literal generated once
 * per key sequence (a "shape"). Adding ~40 keys one by one with keyed stores `f[key] = v`
 * walks V8's megamorphic store path and a chain of hidden-class transitions for every key of
 * every event, which dominated the auditd decoder's profile; a cached literal builds the same
 * object in a fraction of the time, and every event of one layout shares one hidden class.
 *
 * A key list holds "add" occurrences first (a repeated key collects its values into an array
 * in order, as `addField` does) and then "set" occurrences (the value replaces any earlier
 * one in place, as `setField` does). Every name, `__proto__` and `toString` included, becomes
 * an own field (see field-map.ts); shapes whose keys cannot go into generated code take the
 * generic path, so the result never differs.
 *
 * The cache is bounded and keeps what is used: a shape is compiled the second time it is
 * seen (a log whose layout changes at every record compiles nothing), and when the cache is
 * full the least recently used half is dropped, so a hostile file cannot fill it for the
 * files read after it.
 */
import type { FieldValue, Fields } from '../../event/event.js';
import { addField, dictionaryFields, setField } from '../field-map.js';

interface Shape {
  keys: string[];
  sets: number;
  /** Compiled on the second sighting; undefined before, or when the keys cannot go into generated code. */
  build: Build | undefined;
  /** Sightings so far (compiling waits for the second one); -1 once compiling was tried. */
  seen: number;
  /** Cache clock at the last use, for eviction. */
  used: number;
}

/** Shapes kept; past this, the least recently used half is forgotten. */
const MAX_SHAPES = 512;
/** Longer key lists are rare (huge multi-record events) and not worth compiling. */
const MAX_KEYS = 256;
/** Names safe to emit (JSON-quoted) as literal properties; a leading digit would make an element. */
const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

let shapes = new Map<number, Shape[]>();
let shapeCount = 0;
let clock = 0;

/** Combines a key's id into a running shape hash; any id that equal keys share will do. */
export function mixShape(hash: number, id: number): number {
  return (Math.imul(hash, 31) + id) | 0;
}

/** A hash of a name's characters, for callers whose keys have no small integer id. */
export function nameId(name: string): number {
  let h = name.length;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 33) + name.charCodeAt(i)) | 0;
  return h;
}

/**
 * The fields for keys[0, n) and vals[0, n): keys before `sets` are added (see addField; their
 * values are strings), the rest assigned (any value). `hash` must be equal for equal (keys,
 * sets); collisions only cost a comparison.
 */
export function buildFields(keys: readonly string[], vals: FieldValue[], n: number, sets: number, hash: number): Fields {
  const build = shapeBuild(keys, n, sets, hash);
  return build !== undefined ? build(vals) : buildSlow(keys, vals, n, sets);
}

/** Builds the fields of one shape from its values (see shapeBuild). */
export type Build = (v: FieldValue[]) => Fields;

/**
 * The compiled builder of the shape (keys[0, n), sets), counting a sighting; undefined until it
 * is compiled (then buildSlow gives the same result). Callers with a layout of their own may
 * keep the builder it returns.
 */
export function shapeBuild(keys: readonly string[], n: number, sets: number, hash: number): Build | undefined {
  const bucket = shapes.get(hash);
  if (bucket !== undefined) {
    for (let b = 0; b < bucket.length; b++) {
      const s = bucket[b]!;
      if (s.sets !== sets || !sameKeys(s.keys, keys, n)) continue;
      s.used = ++clock;
      if (s.build !== undefined) return s.build;
      if (s.seen >= 1) {
        s.seen = -1;
        s.build = compile(keys, n, sets);
      } else if (s.seen === 0) s.seen = 1;
      return s.build;
    }
  }
  if (n <= MAX_KEYS) remember(hash, bucket, { keys: keys.slice(0, n), sets, build: undefined, seen: 0, used: ++clock });
  return undefined;
}

function remember(hash: number, bucket: Shape[] | undefined, shape: Shape): void {
  if (shapeCount >= MAX_SHAPES) {
    evictOldHalf();
    bucket = shapes.get(hash);
  }
  shapeCount++;
  if (bucket !== undefined) bucket.push(shape);
  else shapes.set(hash, [shape]);
}

/** Drops the least recently used half of the shapes. */
function evictOldHalf(): void {
  const uses: number[] = [];
  for (const bucket of shapes.values()) for (const s of bucket) uses.push(s.used);
  uses.sort((a, b) => a - b);
  const cut = uses[uses.length >> 1] ?? 0;
  const kept = new Map<number, Shape[]>();
  let count = 0;
  for (const [h, bucket] of shapes) {
    const keep = bucket.filter((s) => s.used >= cut);
    if (keep.length > 0) kept.set(h, keep);
    count += keep.length;
  }
  shapes = kept;
  shapeCount = count;
}

function sameKeys(a: readonly string[], b: readonly string[], n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Past this many keys, the generic path fills a hash-table object (see dictionaryFields). */
const DICTIONARY_KEYS = 8;

/** The generic path: exactly what adding and assigning key by key gives. */
export function buildSlow(keys: readonly string[], vals: FieldValue[], n: number, sets: number): Fields {
  const f: Fields = n > DICTIONARY_KEYS ? dictionaryFields() : {};
  for (let i = 0; i < sets; i++) addField(f, keys[i]!, vals[i] as string);
  for (let i = sets; i < n; i++) setField(f, keys[i]!, vals[i]!);
  return f;
}

/** `v => ({ "k": v[0], "dup": [v[1], v[4]], ... })` in first-occurrence order, or undefined. */
function compile(keys: readonly string[], n: number, sets: number): Build | undefined {
  if (n > MAX_KEYS) return undefined;
  const slots = new Map<string, { adds: number[]; set: number }>();
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    // `"__proto__": v` in a literal sets the prototype; inherited names like toString are own properties there.
    if (!SAFE_KEY.test(k) || k === '__proto__') return undefined;
    let e = slots.get(k);
    if (e === undefined) slots.set(k, (e = { adds: [], set: -1 }));
    if (i < sets) e.adds.push(i);
    else e.set = i;
  }
  const props: string[] = [];
  for (const [k, e] of slots) {
    const v = e.set >= 0 ? `v[${e.set}]` : e.adds.length === 1 ? `v[${e.adds[0]}]` : `[${e.adds.map((i) => `v[${i}]`).join(', ')}]`;
    props.push(`${JSON.stringify(k)}: ${v}`);
  }
  // Only names matching SAFE_KEY, JSON-quoted, and integer indices reach the source text.
  return new Function('v', `return { ${props.join(', ')} };`) as Build;
}

/** Shapes currently cached (for tests of the bound). */
export function cachedShapes(): number {
  return shapeCount;
}
