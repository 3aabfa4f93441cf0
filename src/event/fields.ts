/**
 * Field access for rule matching. One `FieldView` is reused per event: a lookup tries
 * a per-logsource alias (e.g. Security 4688 `NewProcessName` for `Image`), then the
 * exact field name, then a case-insensitive match that ignores spaces. Each field's values are stringified and
 * lower-cased at most once per event, however many rules look at them.
 */
import type { FieldValue, Fields } from './event.js';

/** Rule field name -> event field name. */
export type FieldAliases = Readonly<Record<string, string>>;

const EMPTY: readonly string[] = [];

function flattenInto(v: FieldValue, out: string[]): void {
  if (v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) flattenInto(x, out);
    return;
  }
  out.push(typeof v === 'string' ? v : String(v));
}

/** Stringified values of a field (arrays flattened, nulls dropped). */
export function fieldStrings(v: FieldValue): string[] {
  if (typeof v === 'string') return [v];
  const out: string[] = [];
  flattenInto(v, out);
  return out;
}

/**
 * Fallback form of a field name: case-insensitive and without spaces, since Sigma
 * strips the spaces of Windows field names ("Threat Name" is ThreatName).
 */
export function normalizeFieldName(name: string): string {
  const l = name.toLowerCase();
  return l.includes(' ') ? l.replace(/ /g, '') : l;
}

/** Rule field names are few: their normalized forms are kept (bounded, rule names only). */
const normalizedRuleNames = new Map<string, string>();

function normalizedRuleName(name: string): string {
  let n = normalizedRuleNames.get(name);
  if (n === undefined) {
    n = normalizeFieldName(name);
    if (normalizedRuleNames.size < 100_000) normalizedRuleNames.set(name, n);
  }
  return n;
}

/** Per event key: its stringified and lower-cased forms, valid for one event generation. */
interface Slot {
  gen: number;
  lower: string;
  strsGen: number;
  strs: readonly string[];
  lowsGen: number;
  lows: readonly string[];
}

/** Bound on remembered event field names (hostile input can carry any number). */
const MAX_KNOWN_KEYS = 50_000;

/**
 * Event field names seen so far, grouped by their normalized form: a rule field the
 * event lacks is looked up among the spellings of its normalized name instead of
 * normalizing every key of every event.
 */
class KeySpellings {
  private readonly known = new Set<string>();
  private readonly byNorm = new Map<string, string[]>();

  /** Records the keys of `f`; false when the table is full (callers fall back). */
  learn(f: Fields): boolean {
    const known = this.known;
    for (const k in f) {
      if (known.has(k)) continue;
      if (known.size >= MAX_KNOWN_KEYS) return false;
      known.add(k);
      const n = normalizeFieldName(k);
      const list = this.byNorm.get(n);
      if (list === undefined) this.byNorm.set(n, [k]);
      else list.push(k);
    }
    return true;
  }

  spellings(norm: string): readonly string[] | undefined {
    return this.byNorm.get(norm);
  }
}

export class FieldView {
  fields: Fields = {};
  /** Aliases in force for the rule being evaluated (null: none). */
  aliases: FieldAliases | null = null;
  /** Event generation: bumped by every reset, so per-key caches need no clearing. */
  private gen = 0;
  private learnedGen = -1;
  private learnOk = true;
  private ciKeys: Map<string, string> | null = null;
  private readonly spell = new KeySpellings();
  private readonly slots = new Map<string, Slot>();
  private allStr: string[] | null = null;
  private readonly allStrBuf: string[] = [];
  private allLower: string[] | null = null;

  reset(fields: Fields): this {
    this.fields = fields;
    this.aliases = null;
    this.ciKeys = null;
    if (++this.gen >= 0x3fffffff) {
      this.gen = 1;
      this.learnedGen = -1;
      this.slots.clear();
    }
    this.allStr = null;
    this.allLower = null;
    return this;
  }

