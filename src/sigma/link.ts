/**
 * Links a detection program (program.ts) into closures over a `FieldView`. Linking is
 * cheap: no YAML, no analysis; regular expressions compile on their first use, so a rule
 * set whose rules never run for the events at hand costs almost nothing to load.
 */
import type { FieldView } from '../event/fields.js';
import { compileCidr } from './cidr.js';
import { compileGlob, type StringTest } from './glob.js';
import type { Matcher } from './matcher.js';
import type { CompareOp, MatchOp, RefMode, TimePart, ValueOp } from './program.js';
import { compileRegex } from './regex.js';

/** Tests one value; `lower` is the lower-cased form of `str`. */
export type ValueTestFn = (str: string, lower: string, view: FieldView) => boolean;

export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
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

function timePart(d: Date, part: TimePart): number {
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

function compareTest(op: CompareOp, n: number): (x: number) => boolean {
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

/** Regexes shared by every rule that uses the same pattern and flags (compiled on first use). */
const regexes = new Map<string, StringTest>();

function lazyRegex(src: string, flags: string): StringTest {
  const key = `${flags}/${src}`;
  let compiled = regexes.get(key);
  return (v) => {
    if (compiled === undefined) {
      compiled = regexes.get(key);
      if (compiled === undefined) {
        compiled = compileRegex(src, { i: flags.includes('i'), m: flags.includes('m'), s: flags.includes('s') });
        if (regexes.size < 100_000) regexes.set(key, compiled);
      }
    }
    return compiled(v);
  };
}

function refTest(field: string, mode: RefMode, cased: boolean): ValueTestFn {
  const cmp: (a: string, b: string) => boolean =
    mode === 'contains' ? (a, b) => a.includes(b) : mode === 'startswith' ? (a, b) => a.startsWith(b) : mode === 'endswith' ? (a, b) => a.endsWith(b) : (a, b) => a === b;
  return (str, lower, view) => {
    const others = cased ? view.strs(field) : view.lowers(field);
    const mine = cased ? str : lower;
    for (const o of others) if (cmp(mine, o)) return true;
    return false;
  };
}

export function linkValue(op: ValueOp): ValueTestFn {
  switch (op.k) {
    case 'glob': {
      const t = compileGlob({ parts: op.parts });
      return op.cased ? (str) => t(str) : (_str, lower) => t(lower);
    }
    case 'str': {
      const text = op.text;
      return (str) => str === text;
    }
    case 're': {
      const re = lazyRegex(op.re, op.flags);
      return (str) => re(str);
    }
    case 'cidr': {
      const net = compileCidr(op.net);
      return (str) => net(str);
    }
    case 'ref':
      return refTest(op.field, op.mode, op.cased);
    case 'cmp': {
      const cmp = compareTest(op.op, op.n);
      const part = op.part;
      if (part !== undefined) {
        return (s) => {
          const d = parseTimestamp(s);
          return d !== undefined && cmp(timePart(d, part));
        };
      }
      return (s) => {
        const x = parseNumber(s);
        return x !== undefined && cmp(x);
      };
    }
    case 'time': {
      const { part, n } = op;
      return (s) => {
        const d = parseTimestamp(s);
        return d !== undefined && timePart(d, part) === n;
      };
    }
  }
}

/** Some value of the field passes the test. */
function anyValue(field: string, test: ValueTestFn): Matcher {
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

/** Some value of the field passes some test: the field is looked up once, not per test. */
function anyValueOfTests(field: string, fns: ValueTestFn[]): Matcher {
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

/** Some value of the event passes some test (keyword searches). */
function anyEventValue(fns: ValueTestFn[]): Matcher {
  const n = fns.length;
  return (view) => {
    const strs = view.allStrs();
    const lows = view.allLowers();
    for (let j = 0; j < n; j++) {
      const test = fns[j]!;
      for (let i = 0; i < strs.length; i++) if (test(strs[i]!, lows[i]!, view)) return true;
    }
    return false;
  };
}

/** Equality against many plain literals of one field: one Set lookup per value. */
function literalSet(field: string, lits: readonly string[]): Matcher {
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

const ALWAYS: Matcher = () => true;
const NEVER: Matcher = () => false;

/** The closure of a program. */
export function link(op: MatchOp): Matcher {
  switch (op.k) {
    case 'const':
      return op.v ? ALWAYS : NEVER;
    case 'and': {
      const ms = op.of.map(link);
      if (ms.length === 1) return ms[0]!;
      if (ms.length === 2) {
        const [a, b] = ms as [Matcher, Matcher];
        return (v) => a(v) && b(v);
      }
      return (v) => {
        for (const m of ms) if (!m(v)) return false;
        return true;
      };
    }
    case 'or': {
      const ms = op.of.map(link);
      if (ms.length === 1) return ms[0]!;
      if (ms.length === 2) {
        const [a, b] = ms as [Matcher, Matcher];
        return (v) => a(v) || b(v);
      }
      return (v) => {
        for (const m of ms) if (m(v)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = link(op.of);
      return (v) => !inner(v);
    }
    case 'exists': {
      const { field, want } = op;
      return (view) => view.has(field) === want;
    }
    case 'null': {
      const field = op.field;
      return (view) => {
        const k = view.key(field);
        return k === undefined || view.fields[k] === null;
      };
    }
    case 'any': {
      const fns = op.tests.map(linkValue);
      if (fns.length === 0) return NEVER;
      if (op.field === '') return anyEventValue(fns);
      return fns.length === 1 ? anyValue(op.field, fns[0]!) : anyValueOfTests(op.field, fns);
    }
    case 'in':
      return literalSet(op.field, op.lits);
  }
}
