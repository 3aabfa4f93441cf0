/**
 * A fast reader for the plain subset of YAML that Sigma rule files are written in: one
 * document of block maps and block lists, plain and quoted scalars, `|` / `|-` literal
 * blocks and comments. Parsing the whole of YAML with the library costs about half of a cold
 * start over thousands of rule files; this subset reads them in a fraction of that.
 *
 * It answers only when it is sure: anything outside the subset (flow collections, anchors,
 * tags, folded or multi-line scalars, several documents, tabs, duplicate keys, keys that
 * would resolve to non-strings, odd escapes, any syntax error) gives undefined, and the
 * caller parses the text with the library. Where it answers, values, the positions of maps,
 * lists and keys, and the document's start are exactly those yaml.ts gives
 * (test/sigma/yaml-fast.test.ts compares both over every rule file of SigmaHQ).
 */
import { setPos, type Pos, type YamlDoc, type YamlMap, type YamlValue } from './yaml.js';

/** Deeper nesting is left to the library (which reports it). */
const MAX_DEPTH = 64;

/** YAML 1.2 core schema decimal numbers; any other number form stays text in yaml.ts. */
const DECIMAL = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Keys starting like a number (decimal, hex, octal, .inf, .nan). */
const NUMBER_START = /^[-+.0-9]/;
/** Characters YAML does not allow unescaped (the library reports them). */
const NOT_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufeff\ufffe\uffff]/;
/** Words the core schema reads as null or booleans. */
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
/** Characters that start something other than a plain scalar (flow, anchor, alias, tag, block, directive, reserved). */
const INDICATORS = new Set(['[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '?', ':', '-']);

/** Thrown inside the reader when the text leaves the subset; never escapes parseSigmaYaml. */
class NotPlain extends Error {}

function give(): never {
  throw new NotPlain();
}

/** The value of a plain scalar as yaml.ts converts it (numbers only in their canonical spelling). */
function plainValue(s: string): YamlValue {
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return String(n) === s ? n : s;
  }
  return s;
}

class Reader {
  private readonly lines: string[];
  /** Line index of the current content line and its indentation. */
  private li = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  /** Indentation of line i, or -1 for a blank or comment-only line. */
  private indentOf(i: number): number {
    const l = this.lines[i]!;
    let c = 0;
    while (c < l.length && l.charCodeAt(c) === 32) c++;
    if (c === l.length || l.charCodeAt(c) === 35 /* # */) return -1;
    return c;
  }

  /** Moves to the next content line at or after li; its indentation, or -1 at the end. */
  private skip(): number {
    while (this.li < this.lines.length) {
      const ind = this.indentOf(this.li);
      if (ind >= 0) return ind;
      this.li++;
    }
    return -1;
  }

  document(): YamlDoc[] {
    const ind = this.skip();
    if (ind < 0) return give(); // empty files and comment-only files: left to the library
    if (ind !== 0) give();
    const value = this.node(0, 0);
    if (this.skip() >= 0) give(); // something after the top-level block
    return [{ value, pos: this.startPos }];
  }

  private startPos: Pos = { line: 1, column: 1 };
  private started = false;

  private mark(line: number, col: number): Pos {
    const p = { line: line + 1, column: col + 1 };
    if (!this.started) {
      this.started = true;
      this.startPos = p;
    }
    return p;
  }

  /** A block node whose first content is at (li, col). */
  private node(col: number, depth: number): YamlValue {
    if (depth > MAX_DEPTH) give();
    const l = this.lines[this.li]!;
    if (l.charCodeAt(col) === 45 /* - */ && (col + 1 === l.length || l.charCodeAt(col + 1) === 32)) return this.list(col, depth);
    return this.map(col, depth);
  }

  /** A block map whose keys start at column `col`, the first on line li. */
  private map(col: number, depth: number): YamlMap {
    const out: YamlMap = {};
    const keys = new Map<string, Pos>();
    const self = this.mark(this.li, col);
    for (;;) {
      const l = this.lines[this.li]!;
      const { key, after } = this.key(l, col);
      if (Object.hasOwn(out, key)) give();
      keys.set(key, { line: this.li + 1, column: col + 1 });
      let v = after;
      while (v < l.length && l.charCodeAt(v) === 32) v++;
      if (v === l.length || l.charCodeAt(v) === 35 /* # */) {
        if (v < l.length && v === after) give(); // `key:#` is not a comment
        // Value on the following lines: a deeper block, a list at this indentation, or null.
        this.li++;
        const ind = this.skip();
        if (ind > col) out[key] = this.node(ind, depth + 1);
        else if (ind === col && this.isItem(this.lines[this.li]!, col)) out[key] = this.list(col, depth + 1);
        else out[key] = null;
      } else {
        out[key] = this.scalar(l, v, col);
      }
      const ind = this.skip();
      if (ind < col) break;
      if (ind > col) give();
      if (this.isItem(this.lines[this.li]!, col)) give();
    }
    setPos(out, self, keys);
    return out;
  }

  private isItem(l: string, col: number): boolean {
    return l.charCodeAt(col) === 45 && (col + 1 === l.length || l.charCodeAt(col + 1) === 32);
  }

  /** A block list whose dashes are at column `col`, the first on line li. */
  private list(col: number, depth: number): YamlValue[] {
    const out: YamlValue[] = [];
    const self = this.mark(this.li, col);
    for (;;) {
      const l = this.lines[this.li]!;
      let v = col + 1;
      while (v < l.length && l.charCodeAt(v) === 32) v++;
      if (v === l.length || l.charCodeAt(v) === 35) {
        if (v < l.length && v === col + 1) give();
        this.li++;
        const ind = this.skip();
        out.push(ind > col ? this.node(ind, depth + 1) : null);
      } else if (this.isItem(l, v)) {
        give(); // `- - x`
      } else if (this.keyAhead(l, v)) {
        out.push(this.map(v, depth + 1));
        // map() stopped at a line indented less than its keys.
      } else {
        out.push(this.scalar(l, v, col));
      }
      const ind = this.skip();
      // A line at this indentation that is no item ends a list that is a map's value (`key:` then `- x` at the key's column).
      if (ind < col || (ind === col && !this.isItem(this.lines[this.li]!, col))) break;
      if (ind > col) give();
    }
    setPos(out, self);
    return out;
  }

  /** Whether line l has a `key:` starting at column c. */
  private keyAhead(l: string, c: number): boolean {
    const q = l.charCodeAt(c);
    if (q === 39 || q === 34) {
      const end = q === 39 ? singleEnd(l, c) : doubleEnd(l, c);
      if (end < 0) return false;
      let i = end;
      while (i < l.length && l.charCodeAt(i) === 32) i++;
      return l.charCodeAt(i) === 58 && (i + 1 === l.length || l.charCodeAt(i + 1) === 32);
    }
    return plainKeyEnd(l, c) >= 0;
  }

  /** The key at column c of line l and the index after its colon. */
  private key(l: string, c: number): { key: string; after: number } {
    const q = l.charCodeAt(c);
    if (q === 39 || q === 34) {
      const end = q === 39 ? singleEnd(l, c) : doubleEnd(l, c);
      if (end < 0) give();
      const key = q === 39 ? singleText(l, c, end) : doubleText(l, c, end);
      let i = end;
      while (i < l.length && l.charCodeAt(i) === 32) i++;
      if (l.charCodeAt(i) !== 58 || (i + 1 < l.length && l.charCodeAt(i + 1) !== 32)) give();
      return { key, after: i + 1 };
    }
    const colon = plainKeyEnd(l, c);
    if (colon < 0) give();
    const key = l.slice(c, colon).trimEnd();
    // Keys the library would read as numbers (`0x10` is 16), null or booleans, and merge keys, are left to it.
    if (key === '' || INDICATORS.has(key[0]!) || NUMBER_START.test(key) || key === '<<' || plainValue(key) !== key) give();
    return { key, after: colon + 1 };
  }

  /** A scalar starting at column v of line l (the current line), in a node indented `parent`; moves past it. */
  private scalar(l: string, v: number, parent: number): YamlValue {
    const c = l.charCodeAt(v);
    let value: YamlValue;
    let end: number;
    if (c === 39 || c === 34) {
      end = c === 39 ? singleEnd(l, v) : doubleEnd(l, v);
      if (end < 0) give(); // runs on to the next line
      value = c === 39 ? singleText(l, v, end) : doubleText(l, v, end);
    } else if (c === 124 /* | */) {
      return this.literal(l, v, parent);
    } else {
      // `-5` is a plain scalar (a dash before a non-space); `:x` and `?x` are too, but rare in rules: the library reads them.
      if (INDICATORS.has(l[v]!) && !(c === 45 && v + 1 < l.length && l.charCodeAt(v + 1) !== 32)) give();
      end = l.length;
      const hash = l.indexOf(' #', v);
      if (hash >= 0) end = hash;
      const text = l.slice(v, end).trimEnd();
      if (text.includes(': ') || text.endsWith(':')) give();
      value = plainValue(text);
      end = v + text.length;
    }
    const after = end;
    while (end < l.length && l.charCodeAt(end) === 32) end++;
    // Only a comment may follow, and only after a space.
    if (end < l.length && (l.charCodeAt(end) !== 35 || end === after)) give();
    this.li++;
    // A plain scalar continued on deeper lines, or junk after a quoted one: the library decides.
    const ind = this.skip();
    if (ind > parent) give();
    return value;
  }

  /** A `|` or `|-` literal block scalar whose header is at column v of line l. */
  private literal(l: string, v: number, parent: number): string {
    let h = v + 1;
    let strip = false;
    if (l.charCodeAt(h) === 45) {
      strip = true;
      h++;
    }
    while (h < l.length && l.charCodeAt(h) === 32) h++;
    if (h < l.length && !(l.charCodeAt(h) === 35 && l.charCodeAt(h - 1) === 32)) give();
    const lines = this.lines;
    let i = this.li + 1;
    // The first line sets the block's indentation; leading empty lines are left to the library.
    if (i >= lines.length) give();
    const first = lines[i]!;
    let indent = 0;
    while (indent < first.length && first.charCodeAt(indent) === 32) indent++;
    if (indent === first.length || indent <= parent) give();
    const body: string[] = [];
    for (; i < lines.length; i++) {
      const t = lines[i]!;
      let sp = 0;
      while (sp < t.length && sp < indent && t.charCodeAt(sp) === 32) sp++;
      if (sp === t.length) {
        body.push('');
        continue;
      }
      if (sp < indent) break;
      if (t.charCodeAt(indent) === 32 && t.trim() === '') give(); // spaces-only line longer than the indentation
      body.push(t.slice(indent));
    }
    let n = body.length;
    while (n > 0 && body[n - 1] === '') n--;
    // Trailing empty lines belong to the next node; the reader resumes right after the content.
    this.li = this.li + 1 + n;
    // No content, or content ending the file without a line break (no break for clip to keep).
    if (n === 0 || this.li >= lines.length) give();
    const text = body.slice(0, n).join('\n');
    if (text.includes('\t') || text.includes('\r')) give();
    const ind = this.skip();
    if (ind > parent) give();
    return strip ? text : text + '\n';
  }
}

/** Index of `:` ending a plain key that starts at c (followed by a space or the line's end), or -1. */
function plainKeyEnd(l: string, c: number): number {
  for (let i = c; i < l.length; i++) {
    const ch = l.charCodeAt(i);
    if (ch === 58 && (i + 1 === l.length || l.charCodeAt(i + 1) === 32)) return i;
    if (ch === 35 && i > c && l.charCodeAt(i - 1) === 32) return -1;
  }
  return -1;
}

/** Index after the closing quote of a single-quoted scalar at c, or -1 when it does not close on this line. */
function singleEnd(l: string, c: number): number {
  for (let i = c + 1; i < l.length; i++) {
    if (l.charCodeAt(i) !== 39) continue;
    if (l.charCodeAt(i + 1) === 39) {
      i++;
      continue;
    }
    return i + 1;
  }
  return -1;
}

function singleText(l: string, c: number, end: number): string {
  return l.slice(c + 1, end - 1).replaceAll("''", "'");
}

function doubleEnd(l: string, c: number): number {
  for (let i = c + 1; i < l.length; i++) {
    const ch = l.charCodeAt(i);
    if (ch === 92) i++;
    else if (ch === 34) return i + 1;
  }
  return -1;
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\u0000', ' ': ' ' };

function doubleText(l: string, c: number, end: number): string {
  const raw = l.slice(c + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = ESCAPES[raw[++i]!];
    if (e === undefined) give();
    out += e;
  }
  return out;
}

/**
 * The documents of a rule file in the plain subset, exactly as parseYamlDocuments gives them;
 * undefined when the text is outside the subset (then parse it with the library).
 */
export function parseSigmaYaml(text: string): YamlDoc[] | undefined {
  if (text.includes('\t') || text.includes('\r') || NOT_PRINTABLE.test(text)) return undefined;
  // Document markers and directives: several documents, or ones the library reads better.
  if (/^(?:---|\.\.\.|%)/m.test(text)) return undefined;
  try {
    return new Reader(text).document();
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}
