/**
 * Value modifiers (spec appendix "Sigma Modifiers" v2.1): a detection item
 * `Field|mod1|mod2: values` compiled into a matcher. Transformation modifiers run in the
 * order written; type modifiers (re, cidr, fieldref, lt..., time parts, exists) decide
 * how the resulting values are compared.
 */
import type { FieldView } from '../event/fields.js';
import { compileGlob } from './glob.js';
import { compileRegex, requiredLiteral } from './regex.js';
import { compileCidr } from './cidr.js';
import { base64, base64offset, utf16, utf16be, utf16le, windash, type StrValue } from './encoding.js';
import { expandPlaceholders, type Placeholders } from './placeholders.js';
import { ANY, appendAny, hasWildcards, longestLiteral, lowerStr, parseSigmaString, prependAny, type SigmaStr } from './strings.js';
import { andMatchers, bestTwo, NEVER, orMatchers, type Compiled, type LiteralAlt, type Matcher, type Requirement } from './matcher.js';
import type { YamlValue } from './yaml.js';

const TRANSFORMS = new Set(['contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset', 'utf16le', 'wide', 'utf16be', 'utf16']);
const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const FLAGS = new Set(['all', 'cased', 'neq', 'exists', 're', 'i', 'm', 's', 'cidr', 'expand', 'fieldref']);

export const KNOWN_MODIFIERS: ReadonlySet<string> = new Set([...TRANSFORMS, ...COMPARE, ...TIME_PARTS, ...FLAGS]);

export interface CompileOptions {
  placeholders?: Placeholders;
}

interface Mods {
  transforms: string[];
  all: boolean;
  cased: boolean;
  neq: boolean;
  exists: boolean;
  re: boolean;
  reFlags: { i: boolean; m: boolean; s: boolean };
  cidr: boolean;
  expand: boolean;
  fieldref: boolean;
  compare?: 'lt' | 'lte' | 'gt' | 'gte';
  timePart?: string;
}

function parseMods(names: string[]): Mods {
  const m: Mods = {
    transforms: [],
    all: false,
    cased: false,
    neq: false,
    exists: false,
    re: false,
    reFlags: { i: false, m: false, s: false },
    cidr: false,
    expand: false,
    fieldref: false,
  };
  for (const name of names) {
    if (!KNOWN_MODIFIERS.has(name)) throw new Error(`unknown modifier '${name}'`);
    if (TRANSFORMS.has(name)) m.transforms.push(name);
    else if (COMPARE.has(name)) {
      if (m.compare) throw new Error(`conflicting modifiers '${m.compare}' and '${name}'`);
      m.compare = name as Mods['compare'];
    } else if (TIME_PARTS.has(name)) {
      if (m.timePart) throw new Error(`conflicting modifiers '${m.timePart}' and '${name}'`);
      m.timePart = name;
    } else if (name === 'i' || name === 'm' || name === 's') {
      if (!m.re) throw new Error(`modifier '${name}' is only valid after 're'`);
      m.reFlags[name] = true;
    } else {
      (m as unknown as Record<string, boolean>)[name] = true;
    }
  }
  const types = [m.re && 're', m.cidr && 'cidr', m.fieldref && 'fieldref', m.compare, m.exists && 'exists'].filter(Boolean);
  if (types.length > 1) throw new Error(`modifiers ${types.map((t) => `'${t}'`).join(' and ')} cannot be combined`);
  if (m.exists && names.length > 1) throw new Error(`modifier 'exists' cannot be combined with other modifiers`);
  if ((m.re || m.cidr || m.compare) && m.transforms.length > 0) {
    throw new Error(`modifier '${m.transforms[0]}' cannot be combined with '${m.re ? 're' : m.cidr ? 'cidr' : m.compare}'`);
  }
  if (m.fieldref && m.transforms.some((t) => t !== 'contains' && t !== 'startswith' && t !== 'endswith')) {
    throw new Error(`modifier 'fieldref' can only be combined with contains, startswith, endswith, neq, cased and all`);
  }
  return m;
}

/** One value after the modifiers: how to test a single stringified field value. */
interface ValueTest {
  /** Tests one value; `lower` is the lower-cased form of `str`. */
  test(str: string, lower: string, view: FieldView): boolean;
  /** A lower-case literal every matching value contains, if any. */
  lit?: string;
  /** The literal is the whole (lower-cased) value. */
  exact?: boolean;
  /** Special values that look at the field as a whole. */
  special?: 'null';
}

