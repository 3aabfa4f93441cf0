/**
 * A rule set compiled into plain data: per rule its metadata, logsource, detection program
 * (filters folded in) and prefilter literals, plus an index of the rules by logsource.
 * It is what the on-disk cache keeps (compiled-cache.ts) and what worker threads receive:
 * building a `RuleSet` from it links closures and nothing more.
 *
 * Each rule's metadata, prefilter and body are kept serialized on their own (slices of one
 * buffer, so a program is a handful of objects to copy or read), so loading a program
 * costs next to nothing per rule: a rule is unpacked when an event of its logsource
 * first needs it (most runs need a fraction of a large rule set), its metadata when it
 * first fires.
 */
import { deserialize, serialize } from 'node:v8';
import type { RuleInfo } from '../event/detection.js';
import type { LogSource } from '../event/event.js';
import type { LogSourceTables } from '../event/logsource.js';
import { isCommonLiteral, type Requirement } from '../sigma/matcher.js';
import { andOp, notOp, PROGRAM_FORMAT, type MatchOp } from '../sigma/program.js';
import type { SigmaRule } from '../sigma/rule.js';
import { filterAppliesTo } from '../sigma/filter-scope.js';
import type { SigmaFilter } from '../sigma/filters.js';

/**
 * A requirement as stored, flat (a warm start unpacks the gates of every rule of a bucket,
 * so they are small and ready to index): per alternative its field, its literal, then 0
 * for a whole-value literal, 1 for a literal scanned for as it is, or the window of it
 * that is scanned for (see scanWindow).
 */
export type FlatReq = (string | number)[];

/** What the prefilter needs of a rule: literals it checks before the rule runs (see sigma/matcher.ts). */
export interface RuleGate {
  req: FlatReq | null;
  req2: FlatReq | null;
}

/**
 * Scanned literals are cut to their last characters: any part of a required literal is
 * required too, and short literals keep the automaton small (file names and extensions,
 * the selective part of most literals, sit at the end).
 */
export const MAX_SCAN_LITERAL = 12;

/** The part of a literal to scan for: the last window that is not common text. */
export function scanWindow(lit: string): string {
  if (lit.length <= MAX_SCAN_LITERAL) return lit;
  for (let end = lit.length; end >= MAX_SCAN_LITERAL; end--) {
    const w = lit.slice(end - MAX_SCAN_LITERAL, end);
    if (!isCommonLiteral(w)) return w;
  }
  return lit.slice(-MAX_SCAN_LITERAL);
}

function flatReq(r: Requirement | null | undefined): FlatReq | null {
  if (!r) return null;
  const out: FlatReq = [];
  for (const a of r.alts) {
    if (a.exact) out.push(a.field, a.lit, 0);
    else {
      const w = scanWindow(a.lit);
      out.push(a.field, a.lit, w === a.lit ? 1 : w);
    }
  }
  return out;
}

/** The requirement a flat one stands for. */
export function requirementOf(f: FlatReq | null): Requirement | null {
  if (f === null) return null;
  const alts: Requirement['alts'] = [];
  for (let j = 0; j + 2 < f.length; j += 3)
    alts.push(f[j + 2] === 0 ? { field: String(f[j]), lit: String(f[j + 1]), exact: true } : { field: String(f[j]), lit: String(f[j + 1]) });
  return { alts };
}

/** What evaluating a rule needs. */
export interface RuleBody {
  /** The rule AND NOT each filter that applies to it. */
  op: MatchOp;
  /** Titles of the filters that apply (for explanations). */
  filters: string[];
}

/** A rule as stored: what the index needs in the clear, the rest serialized. */
export interface ProgramRule {
  id: string;
  /** product / category / service as the rule names them (lower-case). */
  logsource: LogSource;
  /** EventIDs (as text) one of which every matching event has. */
  eventIds?: string[];
}

/** Rules that name the same logsource, in rule-set order. */
export interface SourceGroup {
  logsource: LogSource;
  rules: number[];
}

export interface RuleProgram {
  format: number;
  rules: ProgramRule[];
  sources: SourceGroup[];
  /** Rule i's v8-serialized RuleInfo, RuleGate and RuleBody: blob[offsets[3i]..offsets[3i+1]), then the next two. */
  blob: Uint8Array;
  offsets: Uint32Array;
  /** The logsource tables when a map file was given; absent: the built-in tables. */
  tables?: LogSourceTables;
}

function sourceOf(ls: LogSource): LogSource {
  const out: LogSource = {};
  if (ls.product !== undefined) out.product = ls.product;
  if (ls.category !== undefined) out.category = ls.category;
  if (ls.service !== undefined) out.service = ls.service;
  return out;
}

interface PackedRule {
  head: ProgramRule;
  parts: [Uint8Array, Uint8Array, Uint8Array];
}

function packRule(rule: SigmaRule, filters: readonly SigmaFilter[]): PackedRule {
  const applicable = filters.filter((f) => filterAppliesTo(f, rule));
  const d = rule.detection;
  const op = applicable.length ? andOp([d.op, ...applicable.map((f) => notOp(f.detection.op))]) : d.op;
  const gate: RuleGate = { req: flatReq(d.req), req2: flatReq(d.req2) };
  const body: RuleBody = { op, filters: applicable.map((f) => f.title) };
  const head: ProgramRule = { id: rule.info.id, logsource: sourceOf(rule.logsource) };
  if (d.eventIds) head.eventIds = [...d.eventIds];
  return { head, parts: [packPart(rule.info), packPart(gate), packPart(body, true)] };
}

