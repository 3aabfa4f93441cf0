/**
 * Field objects built from flat key/value lists through an object literal generated once
 * per key sequence (a "shape"). Adding ~40 keys one by one with keyed stores `f[key] = v`
 * walks V8's megamorphic store path and a chain of hidden-class transitions for every key of
 * every event, which dominated the auditd decoder's profile; a cached literal builds the same
 * object in a fraction of the time, and every event of one layout shares one hidden class.
 *
 * A key list holds "add" occurrences first (a repeated key collects its values into an array
 * in order, as `addField` does) and then "set" occurrences (the value replaces any earlier
 * one in place, as `f[key] = v` does). Shapes whose keys are not plain names (or would reach
 * Object.prototype's properties) take the generic path, so the result never differs.
 */
import type { FieldValue, Fields } from '../../event/event.js';

type Build = (v: FieldValue[]) => Fields;

interface Shape {
  keys: string[];
  sets: number;
  /** Undefined when the keys cannot go into generated code: the generic path is used. */
  build: Build | undefined;
}

/** Shapes kept; files with more layouts than this build the rest key by key. */
const MAX_SHAPES = 512;
/** Longer key lists are rare (huge multi-record events) and not worth compiling. */
const MAX_KEYS = 256;
/** Names safe to emit (JSON-quoted) as literal properties; a leading digit would make an element. */
const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const shapes = new Map<number, Shape[]>();
let shapeCount = 0;

/** Adds a value under `key`, turning a repeated key into an array in order of arrival. */
export function addField(fields: Fields, key: string, value: string): void {
  const old = fields[key];
  if (old === undefined) fields[key] = value;
  else if (Array.isArray(old)) old.push(value);
  else fields[key] = [old, value];
}

/** Combines a key's id into a running shape hash; any id that equal keys share will do. */
export function mixShape(hash: number, id: number): number {
  return (Math.imul(hash, 31) + id) | 0;
}

/**
 * The fields for keys[0, n) and vals[0, n): keys before `sets` are added (see addField; their
 * values are strings), the rest assigned (any value). `hash` must be equal for equal (keys,
 * sets); collisions only cost a comparison.
 */
export function buildFields(keys: readonly string[], vals: FieldValue[], n: number, sets: number, hash: number): Fields {
  const bucket = shapes.get(hash);
  if (bucket !== undefined) {
    for (let b = 0; b < bucket.length; b++) {
      const s = bucket[b]!;
      if (s.sets === sets && sameKeys(s.keys, keys, n)) return s.build !== undefined ? s.build(vals) : buildSlow(keys, vals, n, sets);
    }
  }
  if (shapeCount >= MAX_SHAPES) return buildSlow(keys, vals, n, sets);
  const shape: Shape = { keys: keys.slice(0, n), sets, build: compile(keys, n, sets) };
  shapeCount++;
  if (bucket !== undefined) bucket.push(shape);
  else shapes.set(hash, [shape]);
  return shape.build !== undefined ? shape.build(vals) : buildSlow(keys, vals, n, sets);
}

function sameKeys(a: readonly string[], b: readonly string[], n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The generic path: exactly what adding and assigning key by key gives. */
function buildSlow(keys: readonly string[], vals: FieldValue[], n: number, sets: number): Fields {
  const f: Fields = {};
  for (let i = 0; i < sets; i++) addField(f, keys[i]!, vals[i] as string);
  for (let i = sets; i < n; i++) f[keys[i]!] = vals[i]!;
  return f;
}

/** `v => ({ "k": v[0], "dup": [v[1], v[4]], ... })` in first-occurrence order, or undefined. */
function compile(keys: readonly string[], n: number, sets: number): Build | undefined {
  if (n > MAX_KEYS) return undefined;
  const slots = new Map<string, { adds: number[]; set: number }>();
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    // Inherited names (toString, __proto__, ...) behave differently under `f[k]` than in a literal.
    if (!SAFE_KEY.test(k) || k in Object.prototype) return undefined;
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
