/**
 * A PHP tokenizer for the data-flow pass (dataflow.ts): variables, names, strings with
 * their escapes decoded (and the variables they interpolate), numbers and operators, with
 * comments and inline HTML dropped. One linear pass, no backtracking, capped output: it must
 * stay fast and total on hostile input (unterminated strings and comments end at the text's end).
 */

import { isRegexSpace } from '../../context.js';

export type TokKind = 'var' | 'id' | 'str' | 'num' | 'op' | 'bt';

/**
 * One token. A class, so every token has one hidden class (V8 map) with its fields in one
 * order: object literals with and without `vars` were two maps, and the data-flow passes that
 * read tokens by the million were optimized for one and thrown away when the other came.
 */
export class Tok {
  constructor(
    readonly k: TokKind,
    /** var: name without `$`; id: name lower-cased, leading `\` dropped; str/bt: decoded value; op: the operator. */
    readonly v: string,
    /** Offset in the text. */
    readonly at: number,
    /** Variables a double-quoted string, heredoc or backtick command interpolates (undefined for other kinds). */
    readonly vars: string[] | undefined = undefined,
  ) {}
}

/*
 * `vars` is undefined or an array of names, never an empty array: an empty literal has another
 * array map than one pushed to, and the flow's reads of `vars.length` were deoptimized ("wrong
 * map") when the rarer one came. Every reader treats undefined and empty alike.
 */
function varsOrNone(vars: string[]): string[] | undefined {
  return vars.length > 0 ? vars : undefined;
}

const OPS = [
  '<<=',
  '>>=',
  '**=',
  '...',
  '<=>',
  '===',
  '!==',
  '??=',
  '->',
  '?->',
  '::',
  '=>',
  '.=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '==',
  '!=',
  '<>',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '++',
  '--',
  '<<',
  '>>',
  '**',
];
/**
 * OPS by the code of their first character, in OPS order (the first that matches wins, so
 * longer ones stay first); an array, not a map: it is read for every operator token.
 */
const OPS_BY_FIRST: Array<readonly string[] | undefined> = [];
for (const o of OPS) OPS_BY_FIRST[o.charCodeAt(0)] = [...(OPS_BY_FIRST[o.charCodeAt(0)] ?? []), o];
/*
 * Character classes as code-unit tests (the tokenizer asks them for nearly every character; a
 * regex call each cost more than the rest of the loop). Names are `[A-Za-z_\x80-\uffff]` then
 * `[\w\x80-\uffff]*`; a qualified name may hold `\`.
 */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** An identifier, or a qualified name starting with `\`. */
function isIdentStart(c: number): boolean {
  return isNameStart(c) || c === 92;
}

/** The end of the name chars (`isNameChar`, and `\` when `qualified`) starting at `i`. */
function nameEnd(text: string, i: number, qualified: boolean): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isNameChar(c) && !(qualified && c === 92)) break;
    i++;
  }
  return i;
}

/** Where the last single-quoted string read ended (past its quote): a second return value without a tuple per string. */
let quotedEnd = 0;

/**
 * Tokens of `text`; starts in HTML when a `<?` tag comes before any code (a page), in PHP
 * otherwise (a decoded payload, whose strings may hold `<?` themselves). Characters are read as
 * code units: a one-character string per position cost more than the tests made on it.
 */
export function tokenizePhp(text: string, maxTokens = 400000): Tok[] {
  const out: Tok[] = [];
  const n = text.length;
  let i = 0;
  /** The first `?>` at or after the last comment (-1: none; -2: not looked up yet). */
  let close = -2;
  const backslashes: BackslashCache = { from: -1, at: -1 };
  const tag = text.indexOf('<?');
  if (tag !== -1 && !/[$;]/.test(text.slice(0, tag))) i = openTag(text, 0);
  while (i < n && out.length < maxTokens) {
    const c = text.charCodeAt(i);
    // ' ', \t, \n, \v, \f, \r open a run of spaces (other `\s` characters only continue one)
    if (c === 32 || (c >= 9 && c <= 13)) {
      // the run of `\s` characters (any of them, as the regex class reads it) from here
      i++;
      while (i < n && isRegexSpace(text.charCodeAt(i))) i++;
      continue;
    }
    const d = text.charCodeAt(i + 1);
    if (c === 36) {
      // `$`
      if (i + 1 < n && isNameStart(d)) {
        const j = nameEnd(text, i + 2, false);
        out.push(new Tok('var', text.slice(i + 1, j), i));
        i = j;
        continue;
      }
    } else if (c === 39) {
      // `'`
      const v = singleQuoted(text, i + 1, backslashes);
      out.push(new Tok('str', v, i));
      i = quotedEnd;
      continue;
    } else if (c === 34 || c === 96) {
      // `"`, backtick
      const [v, vars, j] = doubleQuoted(text, i + 1, c === 34 ? '"' : '`');
      out.push(new Tok(c === 96 ? 'bt' : 'str', v, i, varsOrNone(vars)));
      i = j;
      continue;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      // `[\w.]`: ASCII word characters and the dot
      while (j < n) {
        const e = text.charCodeAt(j);
        if (e !== 46 && !(e < 128 && isNameChar(e))) break;
        j++;
      }
      out.push(new Tok('num', text.slice(i, j), i));
      i = j;
      continue;
    } else if (isIdentStart(c)) {
      // the name is taken as it stands when it has nothing to drop or lower-case (most names)
      let plain = c !== 92 && !(c >= 65 && c <= 90) && c < 128;
      let j = i + 1;
      while (j < n) {
        const e = text.charCodeAt(j);
        if (!isNameChar(e) && e !== 92) break;
        if ((e >= 65 && e <= 90) || e >= 128 || e === 92) plain = false;
        j++;
      }
      if (plain) out.push(new Tok('id', text.slice(i, j), i));
      else {
        const raw = text.slice(i, j);
        const name = raw.slice(raw.lastIndexOf('\\') + 1).toLowerCase();
        if (name) out.push(new Tok('id', name, i));
      }
      i = j;
      continue;
    } else if (c === 63 && d === 62) {
      // `?>`
      out.push(new Tok('op', ';', i));
      i = openTag(text, i + 2);
      continue;
    } else if ((c === 35 && d !== 91) || (c === 47 && d === 47)) {
      // `#` (not `#[`), `//`: the next `?>` is looked up once and kept until passed: searched
      // again from every comment, a file of many comments and no `?>` was read to its end once
      // per comment (quadratic)
      if (close !== -1 && close < i) close = text.indexOf('?>', i);
      i = lineEnd(text, i, close);
      continue;
    } else if (c === 47 && d === 42) {
      // `/*`
      const e = text.indexOf('*/', i + 2);
      i = e === -1 ? n : e + 2;
      continue;
    } else if (c === 60 && d === 60 && text.charCodeAt(i + 2) === 60) {
      // `<<<`
      const h = heredoc(text, i);
      if (h) {
        out.push(new Tok('str', h.v, i, varsOrNone(h.vars)));
        i = h.end;
        continue;
      }
    }
    let op = text[i]!;
    const longer = c < 128 ? OPS_BY_FIRST[c] : undefined;
    if (longer !== undefined)
      for (const o of longer)
        if (text.startsWith(o, i)) {
          op = o;
          break;
        }
    out.push(new Tok('op', op, i));
    i += op.length;
  }
  return out;
}

