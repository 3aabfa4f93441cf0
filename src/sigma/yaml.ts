/**
 * YAML documents as plain values, with the line:column of every map key and node kept
 * aside so errors in a rule can name the exact place. Numbers written in a form other
 * than plain decimal (0x17, 017, 1.0) stay strings: logs carry them as text, and a rule
 * saying `TicketEncryption: 0x17` means the text "0x17", not 23.
 */
import { createRequire } from 'node:module';
import type { CST, Document, LineCounter, Node as YamlNode } from 'yaml';
import { parseSigmaYaml } from './yaml-fast.js';

type Token = CST.Token;
type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;
/** The YAML library, loaded on first use: a start from the compiled-rule cache never parses YAML. */
function yaml(): YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as YamlLib;
  return lib;
}

export type YamlValue = string | number | boolean | null | YamlValue[] | YamlMap;
export interface YamlMap {
  [key: string]: YamlValue;
}

export interface Pos {
  line: number;
  column: number;
}

interface PosInfo {
  self: Pos;
  keys: Map<string, Pos>;
}

const positions = new WeakMap<object, PosInfo>();

export function posOf(obj: unknown): Pos | undefined {
  return obj !== null && typeof obj === 'object' ? positions.get(obj)?.self : undefined;
}

export function keyPos(obj: unknown, key: string): Pos | undefined {
  return obj !== null && typeof obj === 'object' ? positions.get(obj)?.keys.get(key) : undefined;
}

export function setPos(obj: object, self: Pos, keys?: Map<string, Pos>): void {
  positions.set(obj, { self, keys: keys ?? new Map() });
}

/** Copies position info of `from`'s keys onto `to` (used when merging documents). */
export function copyKeyPos(from: object, to: object): void {
  const src = positions.get(from);
  if (!src) return;
  let dst = positions.get(to);
  if (!dst) {
    dst = { self: src.self, keys: new Map() };
    positions.set(to, dst);
  }
  for (const [k, p] of src.keys) dst.keys.set(k, p);
}

export function isYamlMap(v: unknown): v is YamlMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface YamlDoc {
  value: YamlValue;
  /** 1-based line/column where the document starts. */
  pos: Pos;
  error?: { message: string; pos: Pos; more?: { message: string; pos: Pos }[] };
}

/**
 * The YAML parser's message as a sentence of its own: its trailing "at line 2, column 6:" is
 * dropped (the position is reported separately) and the sentence ends with a full stop.
 */
export function yamlSentence(message: string): string {
  let m = message.split('\n')[0]!.trim();
  m = m.replace(/\s*at line \d+, column \d+:?$/, '').replace(/[:.]$/, '');
  return `YAML syntax error: ${m.charAt(0).toLowerCase()}${m.slice(1)}.`;
}

function canonicalNumber(n: number, source: string): boolean {
  return String(n) === source;
}

export { MAX_RULE_FILE_BYTES } from './rule-files.js';
import { MAX_RULE_FILE_BYTES } from './rule-files.js';

/**
 * Nodes an alias may expand to in one document, counted over all its aliases: a few hundred
 * bytes of nested anchors ("billion laughs") otherwise expand to 10^9 values.
 */
export const MAX_ALIAS_NODES = 10_000;

/** Aliases (`*name`) a rule file may hold; each costs the YAML library a walk of the document. */
export const MAX_ALIASES = 100;

/**
 * `*name` where YAML can start an alias (line start, after blanks, `[`, `{` or `,`). Counts a
 * few look-alikes inside quoted strings too, which only errs towards refusing absurd files.
 */
export function countAliases(text: string): number {
  return text.match(/(?:^|[\s[{,])\*[^\s,[\]{}]/gm)?.length ?? 0;
}

class Converter {
  /** Nodes converted through aliases so far (see MAX_ALIAS_NODES). */
  private aliasNodes = 0;
  private inAlias = 0;
  constructor(
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}

  pos(offset: number | undefined): Pos {
    const p = this.lc.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  }

  convert(node: unknown, depth = 0): YamlValue {
    if (depth > 64) throw new Error('YAML nesting too deep');
    if (node === null || node === undefined) return null;
    if (this.inAlias > 0 && ++this.aliasNodes > MAX_ALIAS_NODES)
      throw new YamlKeyError(`YAML aliases expand to more than ${MAX_ALIAS_NODES} values (alias bomb); rule not loaded`, this.pos((node as YamlNode).range?.[0]));
    const { isAlias, isScalar, isMap, isPair, isSeq } = yaml();
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) throw new Error(`unresolved YAML alias '*${node.source}'`);
      this.inAlias++;
      try {
        return this.convert(target, depth + 1);
      } finally {
        this.inAlias--;
      }
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'number') {
        const src = typeof node.source === 'string' ? node.source : String(v);
        return canonicalNumber(v, src) ? v : src;
      }
      if (typeof v === 'bigint') return String(v);
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
      if (v instanceof Date) return v.toISOString();
      return String(v);
    }
    if (isMap(node)) {
      const out: YamlMap = {};
      const keys = new Map<string, Pos>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = item.key;
        const keyValue = isScalar(k) ? k.value : this.convert(k, depth + 1);
        const key = keyValue === null ? '' : String(keyValue);
        if (Object.hasOwn(out, key)) throw new YamlKeyError(`duplicate key '${key}'`, this.pos((k as YamlNode | null)?.range?.[0]));
        keys.set(key, this.pos((k as YamlNode | null)?.range?.[0]));
        out[key] = this.convert(item.value, depth + 1);
      }
      setPos(out, this.pos(node.range?.[0]), keys);
      return out;
    }
    if (isSeq(node)) {
      const out: YamlValue[] = [];
      for (const item of node.items) out.push(this.convert(item, depth + 1));
      setPos(out, this.pos(node.range?.[0]));
      return out;
    }
    return null;
  }
}