function strTest(s: SigmaStr, cased: boolean): ValueTest {
  const low = lowerStr(s);
  const lit = longestLiteral(low);
  const exact = !hasWildcards(s) && lit.length > 0;
  if (cased) {
    const t = compileGlob(s);
    return { test: (str) => t(str), lit, exact };
  }
  const t = compileGlob(low);
  return { test: (_str, lower) => t(lower), lit, exact };
}

function numberText(n: number): string {
  return String(n);
}

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

function compareTest(op: NonNullable<Mods['compare']>, n: number): (x: number) => boolean {
  switch (op) {
    case 'lt':
      return (x) => x < n;
    case 'lte':
      return (x) => x <= n;
    case 'gt':
      return (x) => x > n;
    case 'gte':
      return (x) => x >= n;
  }
}

/** Parses a timestamp as UTC (ISO 8601 or "YYYY-MM-DD hh:mm:ss[.fff]", or epoch ms). */
export function parseTimestamp(s: string): Date | undefined {
  const t = s.trim();
  if (/^\d{10,13}$/.test(t)) return new Date(t.length === 13 ? Number(t) : Number(t) * 1000);
  let iso = t.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
  else if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
}

function timePart(d: Date, part: string): number {
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'week':
      return isoWeek(d);
    case 'month':
      return d.getUTCMonth() + 1;
    default:
      return d.getUTCFullYear();
  }
}

function applyTransforms(v: StrValue, transforms: string[]): StrValue[] {
  let vals = [v];
  for (const t of transforms) {
    const next: StrValue[] = [];
    for (const x of vals) {
      switch (t) {
        case 'contains':
          next.push({ s: appendAny(prependAny(x.s)), bytes: x.bytes });
          break;
        case 'startswith':
          next.push({ s: appendAny(x.s), bytes: x.bytes });
          break;
        case 'endswith':
          next.push({ s: prependAny(x.s), bytes: x.bytes });
          break;
        case 'windash':
          next.push(...windash(x));
          break;
        case 'base64':
          next.push(base64(x));
          break;
        case 'base64offset':
          next.push(...base64offset(x));
          break;
        case 'utf16le':
        case 'wide':
          next.push(utf16le(x, t));
          break;
        case 'utf16be':
          next.push(utf16be(x));
          break;
        case 'utf16':
          next.push(utf16(x));
          break;
      }
    }
    vals = next;
  }
  return vals;
}

function scalarText(v: YamlValue): string {
  return typeof v === 'string' ? v : String(v);
}

/** Compiles one raw value into value tests (one raw value can expand into several). */
function valueTests(raw: YamlValue, m: Mods, opts: CompileOptions, keyword: boolean): ValueTest[] {
  if (raw === null) {
    if (m.transforms.length || m.re || m.cidr || m.compare || m.fieldref) throw new Error('a null value cannot take modifiers');
    return [{ test: () => false, special: 'null' }];
  }
  if (typeof raw === 'object') throw new Error('a value must be a string, number, boolean or null, not a nested list or map');
  if (m.compare) {
    const n = typeof raw === 'number' ? raw : parseNumber(scalarText(raw));
    if (n === undefined) throw new Error(`modifier '${m.compare}' needs a number, got '${scalarText(raw)}'`);
    const cmp = compareTest(m.compare, n);
    if (m.timePart) {
      const part = m.timePart;
      return [
        {
          test: (s) => {
            const d = parseTimestamp(s);
            return d !== undefined && cmp(timePart(d, part));
          },
        },
      ];
    }
    return [
      {
        test: (s) => {
          const x = parseNumber(s);
          return x !== undefined && cmp(x);
        },
      },
    ];
  }
  if (m.timePart) {
    const n = typeof raw === 'number' ? raw : parseNumber(scalarText(raw));
    if (n === undefined) throw new Error(`modifier '${m.timePart}' needs a number, got '${scalarText(raw)}'`);
    const part = m.timePart;
    return [
      {
        test: (s) => {
          const d = parseTimestamp(s);
          return d !== undefined && timePart(d, part) === n;
        },
      },
    ];
  }
  if (typeof raw === 'boolean' && !m.transforms.length && !m.re && !m.fieldref && !m.cidr) {
    const text = String(raw);
    return [{ test: (_s, lower) => lower === text, lit: text, exact: true }];
  }
  if (typeof raw === 'number' && !m.transforms.length && !m.re && !m.fieldref && !m.cidr && !m.expand && !keyword) {
    const text = numberText(raw);
    return [{ test: (s) => s === text, lit: text, exact: true }];
  }
  const texts = m.expand ? expandPlaceholders(scalarText(raw), opts.placeholders) : [scalarText(raw)];
  const out: ValueTest[] = [];
  for (const text of texts) {
    if (m.re) {
      const re = compileRegex(text, m.reFlags);
      // Even a short literal gates a regex: the index ranks requirements, and a regex
      // left ungated runs on every event of its logsource.
      const lit = requiredLiteral(text, 1);
      out.push(lit ? { test: (s) => re(s), lit } : { test: (s) => re(s) });
    } else if (m.cidr) {
      const net = compileCidr(text.trim());
      out.push({ test: (s) => net(s) });
    } else if (m.fieldref) {
      out.push(fieldRefTest(text, m));
    } else {
      let vals = applyTransforms({ s: parseSigmaString(text), bytes: false }, m.transforms);
      // Keywords match anywhere in a value.
      if (keyword) vals = vals.map((v) => ({ s: appendAny(prependAny(v.s)), bytes: v.bytes }));
      for (const v of vals) out.push(strTest(v.s, m.cased));
    }
  }
  return out;
}

