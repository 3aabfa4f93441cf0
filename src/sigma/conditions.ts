/**
 * The detection `condition` (spec "Condition"): and/or/not, parentheses, and
 * `1 of` / `any of` / `all of` over `them` or a search-identifier pattern.
 * Precedence, least to most binding: or, and, not, x of, ( ).
 */

export type CondNode =
  | { t: 'id'; name: string }
  | { t: 'and'; items: CondNode[] }
  | { t: 'or'; items: CondNode[] }
  | { t: 'not'; item: CondNode }
  | { t: 'of'; all: boolean; ids: string[] };

interface Token {
  text: string;
  offset: number;
}

function tokenize(cond: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cond)) !== null) {
    if (m[1] === undefined) break;
    out.push({ text: m[1], offset: m.index + m[0].length - m[1].length });
  }
  if (cond.slice(re.lastIndex).trim() !== '' && out.length === 0) throw new Error(`cannot parse condition '${cond}'`);
  return out;
}

const IDENT = /^[A-Za-z0-9_.\-*]+$/;
const RESERVED = new Set(['and', 'or', 'not', 'of', 'them']);

/** Identifier patterns repeat across rules (`selection_*`, `filter_main_*`): compiled once (bounded). */
const patternCache = new Map<string, RegExp>();

function patternRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    const body = pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*');
    // No g/y flag: the regex keeps no state between uses, so sharing it is safe.
    re = new RegExp(`^${body}$`);
    if (patternCache.size < 10_000) patternCache.set(pattern, re);
  }
  return re;
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
    private readonly ids: readonly string[],
  ) {}

  private peek(): string | undefined {
    return this.tokens[this.i]?.text.toLowerCase();
  }

  private fail(msg: string): never {
    const tok = this.tokens[this.i];
    throw new Error(`${msg} in condition '${this.src}'${tok ? ` at '${tok.text}' (offset ${tok.offset})` : ' at end'}`);
  }

  parse(): CondNode {
    if (this.tokens.length === 0) this.fail('empty condition');
    const n = this.orExpr();
    if (this.i < this.tokens.length) {
      if (this.tokens[this.i]!.text.startsWith('|')) this.fail('aggregation expressions (Sigma v1 "| count()") are not supported, use a correlation rule');
      this.fail('unexpected token');
    }
    return n;
  }

  private orExpr(): CondNode {
    const items = [this.andExpr()];
    while (this.peek() === 'or') {
      this.i++;
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  }

  private andExpr(): CondNode {
    const items = [this.notExpr()];
    while (this.peek() === 'and') {
      this.i++;
      items.push(this.notExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  }

  private notExpr(): CondNode {
    if (this.peek() === 'not') {
      this.i++;
      return { t: 'not', item: this.notExpr() };
    }
    return this.primary();
  }

  private primary(): CondNode {
    const tok = this.tokens[this.i];
    if (!tok) this.fail('expression expected');
    const low = tok.text.toLowerCase();
    if (tok.text === '(') {
      this.i++;
      const n = this.orExpr();
      if (this.tokens[this.i]?.text !== ')') this.fail("missing ')'");
      this.i++;
      return n;
    }
    if (tok.text === ')') this.fail("unexpected ')'");
    if ((low === '1' || low === 'any' || low === 'all') && this.tokens[this.i + 1]?.text.toLowerCase() === 'of') {
      this.i += 2;
      const target = this.tokens[this.i];
      if (!target || target.text === '(' || target.text === ')') this.fail("'them' or a search-identifier pattern expected after 'of'");
      this.i++;
      let ids: string[];
      if (target.text.toLowerCase() === 'them') {
        ids = this.ids.filter((id) => !id.startsWith('_'));
        if (ids.length === 0) this.fail("'them' refers to no search identifier");
      } else {
        if (!IDENT.test(target.text)) this.fail('invalid search-identifier pattern');
        const re = patternRegex(target.text);
        ids = this.ids.filter((id) => re.test(id));
        if (ids.length === 0) this.fail(`pattern '${target.text}' matches no search identifier`);
      }
      return { t: 'of', all: low === 'all', ids };
    }
    if (RESERVED.has(low)) this.fail(`unexpected '${tok.text}'`);
    if (tok.text.startsWith('|')) this.fail('aggregation expressions (Sigma v1 "| count()") are not supported, use a correlation rule');
    if (!IDENT.test(tok.text) || tok.text.includes('*')) this.fail('invalid search identifier');
    if (!this.ids.includes(tok.text)) this.fail(`unknown search identifier '${tok.text}'`);
    this.i++;
    return { t: 'id', name: tok.text };
  }
}

/** Parses a condition against the detection's search identifiers; throws Error with the reason. */
export function parseCondition(cond: string, identifiers: readonly string[]): CondNode {
  return new Parser(cond, tokenize(cond), identifiers).parse();
}