/** After `?>` (or at the start of a tagged text): the offset just past the next `<?php`, `<?=` or `<?`. */
function openTag(text: string, from: number): number {
  const j = text.indexOf('<?', from);
  if (j === -1) return text.length;
  if (text.slice(j + 2, j + 5).toLowerCase() === 'php') return j + 5;
  return text[j + 2] === '=' ? j + 3 : j + 2;
}

/** The end of a `//` or `#` comment at `i`: its line's end, or the `?>` at `close` (the first at or after `i`, or -1) if that comes first. */
function lineEnd(text: string, i: number, close: number): number {
  const nl = text.indexOf('\n', i);
  if (close !== -1 && (nl === -1 || close < nl)) return close;
  return nl === -1 ? text.length : nl;
}

/**
 * The first backslash at or after the offset last asked about, for one text: single-quoted
 * strings come in text order, and searching from each one anew read everything up to the next
 * backslash (the file's end, in a file without any) once per string.
 */
interface BackslashCache {
  /** Offset last searched from (-1: nothing searched yet). */
  from: number;
  /** What that search found (-1: no backslash after `from`). */
  at: number;
}

/** The offset of the first `\\` at or after `i` in `text`, or -1; `i` never decreases between calls with one cache. */
function backslashFrom(text: string, i: number, cache: BackslashCache): number {
  // the cached answer holds for every offset between where it was searched from and the backslash it found
  if (cache.from !== -1 && i >= cache.from && (cache.at === -1 || cache.at >= i)) return cache.at;
  cache.from = i;
  cache.at = text.indexOf('\\', i);
  return cache.at;
}

/** The value of the single-quoted string whose body starts at `i`; where it ends goes to `quotedEnd`. */
function singleQuoted(text: string, i: number, cache: BackslashCache): string {
  const end = text.indexOf("'", i);
  const bs = backslashFrom(text, i, cache);
  if (end !== -1 && (bs === -1 || bs > end)) {
    quotedEnd = end + 1;
    return text.slice(i, end);
  }
  if (end === -1 && bs === -1) {
    quotedEnd = text.length;
    return text.slice(i);
  }
  let v = '';
  const n = text.length;
  while (i < n && text[i] !== "'") {
    if (text[i] === '\\' && (text[i + 1] === "'" || text[i + 1] === '\\')) {
      v += text[i + 1];
      i += 2;
    } else v += text[i++];
  }
  quotedEnd = i + 1;
  return v;
}

