/**
 * A rule set compiled into plain data: per rule its metadata, logsource, detection program
 * (filters folded in) and prefilter literals, plus an index of the rules by logsource.
 * It is what the on-disk cache keeps (compiled-cache.ts) and what worker threads receive:
 * building a `RuleSet` from it links closures and nothing more.
 *
 * Each rule's metadata and body are kept serialized on their own, so loading a program
 * costs next to nothing per rule: a rule is unpacked when an event of its logsource
 * first needs it (most runs need a fraction of a large rule set), its metadata when it
 * first fires.
 */
import { deserialize, serialize } from 'node:v8';
import type { RuleInfo } from '../event/detection.js';
import type { LogSource } from '../event/event.js';
import type { LogSourceTables } from '../event/logsource.js';
import type { Requirement } from '../sigma/matcher.js';
import { andOp, notOp, PROGRAM_FORMAT, type MatchOp } from '../sigma/program.js';
import type { SigmaRule } from '../sigma/rule.js';
import { filterAppliesTo, type SigmaFilter } from '../sigma/filters.js';

/** What the prefilter needs of a rule: literals it checks before the rule runs (see sigma/matcher.ts). */
export interface RuleGate {
  req: Requirement | null;
  req2: Requirement | null;
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
  /** v8-serialized RuleInfo. */
  info: Uint8Array;
  /** v8-serialized RuleGate. */
  gate: Uint8Array;
  /** v8-serialized RuleBody. */
  body: Uint8Array;
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

export function programRule(rule: SigmaRule, filters: readonly SigmaFilter[]): ProgramRule {
  const applicable = filters.filter((f) => filterAppliesTo(f, rule));
  const d = rule.detection;
  const op = applicable.length ? andOp([d.op, ...applicable.map((f) => notOp(f.detection.op))]) : d.op;
  const gate: RuleGate = { req: d.req, req2: d.req2 ?? null };
  const body: RuleBody = { op, filters: applicable.map((f) => f.title) };
  const out: ProgramRule = { id: rule.info.id, logsource: sourceOf(rule.logsource), info: serialize(rule.info), gate: serialize(gate), body: serialize(body) };
  if (d.eventIds) out.eventIds = [...d.eventIds];
  return out;
}

export function unpackInfo(r: ProgramRule): RuleInfo {
  return deserialize(r.info) as RuleInfo;
}

export function unpackGate(r: ProgramRule): RuleGate {
  const g = deserialize(r.gate) as RuleGate;
  if (typeof g !== 'object' || g === null || g.req === undefined || g.req2 === undefined) throw new Error(`rule ${r.id}: malformed compiled prefilter`);
  return g;
}

export function unpackBody(r: ProgramRule): RuleBody {
  const b = deserialize(r.body) as RuleBody;
  if (typeof b !== 'object' || b === null || typeof b.op !== 'object' || !Array.isArray(b.filters)) throw new Error(`rule ${r.id}: malformed compiled body`);
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
  const prs = rules.map((r) => programRule(r, filters));
  const program: RuleProgram = { format: PROGRAM_FORMAT, rules: prs, sources: indexSources(prs) };
  if (tables) program.tables = tables;
  return program;
}

/** Cheap structural check of data that claims to be a program (a cache entry, a message). */
export function isRuleProgram(x: unknown): x is RuleProgram {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as RuleProgram;
  if (p.format !== PROGRAM_FORMAT || !Array.isArray(p.rules) || !Array.isArray(p.sources)) return false;
  for (const r of p.rules) {
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || !(r.info instanceof Uint8Array) || !(r.gate instanceof Uint8Array) || !(r.body instanceof Uint8Array))
      return false;
    if (typeof r.logsource !== 'object' || r.logsource === null || (r.eventIds !== undefined && !Array.isArray(r.eventIds))) return false;
  }
  for (const g of p.sources) if (!Array.isArray(g.rules) || g.rules.some((i) => !Number.isInteger(i) || i < 0 || i >= p.rules.length)) return false;
  return true;
}