class YamlKeyError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}

/** Stream-level tokens of a well-formed file; anything else there is a syntax error. */
const STREAM_TOKENS = new Set(['document', 'doc-end', 'directive', 'byte-order-mark', 'space', 'comment', 'newline']);
const MAX_STREAM_ERRORS = 100;

/**
 * The parser's tokens, ending after MAX_STREAM_ERRORS tokens that are errors at stream level:
 * only the first error is reported, and a file of nothing but errors (400 KB of `s\r: `) kept
 * the parser busy for seconds making hundreds of thousands of them.
 */
function* untilJunk(tokens: Iterable<Token>): Generator<Token> {
  let bad = 0;
  for (const t of tokens) {
    if (!STREAM_TOKENS.has(t.type) && ++bad > MAX_STREAM_ERRORS) return;
    yield t;
  }
}

/**
 * Every document of a YAML file; a document that does not parse carries `error`. Files in the
 * plain subset Sigma rules use are read by yaml-fast.ts (same result, a fraction of the cost).
 */
export function parseYamlDocuments(text: string): YamlDoc[] {
  return (text.length <= MAX_RULE_FILE_BYTES ? parseSigmaYaml(text) : undefined) ?? parseYamlWithLibrary(text);
}

/** parseYamlDocuments through the YAML library only (the reference the fast reader is tested against). */
export function parseYamlWithLibrary(text: string): YamlDoc[] {
  if (text.length > MAX_RULE_FILE_BYTES) {
    const pos = { line: 1, column: 1 };
    return [{ value: null, pos, error: { message: `rule file is larger than ${MAX_RULE_FILE_BYTES} bytes; not parsed`, pos } }];
  }
  // The library resolves each alias by walking the document so far: a file of thousands of
  // aliases costs aliases × nodes (fuzz finding: 260 KB, 23 CPU-s). Sigma rules use none.
  const aliases = countAliases(text);
  if (aliases > MAX_ALIASES) {
    const pos = { line: 1, column: 1 };
    return [{ value: null, pos, error: { message: `rule file has ${aliases} YAML aliases (more than ${MAX_ALIASES}); not parsed`, pos } }];
  }
  // a lone CR is a line break in YAML, but not to the line counter: as LF, line numbers are
  // right for old-Mac files (offsets do not move), and error messages are built without
  // rescanning one endless "line" per error (quadratic on hostile CR-only files)
  if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
  const { LineCounter: Counter, Composer, Parser } = yaml();
  const lc = new Counter();
  // prettyErrors off: the library would copy the error's line into every message; the
  // position is taken from the error's offset below. Stack traces off while parsing: the
  // library makes an Error object per syntax error, and on hostile text there is one every
  // few bytes.
  const traces = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let list: Document[];
  try {
    const composer = new Composer({ uniqueKeys: false, prettyErrors: false });
    list = [...composer.compose(untilJunk(new Parser(lc.addNewLine).parse(text)), true, text.length)];
  } catch (e) {
    // the parser recurses per nesting level: thousands of `[` overflow the stack (fuzz finding)
    const pos = { line: 1, column: 1 };
    const why = e instanceof RangeError ? 'nested too deeply for the YAML parser' : `the YAML parser failed: ${e instanceof Error ? e.message : String(e)}`;
    return [{ value: null, pos, error: { message: `rule file not parsed: ${why}`, pos } }];
  } finally {
    Error.stackTraceLimit = traces;
  }
  const out: YamlDoc[] = [];
  for (const doc of list) {
    const conv = new Converter(doc, lc);
    const start = conv.pos(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      const all = doc.errors.slice(0, 20).map((e) => {
        const at = e.pos[0];
        return { message: yamlSentence(e.message), pos: at >= 0 ? conv.pos(at) : start };
      });
      out.push({ value: null, pos: start, error: { ...all[0]!, more: all.slice(1) } });
      continue;
    }
    try {
      out.push({ value: conv.convert(doc.contents), pos: start });
    } catch (e) {
      const pos = e instanceof YamlKeyError ? e.pos : start;
      out.push({ value: null, pos, error: { message: e instanceof Error ? e.message : String(e), pos } });
    }
  }
  return out;
}