function fieldRefTest(ref: string, m: Mods): ValueTest {
  const mode = m.transforms.includes('contains') ? 'contains' : m.transforms.includes('startswith') ? 'startswith' : m.transforms.includes('endswith') ? 'endswith' : 'eq';
  const cased = m.cased;
  const cmp: (a: string, b: string) => boolean =
    mode === 'contains' ? (a, b) => a.includes(b) : mode === 'startswith' ? (a, b) => a.startsWith(b) : mode === 'endswith' ? (a, b) => a.endsWith(b) : (a, b) => a === b;
  return {
    test: (str, lower, view) => {
      const others = cased ? view.strs(ref) : view.lowers(ref);
      const mine = cased ? str : lower;
      for (const o of others) if (cmp(mine, o)) return true;
      return false;
    },
  };
}

function anyValue(field: string, t: ValueTest): Matcher {
  const test = t.test;
  return (view) => {
    const k = view.key(field);
    if (k === undefined) return false;
    const v = view.fields[k];
    if (v === null || v === undefined) return false;
    if (typeof v !== 'object') return test(typeof v === 'string' ? v : String(v), view.scalarLower(k, v), view);
    const strs = view.strsOfKey(k);
    if (strs.length === 0) return false;
    const lows = view.lowersOfKey(k);
    for (let i = 0; i < strs.length; i++) if (test(strs[i]!, lows[i]!, view)) return true;
    return false;
  };
}

/** Any value of the field passes any of the tests: the field is looked up once, not per test. */
function anyValueOfTests(field: string, ts: ValueTest[]): Matcher {
  const fns = ts.map((t) => t.test);
  const n = fns.length;
  return (view) => {
    const k = view.key(field);
    if (k === undefined) return false;
    const v = view.fields[k];
    if (v === null || v === undefined) return false;
    if (typeof v !== 'object') {
      const str = typeof v === 'string' ? v : String(v);
      const low = view.scalarLower(k, v);
      for (let j = 0; j < n; j++) if (fns[j]!(str, low, view)) return true;
      return false;
    }
    const strs = view.strsOfKey(k);
    if (strs.length === 0) return false;
    const lows = view.lowersOfKey(k);
    for (let j = 0; j < n; j++) {
      const test = fns[j]!;
      for (let i = 0; i < strs.length; i++) if (test(strs[i]!, lows[i]!, view)) return true;
    }
    return false;
  };
}

function keywordValue(t: ValueTest): Matcher {
  const test = t.test;
  return (view) => {
    const strs = view.allStrs();
    const lows = view.allLowers();
    for (let i = 0; i < strs.length; i++) if (test(strs[i]!, lows[i]!, view)) return true;
    return false;
  };
}

/** Equality against many plain literals of one field: one Set lookup per value. */
function literalSet(field: string, lits: string[]): Matcher {
  const set = new Set(lits);
  return (view) => {
    const k = view.key(field);
    if (k === undefined) return false;
    const v = view.fields[k];
    if (v === null || v === undefined) return false;
    if (typeof v !== 'object') return set.has(view.scalarLower(k, v));
    for (const l of view.lowersOfKey(k)) if (set.has(l)) return true;
    return false;
  };
}

