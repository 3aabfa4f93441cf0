/**
 * Field maps for records flattened key by key (Windows event records: System, EventData,
 * UserData), where a later key may replace an earlier value (`set`) or give way to it
 * (`setIfAbsent`).
 *
 * Adding some 30 names to a plain object one by one, checking each for an earlier one, and
 * copying the result into an object laid out like a literal cost more than parsing the
 * record's JSON. But one log's records repeat a handful of key sequences (a Sysmon process
 * creation, a network connection, ...). Here a record walks a tree of the sequences seen so
 * far: a step the tree knows says at once whether its key is new to the record or where it
 * already stands (no lookup among the keys so far), and the values are kept in order. At the
 * end, the sequence's object literal (text/field-shapes.ts, compiled the second time a
 * sequence is seen) builds the fields in one go. The result is the object a plain build gives
 * — same keys, same order, same values.
 *
 * The tree is bounded: a record whose sequence leaves it once it is full, or that has a key
 * an object literal cannot hold as an ordinary field (`__proto__`), is built the plain way.
 */
import type { FieldValue, Fields } from '../event/event.js';
import { setField } from './field-map.js';
import { type Build, buildSlow, mixShape, nameId, shapeBuild } from './text/field-shapes.js';

/** Steps a tree may hold (each the key of some sequence). */
export const MAX_KEY_STEPS = 10_000;

/** Sightings of a sequence without a compiled literal before its end stops asking for one. */
const BUILD_TRIES = 4;

interface Step {
  /** The key this step meets. */
  key: string;
  /** -1 when the key is new to the record (the record moves on to this step); else where it stands already. */
  repeat: number;
  /** Steps seen after this one. */
  next: Step[];
  /** The literal of the sequence ending here; null once it is known that none will come. */
  build: Build | null | undefined;
  tries: number;
}

function step(key: string, repeat: number): Step {
  return { key, repeat, next: [], build: undefined, tries: 0 };
}

/** The key sequences of one kind of record (learned as they come; bounded). */
export class KeySequences {
  readonly root: Step = step('', -1);
  steps = 0;
}

/**
 * Builds one record's fields at a time: `begin`, then `set` / `setIfAbsent` in the record's
 * order, then `finish`. The semantics are those of a plain object: `set` replaces a value
 * (the key keeps its place), `setIfAbsent` keeps the first one; every name, inherited ones
 * and `__proto__` included, is an own field.
 */
export class FieldsBuilder {
  private at: Step;
  private readonly keys: string[] = [];
  private readonly values: FieldValue[] = [];
  private n = 0;
  /** Set once the record left the tree: the plain build. */
  private plain: Fields | null = null;

  constructor(private readonly tree: KeySequences) {
    this.at = tree.root;
  }

  begin(): void {
    this.at = this.tree.root;
    this.n = 0;
    this.plain = null;
  }

  set(key: string, value: FieldValue): void {
    if (this.plain === null) {
      const s = this.step(key);
      if (s !== null) {
        if (s.repeat >= 0) this.values[s.repeat] = value;
        else this.push(s, key, value);
        return;
      }
      this.toPlain();
    }
    setField(this.plain!, key, value);
  }

  setIfAbsent(key: string, value: FieldValue | undefined): void {
    if (value === undefined) return;
    if (this.plain === null) {
      const s = this.step(key);
      if (s !== null) {
        if (s.repeat < 0) this.push(s, key, value);
        return;
      }
      this.toPlain();
    }
    if (!Object.hasOwn(this.plain!, key)) setField(this.plain!, key, value);
  }

  /** The record's fields: a fresh object laid out like a literal. */
  finish(): Fields {
    const plain = this.plain;
    if (plain !== null) {
      this.plain = null;
      return { ...plain };
    }
    const end = this.at;
    const n = this.n;
    const values = this.values;
    let build = end.build;
    if (build === undefined) {
      let hash = 0;
      for (let i = 0; i < n; i++) hash = mixShape(hash, nameId(this.keys[i]!));
      build = shapeBuild(this.keys, n, 0, hash);
      if (build !== undefined) end.build = build;
      else if (++end.tries >= BUILD_TRIES) end.build = null;
    }
    const out = build ? build(values) : { ...buildSlow(this.keys, values, n, 0) };
    // The values are the record's: a builder keeps none of them alive.
    values.fill(null, 0, n);
    return out;
  }

  private push(s: Step, key: string, value: FieldValue): void {
    this.keys[this.n] = key;
    this.values[this.n] = value;
    this.n++;
    this.at = s;
  }

  /** The step for `key` from where the record stands, learned when new; null when the record must be built plainly. */
  private step(key: string): Step | null {
    const next = this.at.next;
    for (let i = 0; i < next.length; i++) if (next[i]!.key === key) return next[i]!;
    if (key === '__proto__' || this.tree.steps >= MAX_KEY_STEPS) return null;
    let repeat = -1;
    for (let i = 0; i < this.n; i++) {
      if (this.keys[i] === key) {
        repeat = i;
        break;
      }
    }
    const s = step(key, repeat);
    next.push(s);
    this.tree.steps++;
    return s;
  }

  /** Leaves the tree: the fields so far go into a plain object, which takes the rest. */
  private toPlain(): void {
    const p: Fields = {};
    for (let i = 0; i < this.n; i++) setField(p, this.keys[i]!, this.values[i]!);
    this.values.fill(null, 0, this.n);
    this.plain = p;
  }
}
