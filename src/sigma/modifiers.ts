/**
 * Value modifiers (spec appendix "Sigma Modifiers" v2.1): a detection item
 * `Field|mod1|mod2: values` compiled into a matcher. Transformation modifiers run in the
 * order written; type modifiers (re, cidr, fieldref, lt..., time parts, exists) decide
 * how the resulting values are compared.
 */
import { compileRegex, requiredLiteral } from './regex.js';
import { compileCidr } from './cidr.js';
import { base64, base64offset, utf16, utf16be, utf16le, windash, type StrValue } from './encoding.js';
import { expandPlaceholders, type Placeholders } from './placeholders.js';
import { appendAny, hasWildcards, longestLiteral, lowerStr, parseSigmaString, prependAny, type SigmaStr } from './strings.js';
import { bestTwo, type Compiled, type LiteralAlt, type Requirement } from './matcher.js';
import { andOp, notOp, orOp, type MatchOp, type RefMode, type TimePart, type ValueOp } from './program.js';
import { parseNumber } from './link.js';
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
  timePart?: TimePart;
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
      m.timePart = name as TimePart;
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
  /** null for the special values below. */
  op: ValueOp | null;
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
  return { op: { k: 'glob', parts: cased ? s.parts : low.parts, cased }, lit, exact };
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
    return [{ op: null, special: 'null' }];
  }
  if (typeof raw === 'object') throw new Error('a value must be a string, number, boolean or null, not a nested list or map');
  if (m.compare) {
    const n = typeof raw === 'number' ? raw : parseNumber(scalarText(raw));
    if (n === undefined) throw new Error(`modifier '${m.compare}' needs a number, got '${scalarText(raw)}'`);
    const op: ValueOp = { k: 'cmp', op: m.compare, n };
    if (m.timePart) op.part = m.timePart;
    return [{ op }];
  }
  if (m.timePart) {
    const n = typeof raw === 'number' ? raw : parseNumber(scalarText(raw));
    if (n === undefined) throw new Error(`modifier '${m.timePart}' needs a number, got '${scalarText(raw)}'`);
    return [{ op: { k: 'time', part: m.timePart, n } }];
  }
  if (typeof raw === 'boolean' && !m.transforms.length && !m.re && !m.fieldref && !m.cidr) {
    const text = String(raw);
    return [{ op: { k: 'glob', parts: [text], cased: false }, lit: text, exact: true }];
  }
  if (typeof raw === 'number' && !m.transforms.length && !m.re && !m.fieldref && !m.cidr && !m.expand && !keyword) {
    const text = String(raw);
    return [{ op: { k: 'str', text }, lit: text, exact: true }];
  }
  const texts = m.expand ? expandPlaceholders(scalarText(raw), opts.placeholders) : [scalarText(raw)];
  const out: ValueTest[] = [];
  for (const text of texts) {
    if (m.re) {
      // Compiled once here to reject a bad pattern at load time; the linked rule compiles
      // it again on first use.
      compileRegex(text, m.reFlags);
      const flags = `${m.reFlags.i ? 'i' : ''}${m.reFlags.m ? 'm' : ''}${m.reFlags.s ? 's' : ''}`;
      const op: ValueOp = { k: 're', re: text, flags };
      // Even a short literal gates a regex: the index ranks requirements, and a regex
      // left ungated runs on every event of its logsource.
      const lit = requiredLiteral(text, 1);
      if (lit) op.lit = lit;
      out.push(lit ? { op, lit } : { op });
    } else if (m.cidr) {
      const net = text.trim();
      compileCidr(net);
      out.push({ op: { k: 'cidr', net } });
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
  const mode: RefMode = m.transforms.includes('contains') ? 'contains' : m.transforms.includes('startswith') ? 'startswith' : m.transforms.includes('endswith') ? 'endswith' : 'eq';
  return { op: { k: 'ref', field: ref, mode, cased: m.cased } };
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
    return { op: { k: 'exists', field, want: value }, req: null };
  }
  const raws = Array.isArray(value) ? value : [value];
  if (raws.length === 0) throw new Error(`empty value list for '${key}'`);
  // One raw value can expand into several tests (windash, base64offset, expand): they are
  // its alternatives. `all` joins the raw values, not the alternatives.
  const perValue: ValueTest[][] = raws.map((raw) => valueTests(raw, m, opts, keyword));
  const tests = perValue.flat();

  /** Some value passes some test; a null value stands for "absent or null". */
  const anyOf = (ts: ValueTest[]): MatchOp => {
    const ops: MatchOp[] = [];
    const plain: ValueOp[] = [];
    for (const t of ts) {
      if (t.special === 'null') {
        if (keyword) throw new Error('null is not a valid keyword');
        ops.push({ k: 'null', field });
      } else if (t.op) plain.push(t.op);
    }
    if (plain.length) ops.push({ k: 'any', field, tests: plain });
    return orOp(ops);
  };
  let op: MatchOp;
  if (m.all) {
    op = andOp(perValue.map((ts) => anyOf(ts)));
  } else {
    // Exact case-insensitive literals of a field collapse into one Set lookup.
    const exact = !keyword && tests.length >= 4 ? exactLiterals(raws, tests, m) : undefined;
    op = exact ? { k: 'in', field, lits: exact } : anyOf(tests);
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
  if (m.neq) op = notOp(op);
  const out: Compiled = { op, req };
  if (req && req2) out.req2 = req2;
  if (isEventId) out.eventIds = new Set(tests.map((t) => t.lit!));
  return out;
}

/**
 * The lower-cased literals when every raw value is compared for plain equality, else
 * undefined. Read from the values' tests (each raw string became one uncased glob), not by
 * parsing the values again.
 */
function exactLiterals(raws: YamlValue[], tests: ValueTest[], m: Mods): string[] | undefined {
  if (tests.length !== raws.length || m.transforms.length || m.cased || m.re || m.cidr || m.fieldref || m.expand || m.compare || m.timePart) return undefined;
  const out: string[] = [];
  for (let i = 0; i < raws.length; i++) {
    const op = tests[i]!.op;
    if (typeof raws[i] !== 'string' || op === null || op.k !== 'glob') return undefined;
    // Adjacent literal parts are merged: no wildcard means one lower-cased part (or none, for '').
    if (op.parts.some((p) => typeof p !== 'string')) return undefined;
    out.push(op.parts.join(''));
  }
  return out;
}
