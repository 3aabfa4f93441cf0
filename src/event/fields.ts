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

export class FieldView {
  fields: Fields = {};
  /** Aliases in force for the rule being evaluated (null: none). */
  aliases: FieldAliases | null = null;
  private ciKeys: Map<string, string> | null = null;
  private readonly strCache = new Map<string, readonly string[]>();
  private readonly lowerCache = new Map<string, readonly string[]>();
  private readonly scalarCache = new Map<string, string>();
  private allStr: string[] | null = null;
  private readonly allStrBuf: string[] = [];
  private allLower: string[] | null = null;

  reset(fields: Fields): this {
    this.fields = fields;
    this.aliases = null;
    this.ciKeys = null;
    this.strCache.clear();
    this.lowerCache.clear();
    this.scalarCache.clear();
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
    if (this.ciKeys === null) {
      this.ciKeys = new Map();
      for (const k of Object.keys(f)) {
        const l = normalizeFieldName(k);
        if (!this.ciKeys.has(l)) this.ciKeys.set(l, k);
      }
    }
    return this.ciKeys.get(normalizedRuleName(name));
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

  strsOfKey(k: string): readonly string[] {
    const v = this.fields[k];
    if (typeof v === 'string') return [v];
    let s = this.strCache.get(k);
    if (s === undefined) {
      s = v === undefined ? EMPTY : fieldStrings(v);
      this.strCache.set(k, s);
    }
    return s;
  }

  lowers(name: string): readonly string[] {
    const k = this.key(name);
    if (k === undefined) return EMPTY;
    return this.lowersOfKey(k);
  }

  lowersOfKey(k: string): readonly string[] {
    let s = this.lowerCache.get(k);
    if (s === undefined) {
      const src = this.strsOfKey(k);
      s = src.length === 1 ? [src[0]!.toLowerCase()] : src.map((x) => x.toLowerCase());
      this.lowerCache.set(k, s);
    }
    return s;
  }

  /**
   * Lower-cased text of a scalar field value (string, number, boolean), cached per
   * event. The hot path of matching: no arrays are allocated for scalar fields.
   */
  scalarLower(k: string, v: string | number | boolean): string {
    let l = this.scalarCache.get(k);
    if (l === undefined) {
      l = typeof v === 'string' ? v.toLowerCase() : String(v).toLowerCase();
      this.scalarCache.set(k, l);
    }
    return l;
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
