/**
 * A compiled detection as plain data: what a rule's `detection` (and a filter's) becomes
 * after parsing, before it is linked into closures (link.ts). Plain data survives
 * `structuredClone`, `v8.serialize` and a trip to a worker thread, so a rule set is
 * compiled once, cached on disk and shared by every thread instead of being compiled again.
 *
 * Bump PROGRAM_FORMAT whenever these shapes or their meaning change: cached programs of
 * another format are rebuilt.
 */
import type { StrPart } from './strings.js';

export const PROGRAM_FORMAT = 4;

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte';
export type RefMode = 'eq' | 'contains' | 'startswith' | 'endswith';

/** A test of one stringified field value. */
export type ValueOp =
  /** Sigma wildcard string; uncased ones hold lower-cased parts and test the lower-cased value. */
  | { k: 'glob'; parts: StrPart[]; cased: boolean }
  /** Exact, case-sensitive equality with the value's text (a number written in a rule). */
  | { k: 'str'; text: string }
  /**
   * Regular expression (re2js syntax after translation); flags are letters of 'ims'. `lit`,
   * lower-case, occurs in the lower-cased text of every value the expression matches: a
   * value without it fails without running (or even compiling) the expression.
   */
  | { k: 're'; re: string; flags: string; lit?: string }
  | { k: 'cidr'; net: string }
  /** Compared with the values of another field of the same event. */
  | { k: 'ref'; field: string; mode: RefMode; cased: boolean }
  /** Numeric comparison, of the value or of a time part of it. */
  | { k: 'cmp'; op: CompareOp; n: number; part?: TimePart }
  /** Equality of a time part of the value. */
  | { k: 'time'; part: TimePart; n: number };

/** A boolean expression over an event's fields. */
export type MatchOp =
  | { k: 'const'; v: boolean }
  | { k: 'and'; of: MatchOp[] }
  | { k: 'or'; of: MatchOp[] }
  | { k: 'not'; of: MatchOp }
  | { k: 'exists'; field: string; want: boolean }
  /** The field is absent or null. */
  | { k: 'null'; field: string }
  /** Some value of the field passes some test; field '' means any value of the event (keywords). */
  | { k: 'any'; field: string; tests: ValueOp[] }
  /** Some lower-cased value of the field is one of `lits` (lower-case). */
  | { k: 'in'; field: string; lits: string[] };

export const TRUE_OP: MatchOp = { k: 'const', v: true };
export const FALSE_OP: MatchOp = { k: 'const', v: false };

/** AND of ops: nested ANDs flattened, constants folded; order kept (it is evaluation order). */
export function andOp(ops: readonly MatchOp[]): MatchOp {
  const out: MatchOp[] = [];
  for (const o of ops) {
    if (o.k === 'const') {
      if (!o.v) return FALSE_OP;
      continue;
    }
    if (o.k === 'and') out.push(...o.of);
    else out.push(o);
  }
  if (out.length === 0) return TRUE_OP;
  return out.length === 1 ? out[0]! : { k: 'and', of: out };
}

/** OR of ops: nested ORs flattened, constants folded; order kept. */
export function orOp(ops: readonly MatchOp[]): MatchOp {
  const out: MatchOp[] = [];
  for (const o of ops) {
    if (o.k === 'const') {
      if (o.v) return TRUE_OP;
      continue;
    }
    if (o.k === 'or') out.push(...o.of);
    else out.push(o);
  }
  if (out.length === 0) return FALSE_OP;
  return out.length === 1 ? out[0]! : { k: 'or', of: out };
}

export function notOp(op: MatchOp): MatchOp {
  if (op.k === 'const') return op.v ? FALSE_OP : TRUE_OP;
  if (op.k === 'not') return op.of;
  return { k: 'not', of: op };
}