const SIMPLE_ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', e: '\x1b', '\\': '\\', $: '$', '"': '"', '`': '`' };

/** Decodes PHP double-quote escapes and notes interpolated variables (`$x`, `{$x}`, `${x}`). */
function doubleQuoted(text: string, i: number, q: string): [string, string[], number] {
  const end = text.indexOf(q, i);
  if (end !== -1) {
    const body = text.slice(i, end);
    if (!body.includes('\\') && !body.includes('$')) return [body, [], end + 1];
  }
  let v = '';
  const vars: string[] = [];
  const n = text.length;
  while (i < n && text[i] !== q) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < n) {
      const [s, j] = escapeAt(text, i);
      v += s;
      i = j;
      continue;
    }
    if (c === '$' && i + 1 < n && (isIdentStart(text.charCodeAt(i + 1)) || text[i + 1] === '{')) {
      const m = /^\$\{?([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)/.exec(text.slice(i, i + 80));
      if (m) {
        vars.push(m[1]!);
        v += `$${m[1]}`;
        i += m[0].length;
        continue;
      }
    }
    v += c;
    i++;
  }
  return [v, vars, i + 1];
}

function escapeAt(text: string, i: number): [string, number] {
  const d = text[i + 1]!;
  if (d in SIMPLE_ESC) return [SIMPLE_ESC[d]!, i + 2];
  if (d === 'x') {
    const m = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 2, i + 4));
    if (m) return [String.fromCharCode(parseInt(m[0], 16)), i + 2 + m[0].length];
  }
  if (d >= '0' && d <= '7') {
    const m = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))!;
    return [String.fromCharCode(parseInt(m[0], 8) & 0xff), i + 1 + m[0].length];
  }
  if (d === 'u' && text[i + 2] === '{') {
    const m = /^\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(i + 2, i + 12));
    if (m) return [String.fromCodePoint(Math.min(parseInt(m[1]!, 16), 0x10ffff)), i + 2 + m[0].length];
  }
  return ['\\' + d, i + 2];
}

function heredoc(text: string, i: number): { v: string; vars: string[]; end: number } | undefined {
  const m = /^<<<[ \t]*(["']?)([A-Za-z_]\w*)\1\r?\n/.exec(text.slice(i, i + 100));
  if (!m) return undefined;
  const id = m[2]!;
  const start = i + m[0].length;
  const close = new RegExp(`\\n[ \\t]*${id}\\b`, 'g');
  close.lastIndex = start - 1;
  const c = close.exec(text);
  const bodyEnd = c ? c.index : text.length;
  const end = c ? c.index + c[0].length : text.length;
  const body = text.slice(start, bodyEnd);
  if (m[1] === "'") return { v: body, vars: [], end };
  const [v, vars] = doubleQuoted(body + '\u0000', 0, '\u0000');
  return { v, vars, end };
}

/**
 * For every bracket token, the index of its partner (-1 when unbalanced), in one pass with a
 * stack: hostile files repeat unbalanced brackets by the thousand, and searching forward from
 * each one would be quadratic.
 */
export function bracketMatches(toks: Tok[]): Int32Array {
  const match = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'op') continue;
    if (t.v === '(' || t.v === '[' || t.v === '{') stack.push(i);
    else if (t.v === ')' || t.v === ']' || t.v === '}') {
      const open = stack.pop();
      if (open === undefined) continue;
      match[open] = i;
      match[i] = open;
    }
  }
  return match;
}

/** Argument token ranges [start, end) of the call whose `(` is at `open` (none when unbalanced). */
export function argRanges(toks: Tok[], open: number, match: Int32Array): Array<[number, number]> {
  const end = match[open]!;
  if (end === -1) return [];
  const out: Array<[number, number]> = [];
  let start = open + 1;
  for (let i = open + 1; i < end; i++) {
    const t = toks[i]!;
    if (t.k !== 'op') continue;
    if ((t.v === '(' || t.v === '[' || t.v === '{') && match[i]! > i) i = match[i]!;
    else if (t.v === ',') {
      out.push([start, i]);
      start = i + 1;
    }
  }
  if (end > start) out.push([start, end]);
  return out;
}

/**
 * Whether the include argument starting at token `i` opens with a `data:` URL: the rest of
 * the expression is then the code itself, at any file size.
 */
export function dataUrlAt(toks: readonly Tok[], i: number): boolean {
  let s = i;
  while (toks[s]?.v === '(') s++;
  const head = toks[s];
  return head !== undefined && head.k === 'str' && /^data:/i.test(head.v);
}