/** First byte of a part written as JSON (v8's serialization starts with 0xFF, its version tag). */
const JSON_PART = 0x4a; // 'J'
/** A JSON `null` token (not text inside a string, save by rare coincidence). */
const NULL_TOKEN = /[:,[]null[,\]}]/;

/**
 * One part of a rule. JSON where it is faithful: one v8 (de)serialization per part costs
 * tens of microseconds of set-up, which over thousands of rules was most of compiling the
 * program and of unpacking a bucket's prefilter on a warm start; JSON costs a few. Rule
 * metadata and prefilter requirements are only strings, booleans and nulls. A body may
 * hold numbers (comparisons), and JSON turns an infinite one into null: a body whose JSON
 * has a null token is kept in v8's form, which keeps every value (a false alarm only costs
 * speed).
 */
function packPart(value: unknown, mayHoldNumbers = false): Uint8Array {
  const json = JSON.stringify(value);
  if (mayHoldNumbers && NULL_TOKEN.test(json)) return serialize(value);
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(json));
  out[0] = JSON_PART;
  out.write(json, 1);
  return out;
}

function unpackPart(bytes: Uint8Array): unknown {
  if (bytes[0] !== JSON_PART) return deserialize(bytes);
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return JSON.parse(b.toString('utf8', 1));
}

function part(p: RuleProgram, i: number, k: number): Uint8Array {
  const at = 3 * i + k;
  const o = p.offsets;
  if (at + 1 >= o.length || o[at]! > o[at + 1]! || o[at + 1]! > p.blob.length) throw new Error(`rule ${i}: malformed compiled program`);
  return p.blob.subarray(o[at], o[at + 1]);
}

export function unpackInfo(p: RuleProgram, i: number): RuleInfo {
  return unpackPart(part(p, i, 0)) as RuleInfo;
}

export function unpackGate(p: RuleProgram, i: number): RuleGate {
  const g = unpackPart(part(p, i, 1)) as RuleGate;
  const flat = (f: unknown): boolean => f === null || (Array.isArray(f) && f.length % 3 === 0);
  if (typeof g !== 'object' || g === null || !flat(g.req) || !flat(g.req2)) throw new Error(`rule ${p.rules[i]?.id}: malformed compiled prefilter`);
  return g;
}

export function unpackBody(p: RuleProgram, i: number): RuleBody {
  const b = unpackPart(part(p, i, 2)) as RuleBody;
  if (typeof b !== 'object' || b === null || typeof b.op !== 'object' || !Array.isArray(b.filters)) throw new Error(`rule ${p.rules[i]?.id}: malformed compiled body`);
  return b;
}

export function indexSources(rules: readonly ProgramRule[]): SourceGroup[] {
  const groups = new Map<string, SourceGroup>();
  rules.forEach((r, i) => {
    const ls = r.logsource;
    const key = `${ls.product ?? ''}\u0000${ls.category ?? ''}\u0000${ls.service ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { logsource: ls, rules: [] }));
    g.rules.push(i);
  });
  return [...groups.values()];
}

export function compileProgram(rules: readonly SigmaRule[], filters: readonly SigmaFilter[] = [], tables?: LogSourceTables): RuleProgram {
  const packed = rules.map((r) => packRule(r, filters));
  const prs = packed.map((r) => r.head);
  const offsets = new Uint32Array(3 * packed.length + 1);
  let at = 0;
  packed.forEach((r, i) => {
    for (let k = 0; k < 3; k++) {
      offsets[3 * i + k] = at;
      at += r.parts[k]!.length;
    }
  });
  offsets[3 * packed.length] = at;
  const blob = Buffer.concat(packed.flatMap((r) => r.parts));
  const program: RuleProgram = { format: PROGRAM_FORMAT, rules: prs, sources: indexSources(prs), blob, offsets };
  if (tables) program.tables = tables;
  return program;
}

/** Cheap structural check of data that claims to be a program (a cache entry, a message). */
export function isRuleProgram(x: unknown): x is RuleProgram {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as RuleProgram;
  if (p.format !== PROGRAM_FORMAT || !Array.isArray(p.rules) || !Array.isArray(p.sources)) return false;
  if (!(p.blob instanceof Uint8Array) || !(p.offsets instanceof Uint32Array) || p.offsets.length !== 3 * p.rules.length + 1) return false;
  if (p.offsets[p.offsets.length - 1] !== p.blob.length) return false;
  for (const r of p.rules) {
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string') return false;
    if (typeof r.logsource !== 'object' || r.logsource === null || (r.eventIds !== undefined && !Array.isArray(r.eventIds))) return false;
  }
  for (const g of p.sources) if (!Array.isArray(g.rules) || g.rules.some((i) => !Number.isInteger(i) || i < 0 || i >= p.rules.length)) return false;
  return true;
}
