/**
 * The two forms of a correlation `condition`:
 * - a threshold map (`gte: 100`, or two bounds for a range, `gt: 100` + `lte: 200`, AND-ed),
 *   optionally with `field` (value_* types) and `percentile` (value_percentile);
 * - for temporal types, a boolean expression over rule names ("rule_a and not rule_c"),
 *   the extended form pySigma accepts. Precedence: not > and > or; parentheses allowed.
 */

export type ConditionOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
export const CONDITION_OPS: readonly ConditionOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

export interface Bound {
  op: ConditionOp;
  value: number;
}

export type RuleExpr = { kind: 'ref'; ref: string } | { kind: 'not'; arg: RuleExpr } | { kind: 'and' | 'or'; args: RuleExpr[] };

export function testBound(b: Bound, x: number): boolean {
  switch (b.op) {
    case 'gt':
      return x > b.value;
    case 'gte':
      return x >= b.value;
    case 'lt':
      return x < b.value;
    case 'lte':
      return x <= b.value;
    case 'eq':
      return x === b.value;
    case 'neq':
      return x !== b.value;
  }
}

export function testBounds(bounds: readonly Bound[], x: number): boolean {
  for (const b of bounds) if (!testBound(b, x)) return false;
  return true;
}

/** Human form, e.g. "> 100 and <= 200", for messages and the console. */
export function formatBounds(bounds: readonly Bound[]): string {
  const sym: Record<ConditionOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };
  return bounds.map((b) => `${sym[b.op]} ${b.value}`).join(' and ');
}

/** Reason the bounds can never all hold, or undefined when some number satisfies them. */
export function contradiction(bounds: readonly Bound[]): string | undefined {
  let lo = -Infinity;
  let loStrict = false;
  let hi = Infinity;
  let hiStrict = false;
  for (const b of bounds) {
    const v = b.value;
    if (b.op === 'gt' || b.op === 'gte' || b.op === 'eq') {
      const strict = b.op === 'gt';
      if (v > lo || (v === lo && strict)) [lo, loStrict] = [v, strict];
    }
    if (b.op === 'lt' || b.op === 'lte' || b.op === 'eq') {
      const strict = b.op === 'lt';
      if (v < hi || (v === hi && strict)) [hi, hiStrict] = [v, strict];
    }
  }
  if (lo > hi || (lo === hi && (loStrict || hiStrict))) return `condition ${formatBounds(bounds)} can never be true`;
  if (lo === hi && bounds.some((b) => b.op === 'neq' && b.value === lo)) return `condition ${formatBounds(bounds)} can never be true`;
  return undefined;
}

/** Is the expression free of `not`? Then more matched rules can only make it truer. */
export function isMonotone(e: RuleExpr): boolean {
  if (e.kind === 'ref') return true;
  if (e.kind === 'not') return false;
  return e.args.every(isMonotone);
}

/** Rule references in order of first appearance. */
export function exprRefs(e: RuleExpr, out: string[] = []): string[] {
  if (e.kind === 'ref') {
    if (!out.includes(e.ref)) out.push(e.ref);
  } else if (e.kind === 'not') exprRefs(e.arg, out);
  else for (const a of e.args) exprRefs(a, out);
  return out;
}

/**
 * Evaluates with two views of "rule r happened": atoms under an even number of `not`s ask
 * `chosen` (the rules a candidate match uses), atoms under an odd number ask `seen` (every rule
 * seen in the window). For temporal both are the same set; for temporal_ordered `chosen` is an
 * ordered subsequence, and `not r` must mean "r did not happen at all", not "r was not chosen".
 */
export function evalExpr(e: RuleExpr, chosen: (ref: string) => boolean, seen: (ref: string) => boolean, negated = false): boolean {
  switch (e.kind) {
    case 'ref':
      return negated ? seen(e.ref) : chosen(e.ref);
    case 'not':
      return !evalExpr(e.arg, chosen, seen, !negated);
    case 'and':
      return e.args.every((a) => evalExpr(a, chosen, seen, negated));
    case 'or':
      return e.args.some((a) => evalExpr(a, chosen, seen, negated));
  }
}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_][A-Za-z0-9_.-]*)/y;

/** Parses "a and not (b or c)"; throws Error with a reason on bad syntax. */
export function parseRuleExpr(text: string): RuleExpr {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`unexpected character '${text.slice(pos).trim()[0]}' at offset ${pos} in condition '${text}'`);
    tokens.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const isKw = (t: string | undefined, kw: string): boolean => t !== undefined && t.toLowerCase() === kw;
  const parseOr = (): RuleExpr => {
    const args = [parseAnd()];
    while (isKw(peek(), 'or')) {
      i++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0]! : { kind: 'or', args };
  };
  const parseAnd = (): RuleExpr => {
    const args = [parseNot()];
    while (isKw(peek(), 'and')) {
      i++;
      args.push(parseNot());
    }
    return args.length === 1 ? args[0]! : { kind: 'and', args };
  };
  const parseNot = (): RuleExpr => {
    if (isKw(peek(), 'not')) {
      i++;
      return { kind: 'not', arg: parseNot() };
    }
    const t = peek();
    if (t === undefined) throw new Error(`condition '${text}' ends where a rule name was expected`);
    if (t === '(') {
      i++;
      const inner = parseOr();
      if (peek() !== ')') throw new Error(`missing ')' in condition '${text}'`);
      i++;
      return inner;
    }
    if (t === ')' || isKw(t, 'and') || isKw(t, 'or')) throw new Error(`unexpected '${t}' in condition '${text}'`);
    i++;
    return { kind: 'ref', ref: t };
  };
  if (tokens.length === 0) throw new Error('empty condition expression');
  const e = parseOr();
  if (i < tokens.length) throw new Error(`unexpected '${tokens[i]}' in condition '${text}'`);
  return e;
}
