/**
 * A compiled, indexed set of Sigma rules. `match(event)` is synchronous and cheap:
 *
 * 1. the event's logsource is classified once per (channel, EventID, ...) combination,
 *    and the rules of that logsource are kept in a bucket built on first use;
 * 2. in a bucket, every rule with a required literal (see sigma/matcher.ts; up to two
 *    independent requirements per rule) is gated by one Aho–Corasick pass or hash
 *    lookup per field; only rules whose requirements hold (and rules without one) run
 *    their compiled matcher;
 * 3. field values are stringified and lower-cased at most once per event (FieldView).
 */
import type { Event, LogSource } from '../event/event.js';
import { FieldView, type FieldAliases } from '../event/fields.js';
import { LogSourceResolver, loadLogSourceMap, logSourceMatches, type LogSourceTables, type ResolvedLogSource } from '../event/logsource.js';
import type { RuleInfo } from '../event/detection.js';
import type { SigmaRule } from '../sigma/rule.js';
import type { SigmaFilter } from '../sigma/filters.js';
import type { Matcher, Requirement } from '../sigma/matcher.js';
import { link } from '../sigma/link.js';
import type { MatchOp } from '../sigma/program.js';
import { compileProgram, type FlatReq, requirementOf, unpackBody, unpackGate, unpackInfo, type ProgramRule, type RuleBody, type RuleGate, type RuleProgram } from './compiled.js';
import { LiteralScanner, scalarsCanHold } from './prefilter.js';
import { MEMO_MAX_CHARS, MEMO_SIZE, MemoBudget, ValueMemo } from '../event/value-memo.js';
import { rememberingTest } from './rule-memo.js';
import { matchedFields } from '../sigma/explain.js';

/** A rule of a rule set: unpacked and linked into a closure the first time it is needed. */
export class CompiledRule {
  private linked: Matcher | null = null;
  private remembering: Matcher | null = null;
  private unpacked: RuleBody | null = null;
  private gated: RuleGate | null = null;
  private meta: RuleInfo | null = null;
  readonly eventIds: ReadonlySet<string> | undefined;
  readonly source: ProgramRule;
  constructor(
    private readonly program: RuleProgram,
    private readonly index: number,
    private readonly memoBudget: MemoBudget,
  ) {
    this.source = program.rules[index]!;
    this.eventIds = this.source.eventIds ? new Set(this.source.eventIds) : undefined;
  }
  get id(): string {
    return this.source.id;
  }
  get info(): RuleInfo {
    if (this.meta === null) this.meta = unpackInfo(this.program, this.index);
    return this.meta;
  }
  get logsource(): LogSource {
    return this.source.logsource;
  }
  private get body(): RuleBody {
    if (this.unpacked === null) this.unpacked = unpackBody(this.program, this.index);
    return this.unpacked;
  }
  /** Rule AND NOT each applicable filter, as data. */
  get op(): MatchOp {
    return this.body.op;
  }
  /** Rule AND NOT each applicable filter. */
  get test(): Matcher {
    if (this.linked === null) this.linked = link(this.body.op);
    return this.linked;
  }
  /** `test`, remembering its answers per text when it reads one field only (rule-memo.ts). */
  get rememberingTest(): Matcher {
    if (this.remembering === null) this.remembering = rememberingTest(this.body.op, this.test, this.memoBudget);
    return this.remembering;
  }
  /** The prefilter's requirements as stored (flat; see compiled.ts). */
  get gate(): RuleGate {
    if (this.gated === null) this.gated = unpackGate(this.program, this.index);
    return this.gated;
  }
  get req(): Requirement | null {
    return requirementOf(this.gate.req);
  }
  /** A second requirement; a rule runs only when both hold. */
  get req2(): Requirement | null {
    return requirementOf(this.gate.req2);
  }
  /** Filters that apply to this rule (titles, for explanations). */
  get filters(): string[] {
    return this.body.filters;
  }
}

