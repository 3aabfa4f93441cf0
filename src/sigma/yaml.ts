/**
 * YAML documents as plain values, with the line:column of every map key and node kept
 * aside so errors in a rule can name the exact place. Numbers written in a form other
 * than plain decimal (0x17, 017, 1.0) stay strings: logs carry them as text, and a rule
 * saying `TicketEncryption: 0x17` means the text "0x17", not 23.
 */
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';

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
  error?: { message: string; pos: Pos };
}

function canonicalNumber(n: number, source: string): boolean {
  return String(n) === source;
}

class Converter {
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
    const { isAlias, isScalar, isMap, isPair, isSeq } = yaml();
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) throw new Error(`unresolved YAML alias '*${node.source}'`);
      return this.convert(target, depth + 1);
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

/** Every document of a YAML file; a document that does not parse carries `error`. */
export function parseYamlDocuments(text: string): YamlDoc[] {
  const { LineCounter: Counter, parseAllDocuments } = yaml();
  const lc = new Counter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  const out: YamlDoc[] = [];
  for (const doc of list) {
    const conv = new Converter(doc, lc);
    const start = conv.pos(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const lp = e.linePos?.[0];
      out.push({ value: null, pos: start, error: { message: `YAML syntax error: ${e.message.split('\n')[0]}`, pos: lp ? { line: lp.line, column: lp.col } : start } });
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