/**
 * Compiles one detection item. `key` is `Field|mod...` (empty field for keyword searches),
 * `value` a scalar or a list. Throws Error with the reason when the item is invalid.
 */
export function compileItem(key: string, value: YamlValue, opts: CompileOptions): Compiled {
  const [field = '', ...modNames] = key.split('|');
  const m = parseMods(modNames);
  const keyword = field === '';
  if (m.exists) {
    if (typeof value !== 'boolean') throw new Error(`modifier 'exists' needs true or false, got '${String(value)}'`);
    if (keyword) throw new Error(`modifier 'exists' needs a field name`);
    const want = value;
    return { test: (view) => view.has(field) === want, req: null };
  }
  const raws = Array.isArray(value) ? value : [value];
  if (raws.length === 0) throw new Error(`empty value list for '${key}'`);
  // One raw value can expand into several tests (windash, base64offset, expand): they are
  // its alternatives. `all` joins the raw values, not the alternatives.
  const perValue: ValueTest[][] = raws.map((raw) => valueTests(raw, m, opts, keyword));
  const tests = perValue.flat();

  const testMatcher = (t: ValueTest): Matcher => {
    if (t.special === 'null') {
      if (keyword) throw new Error('null is not a valid keyword');
      return (view) => {
        const k = view.key(field);
        return k === undefined || view.fields[k] === null;
      };
    }
    return keyword ? keywordValue(t) : anyValue(field, t);
  };
  let test: Matcher;
  if (m.all) {
    test = andMatchers(perValue.map((ts) => (ts.length ? orMatchers(ts.map(testMatcher)) : NEVER)));
  } else {
    // Exact case-insensitive literals of a field collapse into one Set lookup.
    const exact = tests.map((_t, i) => rawExactLiteral(raws, tests.length, i, m, keyword));
    if (!keyword && exact.length >= 4 && exact.every((e) => e !== undefined)) {
      test = literalSet(field, exact as string[]);
    } else if (!keyword && tests.length > 1 && tests.every((t) => t.special === undefined)) {
      test = anyValueOfTests(field, tests);
    } else {
      test = orMatchers(tests.map(testMatcher));
    }
  }
  let req: Requirement | null = null;
  let req2: Requirement | null = null;
  // EventID is indexed by the logsource buckets (see Compiled.eventIds), not by literal.
  const isEventId = field === 'EventID' && !m.neq && !m.all && tests.length > 0 && tests.every((t) => t.exact && t.special === undefined);
  if (!m.neq && !isEventId) {
    const altOf = (t: ValueTest): LiteralAlt => (t.exact && !keyword ? { field, lit: t.lit!, exact: true } : { field, lit: t.lit! });
    /** The alternatives of some tests, when every one of them has a literal. */
    const reqOf = (ts: ValueTest[]): Requirement | null => {
      if (ts.length === 0 || !ts.every((t) => t.lit)) return null;
      const seen = new Set<string>();
      const alts: LiteralAlt[] = [];
      for (const t of ts) {
        const a = altOf(t);
        const k = `${a.exact ? 1 : 0}${a.lit}`;
        if (!seen.has(k)) alts.push(a);
        seen.add(k);
      }
      return { alts };
    };
    if (m.all) [req, req2] = bestTwo(perValue.map(reqOf));
    else req = reqOf(tests);
  }
  if (m.neq) {
    const inner = test;
    test = (view) => !inner(view);
  }
  const out: Compiled = { test, req };
  if (req && req2) out.req2 = req2;
  if (isEventId) out.eventIds = new Set(tests.map((t) => t.lit!));
  return out;
}

/** The lower-cased literal when raw value i is compared for plain equality, else undefined. */
function rawExactLiteral(raws: YamlValue[], nTests: number, i: number, m: Mods, keyword: boolean): string | undefined {
  if (keyword || nTests !== raws.length || m.transforms.length || m.cased || m.re || m.cidr || m.fieldref || m.expand || m.compare || m.timePart) return undefined;
  const raw = raws[i];
  if (typeof raw !== 'string') return undefined;
  const s = parseSigmaString(raw);
  if (s.parts.some((p) => p === ANY || typeof p !== 'string')) return undefined;
  return s.parts.join('').toLowerCase();
}