export interface RuleSetOptions extends RuleSetTuning {
  filters?: SigmaFilter[];
  logsourceMap?: LogSourceTables;
  /** A YAML logsource map (see loadLogSourceMap); read when `logsourceMap` is not given. Throws WardenError when unreadable. */
  logsourceMapFile?: string;
}

/** Knobs of the index that change its speed, never its results (tests set them to reach every path). */
export interface RuleSetTuning {
  /** Literal tests a group makes before its scanner is built (default SCANNER_AFTER). */
  scannerAfter?: number;
}

/** Below this many literals a plain `includes` loop beats building an automaton. */
const SMALL_GROUP = 3;

export { MAX_SCAN_LITERAL, scanWindow } from './compiled.js';
export { scalarsCanHold } from './prefilter.js';

const MAX_BUCKETS = 20_000;

/** Bytes the value memos of a rule set's field groups, and of its rules, may hold (event/value-memo.ts). */
const GROUP_MEMO_BYTES = 32 * 1024 * 1024;
const RULE_MEMO_BYTES = 16 * 1024 * 1024;

/**
 * A group's literals are tested one by one until this many tests have been made, then its
 * automaton is built: building costs about as much as that many tests, and a short run
 * (a small file, a rare logsource) never pays for it.
 */
const SCANNER_AFTER = 100_000;

/**
 * A keyword group tests each literal against every value of the event (some 20 to 40 in a
 * Windows event): its scanner pays for itself that many times sooner.
 */
const KEYWORD_VALUES = 32;

/** What a match returns when no rule matched (most events): nothing is allocated. */
const NO_RULES: readonly CompiledRule[] = Object.freeze([]);

interface FieldGroup {
  /** Rule field name; '' = every value of the event (keyword searches). */
  field: string;
  aliases: FieldAliases | null;
  lits: string[];
  /** Bucket-local rule indexes per literal. */
  litRules: number[][];
  scanner: LiteralScanner | null;
  /** The group is big enough for a scanner, which is built once it has paid for itself. */
  wantsScanner: boolean;
  /** Literal tests left before the scanner is built. */
  budget: number;
  /** Length of the shortest literal: shorter values cannot contain any. */
  minLen: number;
  /** Whole-value literals -> bucket-local rule indexes. */
  exact: Map<string, number[]> | null;
  /**
   * Length of the longest whole-value literal: a longer value cannot equal one once
   * lower-cased (lower-casing never shortens a string), so it is not lower-cased at all.
   */
  exactMaxLen: number;
  /** Some literal could occur in the text of a number, boolean or undefined (keyword groups scan those values only then). */
  scalarText: boolean;
  /** Marks the rules of a literal as candidates for the current event. */
  hit: (literal: number) => void;
  /** No alias renames the field and Object.prototype has no member of its name: `fields[field]` is the event's own value or undefined. */
  plain: boolean;
  /** Slots marked per text value seen before (null for keyword groups, which scan every value). */
  memo: ValueMemo<Int32Array> | null;
}

interface Bucket {
  rules: CompiledRule[];
  /** The rules' linked tests (same order). */
  tests: Matcher[];
  aliases: (FieldAliases | null)[];
  /** Per rule: how many requirements gate it (0, 1 or 2). */
  gated: Uint8Array;
  groups: FieldGroup[];
  /** Per requirement slot: the event generation in which it last held. */
  stamp: Uint32Array;
  /** Rules without a requirement (always evaluated), ascending. */
  ungated: Int32Array;
  /** Rules whose requirements all hold for the current event, in the order found. */
  cand: Int32Array;
  candN: number;
  /** Marks requirement slot `slot` as holding for the current event. */
  mark: (slot: number) => void;
}