  /** The event's key for a rule field name, or undefined when the event lacks it. */
  key(name: string): string | undefined {
    const f = this.fields;
    if (this.aliases !== null) {
      const a = this.aliases[name];
      if (a !== undefined && Object.hasOwn(f, a)) return a;
    }
    if (Object.hasOwn(f, name)) return name;
    return this.ciKey(name);
  }

  /** Case- and space-insensitive lookup: the first key of the event in the same normal form. */
  private ciKey(name: string): string | undefined {
    const f = this.fields;
    if (this.learnedGen !== this.gen) {
      this.learnedGen = this.gen;
      this.learnOk = this.spell.learn(f);
    }
    const norm = normalizedRuleName(name);
    if (this.learnOk) {
      const cands = this.spell.spellings(norm);
      if (cands === undefined) return undefined;
      let found: string | undefined;
      let count = 0;
      for (const c of cands) {
        if (Object.hasOwn(f, c)) {
          found = c;
          count++;
        }
      }
      if (count <= 1) return found;
      // Several spellings in one event: the first in key order wins (as below).
    }
    if (this.ciKeys === null) {
      this.ciKeys = new Map();
      for (const k of Object.keys(f)) {
        const l = normalizeFieldName(k);
        if (!this.ciKeys.has(l)) this.ciKeys.set(l, k);
      }
    }
    return this.ciKeys.get(norm);
  }

  has(name: string): boolean {
    return this.key(name) !== undefined;
  }

  raw(name: string): FieldValue | undefined {
    const k = this.key(name);
    return k === undefined ? undefined : this.fields[k];
  }

  /** Values as strings; empty when the field is absent or null. */
  strs(name: string): readonly string[] {
    const k = this.key(name);
    if (k === undefined) return EMPTY;
    return this.strsOfKey(k);
  }

  private slot(k: string): Slot {
    let s = this.slots.get(k);
    if (s === undefined) {
      if (this.slots.size >= MAX_KNOWN_KEYS) this.slots.clear();
      s = { gen: 0, lower: '', strsGen: 0, strs: EMPTY, lowsGen: 0, lows: EMPTY };
      this.slots.set(k, s);
    }
    return s;
  }

  strsOfKey(k: string): readonly string[] {
    const v = this.fields[k];
    if (typeof v === 'string') return [v];
    if (v === undefined) return EMPTY;
    const s = this.slot(k);
    if (s.strsGen !== this.gen) {
      s.strs = fieldStrings(v);
      s.strsGen = this.gen;
    }
    return s.strs;
  }

  lowers(name: string): readonly string[] {
    const k = this.key(name);
    if (k === undefined) return EMPTY;
    return this.lowersOfKey(k);
  }

  lowersOfKey(k: string): readonly string[] {
    const s = this.slot(k);
    if (s.lowsGen !== this.gen) {
      const src = this.strsOfKey(k);
      s.lows = src.length === 1 ? [src[0]!.toLowerCase()] : src.map((x) => x.toLowerCase());
      s.lowsGen = this.gen;
    }
    return s.lows;
  }

  /**
   * Lower-cased text of a scalar field value (string, number, boolean), cached per
   * event. The hot path of matching: no arrays are allocated for scalar fields.
   */
  scalarLower(k: string, v: string | number | boolean): string {
    const s = this.slot(k);
    if (s.gen !== this.gen) {
      s.lower = typeof v === 'string' ? v.toLowerCase() : String(v).toLowerCase();
      s.gen = this.gen;
    }
    return s.lower;
  }

  /** Every value of the event (keyword searches). */
  allStrs(): readonly string[] {
    if (this.allStr === null) {
      // One buffer reused across events (valid until the next reset).
      const out = this.allStrBuf;
      out.length = 0;
      for (const k in this.fields) {
        const v = this.fields[k]!;
        if (typeof v === 'string') out.push(v);
        else flattenInto(v, out);
      }
      this.allStr = out;
    }
    return this.allStr;
  }

  allLowers(): readonly string[] {
    if (this.allLower === null) this.allLower = this.allStrs().map((x) => x.toLowerCase());
    return this.allLower;
  }
}