/** Sorts the first n entries ascending (candidate lists are short: insertion sort). */
function sortPrefix(a: Int32Array, n: number): void {
  if (n > 64) {
    a.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/**
 * A keyword group's scan of every value of the event, straight from the fields: no list of
 * the values is built, and numbers and booleans are skipped when no literal could occur in
 * their text (the same literals reported as scanning FieldView.allStrs would report).
 */
function scanEventValues(view: FieldView, scanner: LiteralScanner, g: FieldGroup): void {
  const fields = view.fields;
  const minLen = g.minLen;
  const hit = g.hit;
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'string') {
      if (v.length >= minLen) scanner.scan(v, hit);
    } else if (v === null) {
      // no text
    } else if (typeof v === 'object') {
      for (const s of view.strsOfKey(k)) if (s.length >= minLen) scanner.scan(s, hit);
    } else if (g.scalarText) {
      scanner.scan(String(v), hit);
    }
  }
}

export class RuleSet {
  readonly rules: readonly CompiledRule[];
  /** The plain-data form this set was built from (what caches and worker threads get). */
  readonly program: RuleProgram;
  private readonly resolver: LogSourceResolver;
  private readonly buckets = new Map<string, Bucket>();
  private byId: Map<string, CompiledRule> | undefined;
  private readonly scanners = new Map<string, LiteralScanner>();
  private readonly view = new FieldView();
  /** What the field groups' memos of the current buckets may hold together. */
  private groupMemos = new MemoBudget(GROUP_MEMO_BYTES);
  private gen = 0;
  private readonly scannerAfter: number;

  constructor(program: RuleProgram, tuning: RuleSetTuning = {}) {
    this.program = program;
    this.scannerAfter = tuning.scannerAfter ?? SCANNER_AFTER;
    const ruleMemos = new MemoBudget(RULE_MEMO_BYTES);
    this.rules = program.rules.map((_r, i) => new CompiledRule(program, i, ruleMemos));
    this.resolver = new LogSourceResolver(program.tables);
  }

  resolveLogSource(event: Event): ResolvedLogSource {
    return this.resolver.resolve(event);
  }

  /**
   * The event's fields that made this rule match it (for showing a detection), or undefined
   * when no rule of that id is loaded or it does not match the event.
   */
  explain(ruleId: string, event: Event): string[] | undefined {
    // built on first use: only reports and the API's detail view explain
    if (!this.byId) {
      this.byId = new Map();
      for (const r of this.rules) if (!this.byId.has(r.id)) this.byId.set(r.id, r);
    }
    const rule = this.byId.get(ruleId);
    if (!rule) return undefined;
    const ls = this.resolver.resolve(event);
    const view = new FieldView().reset(event.fields);
    const cat = rule.logsource.category;
    view.aliases = cat !== undefined ? (ls.aliases.get(cat) ?? null) : null;
    return matchedFields(rule.op, view);
  }

  /** Rules that match the event, in rule-set order. */
  match(event: Event): readonly CompiledRule[] {
    const ls = this.resolver.resolve(event);
    let bucket = this.buckets.get(ls.key);
    if (bucket === undefined) {
      bucket = this.buildBucket(ls);
      // Logsource combinations are few in practice; bound them anyway (hostile input).
      if (this.buckets.size >= MAX_BUCKETS) {
        this.buckets.clear();
        this.groupMemos = new MemoBudget(GROUP_MEMO_BYTES);
      }
      this.buckets.set(ls.key, bucket);
    }
    if (bucket.rules.length === 0) return NO_RULES;
    const view = this.view.reset(event.fields);
    let gen = ++this.gen;
    if (gen >= 0xffffffff) {
      // Generation counter wraps after 4 billion events: forget every old stamp.
      for (const b of this.buckets.values()) b.stamp.fill(0);
      this.gen = gen = 1;
    }
    const stamp = bucket.stamp;
    const mark = bucket.mark;
    bucket.candN = 0;
    const fields = event.fields;
    for (const g of bucket.groups) {
      view.aliases = g.aliases;
      let key: string | undefined;
      let scalar: string | number | boolean | undefined;
      if (g.field !== '') {
        // A field read by its own name is the event's own unless Object.prototype has that
        // name too: no separate test that the event has it (FieldView.key's first step).
        let v = g.plain ? fields[g.field] : undefined;
        if (v !== undefined) key = g.field;
        else {
          key = view.key(g.field);
          if (key === undefined) continue;
          v = fields[key];
        }
        if (v === null || v === undefined) continue;
        if (typeof v === 'string' && g.memo !== null) {
          // A text seen before marks what it marked then (event/value-memo.ts).
          const memo = g.memo;
          let slots = memo.get(v);
          if (slots === undefined && memo.wants(v)) {
            slots = this.slotsOf(g, view, key, v);
            memo.set(v, slots);
          }
          if (slots !== undefined) {
            for (let s = 0; s < slots.length; s++) {
              const r = slots[s]!;
              if (stamp[r] !== gen) mark(r);
            }
            continue;
          }
        }
        if (typeof v !== 'object') scalar = v;
      }
      if (g.exact !== null) {
        if (scalar !== undefined) {
          // A value longer than every whole-value literal is not even lower-cased.
          const rs = typeof scalar === 'string' && scalar.length > g.exactMaxLen ? undefined : g.exact.get(view.scalarLower(key!, scalar));
          if (rs !== undefined) for (const r of rs) if (stamp[r] !== gen) mark(r);
        } else {
          for (const v of key === undefined ? view.allLowers() : view.lowersOfKey(key)) {
            const rs = g.exact.get(v);
            if (rs !== undefined) for (const r of rs) if (stamp[r] !== gen) mark(r);
          }
        }
      }
      if (g.lits.length === 0) continue;
      if (g.scanner === null && g.wantsScanner && (g.budget -= g.lits.length) < 0) g.scanner = this.scannerFor(g.lits);
      if (g.scanner === null) {
        const litRules = g.litRules;
        if (scalar !== undefined) {
          const low = view.scalarLower(key!, scalar);
          for (let p = 0; p < g.lits.length; p++) if (low.includes(g.lits[p]!)) for (const r of litRules[p]!) if (stamp[r] !== gen) mark(r);
          continue;
        }
        const lows = key === undefined ? view.allLowers() : view.lowersOfKey(key);
        for (let p = 0; p < g.lits.length; p++) {
          const lit = g.lits[p]!;
          for (const v of lows) {
            if (v.includes(lit)) {
              for (const r of litRules[p]!) if (stamp[r] !== gen) mark(r);
              break;
            }
          }
        }
      } else if (typeof scalar === 'string') {
        // The scanner is case-insensitive: no need to lower-case the value.
        if (scalar.length >= g.minLen) g.scanner.scan(scalar, g.hit);
      } else if (scalar !== undefined) {
        g.scanner.scan(String(scalar), g.hit);
      } else if (key !== undefined) {
        const minLen = g.minLen;
        for (const v of view.strsOfKey(key)) if (v.length >= minLen) g.scanner.scan(v, g.hit);
      } else {
        scanEventValues(view, g.scanner, g);
      }
    }
    // Only rules whose requirements hold (and ungated ones) run, in rule-set order.
    const rules = bucket.rules;
    const tests = bucket.tests;
    const cand = bucket.cand;
    const candN = bucket.candN;
    sortPrefix(cand, candN);
    const ungated = bucket.ungated;
    let out: CompiledRule[] | undefined;
    let ci = 0;
    let ui = 0;
    while (ci < candN || ui < ungated.length) {
      let i: number;
      if (ui >= ungated.length || (ci < candN && cand[ci]! < ungated[ui]!)) i = cand[ci++]!;
      else i = ungated[ui++]!;
      view.aliases = bucket.aliases[i]!;
      if (tests[i]!(view)) (out ??= []).push(rules[i]!);
    }
    return out ?? NO_RULES;
  }

  /**
   * The requirement slots group `g` marks for the text `v` of the event's field `key`: what
   * the scalar path of `match` marks, collected instead (for the group's memo).
   */
  private slotsOf(g: FieldGroup, view: FieldView, key: string, v: string): Int32Array {
    const out = new Set<number>();
    if (g.exact !== null && v.length <= g.exactMaxLen) {
      const rs = g.exact.get(view.scalarLower(key, v));
      if (rs !== undefined) for (const r of rs) out.add(r);
    }
    if (g.lits.length > 0) {
      if (g.scanner === null && g.wantsScanner && (g.budget -= g.lits.length) < 0) g.scanner = this.scannerFor(g.lits);
      const litRules = g.litRules;
      if (g.scanner !== null) {
        if (v.length >= g.minLen)
          g.scanner.scan(v, (p) => {
            for (const r of litRules[p]!) out.add(r);
          });
      } else {
        const low = view.scalarLower(key, v);
        for (let p = 0; p < g.lits.length; p++) if (low.includes(g.lits[p]!)) for (const r of litRules[p]!) out.add(r);
      }
    }
    return Int32Array.from(out);
  }

  private buildBucket(ls: ResolvedLogSource): Bucket {
    const rules: CompiledRule[] = [];
    const aliases: (FieldAliases | null)[] = [];
    // The logsource index: each logsource rules name is checked once, not once per rule.
    const members: number[] = [];
    for (const g of this.program.sources) if (logSourceMatches(g.logsource, ls)) for (const i of g.rules) members.push(i);
    members.sort((a, b) => a - b);
    for (const i of members) {
      const r = this.rules[i]!;
      const ids = r.eventIds;
      if (ids !== undefined && ls.eventId !== undefined && !ids.has(ls.eventId)) continue;
      rules.push(r);
      const cat = r.logsource.category;
      aliases.push(cat !== undefined ? (ls.aliases.get(cat) ?? null) : null);
    }
    const gated = new Uint8Array(rules.length);
    const groupMap = new Map<string, FieldGroup & { litIndex: Map<string, number> }>();
    const aliasIds = new Map<FieldAliases, number>();
    // Stamp slots: 2*i for a rule's first requirement, 2*i+1 for its second.
    const addReq = (i: number, slot: number, req: FlatReq): void => {
      const a = aliases[i]!;
      let aid = 0;
      if (a) {
        aid = aliasIds.get(a) ?? aliasIds.size + 1;
        aliasIds.set(a, aid);
      }
      for (let j = 0; j + 2 < req.length; j += 3) {
        const field = String(req[j]);
        const altLit = String(req[j + 1]);
        const how = req[j + 2];
        // A rule field that an alias renames is scanned under the rule's aliases.
        const aliased = a !== null && a[field] !== undefined;
        const gk = `${aliased ? aid : 0}\u0000${field}`;
        let g = groupMap.get(gk);
        if (!g) {
          g = {
            field,
            aliases: aliased ? a : null,
            lits: [],
            litRules: [],
            scanner: null,
            wantsScanner: false,
            budget: 0,
            minLen: 0,
            exact: null,
            exactMaxLen: 0,
            scalarText: false,
            hit: () => {},
            plain: false,
            memo: null,
            litIndex: new Map(),
          };
          groupMap.set(gk, g);
        }
        if (how === 0) {
          g.exact ??= new Map();
          const list = g.exact.get(altLit) ?? [];
          if (list[list.length - 1] !== slot) list.push(slot);
          g.exact.set(altLit, list);
          continue;
        }
        const lit = how === 1 ? altLit : String(how);
        let p = g.litIndex.get(lit);
        if (p === undefined) {
          p = g.lits.length;
          g.lits.push(lit);
          g.litRules.push([]);
          g.litIndex.set(lit, p);
        }
        const lr = g.litRules[p]!;
        if (lr[lr.length - 1] !== slot) lr.push(slot);
      }
    };
    rules.forEach((r, i) => {
      const { req, req2 } = r.gate;
      if (!req) return;
      gated[i] = 1;
      addReq(i, 2 * i, req);
      if (req2) {
        gated[i] = 2;
        addReq(i, 2 * i + 1, req2);
      }
    });
    const stamp = new Uint32Array(rules.length * 2);
    const ungatedList: number[] = [];
    for (let i = 0; i < rules.length; i++) if (gated[i] === 0) ungatedList.push(i);
    // Most rules of a bucket never get past the prefilter: each is linked on its first run.
    const tests: Matcher[] = rules.map((r, i) => (view) => {
      const t = r.rememberingTest;
      tests[i] = t;
      return t(view);
    });
    const bucket: Bucket = {
      rules,
      tests,
      aliases,
      gated,
      groups: [],
      stamp,
      ungated: Int32Array.from(ungatedList),
      cand: new Int32Array(rules.length),
      candN: 0,
      mark: (slot) => {
        // Each slot is marked once per event (callers check the stamp first); a rule
        // becomes a candidate when its last requirement is marked.
        const gen = this.gen;
        stamp[slot] = gen;
        const i = slot >> 1;
        if (gated[i] === 2 && stamp[slot ^ 1] !== gen) return;
        bucket.cand[bucket.candN++] = i;
      },
    };
    const groups = bucket.groups;
    for (const g of groupMap.values()) {
      // Buckets of related events (Sysmon 1, Security 4688) share identical literal lists.
      const wantsScanner = g.lits.length > SMALL_GROUP;
      if (wantsScanner) g.scanner = this.scanners.get(g.lits.join('\u0000')) ?? null;
      const litRules = g.litRules;
      const mark = bucket.mark;
      const hit = (p: number): void => {
        const gen = this.gen;
        for (const r of litRules[p]!) if (stamp[r] !== gen) mark(r);
      };
      let minLen = Infinity;
      for (const l of g.lits) minLen = Math.min(minLen, l.length);
      let exactMaxLen = 0;
      if (g.exact !== null) for (const l of g.exact.keys()) exactMaxLen = Math.max(exactMaxLen, l.length);
      groups.push({
        field: g.field,
        aliases: g.aliases,
        lits: g.lits,
        litRules,
        scanner: g.scanner,
        wantsScanner,
        budget: g.field === '' ? this.scannerAfter / KEYWORD_VALUES : this.scannerAfter,
        minLen,
        exact: g.exact,
        exactMaxLen,
        scalarText: scalarsCanHold(g.lits),
        hit,
        plain: g.aliases === null && g.field !== '' && !(g.field in Object.prototype),
        memo: g.field === '' ? null : new ValueMemo<Int32Array>(MEMO_SIZE, MEMO_MAX_CHARS, this.groupMemos),
      });
    }
    return bucket;
  }

  private scannerFor(lits: string[]): LiteralScanner {
    const sk = lits.join('\u0000');
    let sc = this.scanners.get(sk);
    if (sc === undefined) {
      sc = new LiteralScanner(lits);
      this.scanners.set(sk, sc);
    }
    return sc;
  }

  /** Index statistics (benchmarks, `warden rules` output). */
  stats(): { buckets: number; gatedRules: number; ungatedRules: number; scanners: number; scannerBytes: number } {
    let gatedRules = 0;
    let ungatedRules = 0;
    for (const r of this.rules) r.gate.req ? gatedRules++ : ungatedRules++;
    let scannerBytes = 0;
    for (const s of this.scanners.values()) scannerBytes += s.bytes;
    return { buckets: this.buckets.size, gatedRules, ungatedRules, scanners: this.scanners.size, scannerBytes };
  }
}

export function compileRuleSet(rules: readonly SigmaRule[], opts: RuleSetOptions = {}): RuleSet {
  const tables = opts.logsourceMap ?? (opts.logsourceMapFile ? loadLogSourceMap(opts.logsourceMapFile) : undefined);
  return new RuleSet(compileProgram(rules, opts.filters ?? [], tables), opts);
}

export { resolveLogSource } from '../event/logsource.js';
