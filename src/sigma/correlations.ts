/**
 * Sigma correlation rules (specification v2.1 plus the pySigma extensions value_median and
 * the extended temporal condition): the model, `parseCorrelation` for one YAML document and
 * `resolveCorrelations` which binds `rules:` references to detection rules or to other
 * correlations (chains), rejecting unknown references, ambiguous names and cycles.
 * Evaluation lives in src/engine/correlate.ts.
 */
import { createHash } from 'node:crypto';
import { WardenError, type ProblemSink } from '../errors.js';
import { LEVELS, type Level, type RuleInfo } from '../event/detection.js';
import { parseTimespan } from './correlation-timespan.js';
import { CONDITION_OPS, contradiction, exprRefs, parseRuleExpr, type Bound, type ConditionOp, type RuleExpr } from './correlation-condition.js';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile' | 'value_median';

export const CORRELATION_TYPES: readonly CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
];

const VALUE_TYPES: ReadonlySet<CorrelationType> = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile', 'value_median']);
const TEMPORAL_TYPES: ReadonlySet<CorrelationType> = new Set(['temporal', 'temporal_ordered']);

export function isTemporal(t: CorrelationType): boolean {
  return TEMPORAL_TYPES.has(t);
}

export type CorrelationCondition = { kind: 'threshold'; bounds: Bound[] } | { kind: 'expression'; text: string; expr: RuleExpr };

export interface CorrelationRule {
  info: RuleInfo;
  type: CorrelationType;
  /** References as written (ids or names), in order; the order matters for temporal_ordered. */
  rules: string[];
  /** Empty: the whole stream is one group. */
  groupBy: string[];
  timespan: string;
  timespanMs: number;
  condition: CorrelationCondition;
  /** value_* types: the field(s) aggregated (value_count: several = distinct combinations). */
  field?: string[];
  /** value_percentile: which percentile (0-100); 50 when absent. value_median: 50. */
  percentile?: number;
  /** alias -> (rule reference as written -> field name in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  /** Whether the referenced rules still emit their own detections (spec default: false). */
  generate: boolean;
  /** False when the rule had no `level:`; resolution then uses the highest referenced level. */
  levelSet: boolean;
  file: string;
  line?: number;
}

export interface Where {
  file: string;
  line?: number;
}

type Doc = Record<string, unknown>;

function isMap(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: Where, reason: string): never {
  throw new WardenError('rule', `correlation: ${reason}`, { file: where.file, line: where.line });
}

function stringList(v: unknown, what: string, where: Where, allowSingle = false): string[] {
  if (allowSingle && typeof v === 'string') return [v];
  if (!Array.isArray(v)) fail(where, `${what} must be a list of strings`);
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== 'string' || x.trim() === '') fail(where, `${what} must be a list of non-empty strings, found ${JSON.stringify(x)}`);
    out.push(x);
  }
  return out;
}

function optionalString(doc: Doc, key: string, where: Where): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || v instanceof Date) return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  fail(where, `${key} must be a string`);
}

function parseInfo(doc: Doc, where: Where): { info: RuleInfo; levelSet: boolean } {
  const title = doc.title;
  if (typeof title !== 'string' || title.trim() === '') fail(where, 'title is mandatory and must be a string');
  const name = optionalString(doc, 'name', where);
  const level = doc.level;
  let lvl: Level = 'medium';
  const levelSet = level !== undefined && level !== null;
  if (levelSet) {
    if (typeof level !== 'string' || !LEVELS.includes(level as Level)) fail(where, `level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    lvl = level as Level;
  }
  const idRaw = optionalString(doc, 'id', where);
  // A rule without id still needs a stable one: derive it from where it was defined.
  const id =
    idRaw ??
    `correlation-${createHash('sha256')
      .update(`${where.file}:${where.line ?? 0}:${title}`)
      .digest('hex')
      .slice(0, 16)}`;
  const refs = doc.references ?? doc.reference;
  const fp = doc.falsepositives;
  const info: RuleInfo = {
    id,
    title,
    level: lvl,
    status: optionalString(doc, 'status', where) ?? '',
    author: optionalString(doc, 'author', where) ?? '',
    tags: doc.tags === undefined || doc.tags === null ? [] : stringList(doc.tags, 'tags', where),
    references: refs === undefined || refs === null ? [] : stringList(refs, 'references', where, true),
    file: where.file,
  };
  if (name !== undefined) info.name = name;
  const description = optionalString(doc, 'description', where);
  if (description !== undefined) info.description = description;
  if (fp !== undefined && fp !== null) info.falsepositives = stringList(fp, 'falsepositives', where, true);
  return { info, levelSet };
}

function parseThreshold(cond: Doc, type: CorrelationType, where: Where): { bounds: Bound[]; field?: string[]; percentile?: number } {
  const bounds: Bound[] = [];
  let field: string[] | undefined;
  let percentile: number | undefined;
  for (const [k, v] of Object.entries(cond)) {
    if ((CONDITION_OPS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `condition ${k} needs a number, got ${JSON.stringify(v)}`);
      bounds.push({ op: k as ConditionOp, value: v });
    } else if (k === 'field') {
      if (!VALUE_TYPES.has(type)) fail(where, `condition field is only valid for value_* correlation types, not ${type}`);
      field = stringList(v, 'condition field', where, true);
      if (field.length === 0) fail(where, 'condition field must name at least one field');
      if (field.length > 1 && type !== 'value_count') fail(where, `${type} aggregates one numeric field; condition field lists ${field.length}`);
    } else if (k === 'percentile') {
      if (type !== 'value_percentile') fail(where, `condition percentile is only valid for value_percentile, not ${type}`);
      if (typeof v !== 'number' || !(v >= 0 && v <= 100)) fail(where, `condition percentile must be a number from 0 to 100, got ${JSON.stringify(v)}`);
      percentile = v;
    } else {
      fail(where, `unknown condition operator '${k}' (expected ${CONDITION_OPS.join(', ')}${VALUE_TYPES.has(type) ? ', field' : ''})`);
    }
  }
  if (bounds.length === 0) fail(where, `condition needs at least one of ${CONDITION_OPS.join(', ')}`);
  const bad = contradiction(bounds);
  if (bad) fail(where, bad);
  return { bounds, field, percentile };
}

/**
 * Parses one YAML document that has a `correlation:` key. Throws WardenError('rule', reason,
 * {file, line}) for anything the specification (or pySigma's accepted extensions) rules out.
 */
export function parseCorrelation(doc: unknown, where: Where): CorrelationRule {
  if (!isMap(doc)) fail(where, 'document must be a mapping');
  const { info, levelSet } = parseInfo(doc, where);
  const c = doc.correlation;
  if (!isMap(c)) fail(where, 'correlation must be a mapping with type, rules, group-by, timespan and condition');
  const known = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate']);
  for (const k of Object.keys(c)) if (!known.has(k)) fail(where, `unknown correlation attribute '${k}'`);

  const typeRaw = c.type;
  if (typeRaw === undefined || typeRaw === null) fail(where, `type is mandatory (one of ${CORRELATION_TYPES.join(', ')})`);
  if (typeof typeRaw !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(typeRaw)) {
    fail(where, `unknown correlation type ${JSON.stringify(typeRaw)} (expected one of ${CORRELATION_TYPES.join(', ')})`);
  }
  const type = typeRaw as CorrelationType;

  const ts = parseTimespan(c.timespan);
  if (c.timespan === undefined || c.timespan === null) fail(where, 'timespan is mandatory (e.g. "5m")');
  if ('error' in ts) fail(where, ts.error);

  let groupBy: string[] = [];
  if (c['group-by'] !== undefined && c['group-by'] !== null) {
    groupBy = stringList(c['group-by'], 'group-by', where);
    if (new Set(groupBy).size !== groupBy.length) fail(where, 'group-by lists a field twice');
  }

  let rules: string[] | undefined;
  if (c.rules !== undefined && c.rules !== null) {
    rules = stringList(c.rules, 'rules', where);
    if (rules.length === 0) fail(where, 'rules must reference at least one rule');
    if (new Set(rules).size !== rules.length) fail(where, 'rules lists a rule twice');
  }

  let condition: CorrelationCondition;
  let field: string[] | undefined;
  let percentile: number | undefined;
  const cond = c.condition;
  if (cond === undefined || cond === null) {
    if (!isTemporal(type)) fail(where, `condition is mandatory for ${type}`);
    if (!rules) fail(where, 'rules is mandatory');
    // Spec: for temporal types the default is "all referenced rules matched".
    condition = { kind: 'threshold', bounds: [{ op: 'gte', value: rules.length }] };
  } else if (typeof cond === 'string') {
    if (!isTemporal(type)) fail(where, `a condition expression over rule names is only valid for temporal and temporal_ordered, not ${type}`);
    let expr: RuleExpr;
    try {
      expr = parseRuleExpr(cond);
    } catch (e) {
      fail(where, `condition: ${(e as Error).message}`);
    }
    const named = exprRefs(expr);
    if (!rules) rules = named;
    const missing = rules.filter((r) => !named.includes(r));
    if (missing.length) fail(where, `rules not used in the condition expression: ${missing.join(', ')}`);
    const unknown = named.filter((r) => !rules!.includes(r));
    if (unknown.length) fail(where, `condition expression names rules that are not in rules: ${unknown.join(', ')}`);
    // Ordered expressions are checked against every subset of rules at run time.
    if (type === 'temporal_ordered' && rules.length > 12) fail(where, 'temporal_ordered with a condition expression supports at most 12 rules');
    condition = { kind: 'expression', text: cond, expr };
  } else if (isMap(cond)) {
    const t = parseThreshold(cond, type, where);
    condition = { kind: 'threshold', bounds: t.bounds };
    field = t.field;
    percentile = t.percentile;
  } else {
    fail(where, 'condition must be a mapping (e.g. gte: 10) or, for temporal types, a rule expression');
  }
  if (!rules) fail(where, 'rules is mandatory');
  // Rule sets are bit masks at run time.
  if (isTemporal(type) && rules.length > 30) fail(where, `${type} supports at most 30 rules, got ${rules.length}`);
  if (VALUE_TYPES.has(type) && !field) fail(where, `${type} needs condition.field naming the field to aggregate`);
  if (type === 'value_median') percentile = 50;
  if (type === 'value_percentile' && percentile === undefined) percentile = 50;

  const aliases: Record<string, Record<string, string>> = {};
  if (c.aliases !== undefined && c.aliases !== null) {
    if (!isMap(c.aliases)) fail(where, 'aliases must be a mapping: alias -> (rule name -> field)');
    for (const [alias, mapping] of Object.entries(c.aliases)) {
      if (!isMap(mapping)) fail(where, `alias '${alias}' must map rule names to field names`);
      const m: Record<string, string> = {};
      for (const [ref, f] of Object.entries(mapping)) {
        if (typeof f !== 'string' || f === '') fail(where, `alias '${alias}': field for rule '${ref}' must be a string`);
        m[ref] = f;
      }
      aliases[alias] = m;
    }
  }

  // The spec's JSON schema has `generate` at the top level of the document; pySigma and
  // many published rules put it inside `correlation:`. Both are accepted; they must agree.
  let generate = false;
  const placements = [c.generate, doc.generate].filter((g) => g !== undefined && g !== null);
  for (const g of placements) {
    if (typeof g !== 'boolean') fail(where, `generate must be true or false, got ${JSON.stringify(g)}`);
  }
  if (placements.length === 2 && placements[0] !== placements[1]) fail(where, 'generate is set twice (top level and inside correlation) with different values');
  if (placements.length) generate = placements[0] as boolean;

  const rule: CorrelationRule = {
    info,
    type,
    rules,
    groupBy,
    timespan: String(c.timespan),
    timespanMs: ts.ms,
    condition,
    aliases,
    generate,
    levelSet,
    file: where.file,
  };
  if (where.line !== undefined) rule.line = where.line;
  if (field) rule.field = field;
  if (percentile !== undefined) rule.percentile = percentile;
  return rule;
}

/** Parses every `{file, line, doc}` the collection loader found; bad ones become problems. */
export function parseCorrelations(docs: readonly { file: string; line?: number; doc: unknown }[], problems: ProblemSink): CorrelationRule[] {
  const out: CorrelationRule[] = [];
  for (const d of docs) {
    try {
      out.push(parseCorrelation(d.doc, { file: d.file, line: d.line }));
    } catch (e) {
      if (e instanceof WardenError) problems.report(e.toProblem(d.file));
      else problems.report({ kind: 'internal', file: d.file, line: d.line, message: `correlation: ${String(e)}` });
    }
  }
  return out;
}

/** One entry of `rules:` bound to what it names. */
export interface ResolvedRef {
  /** As written in the rule. */
  ref: string;
  kind: 'rule' | 'correlation';
  /** RuleInfo.id of the detection rule or correlation. */
  id: string;
  /** Field to read for each group-by name (aliases applied). */
  groupFields: string[];
  /** value_* types: field(s) to read (aliases applied). */
  valueFields: string[];
}

export interface ResolvedCorrelation {
  rule: CorrelationRule;
  /** Same order as rule.rules. */
  refs: ResolvedRef[];
}

/**
 * Binds references by id, then by name, to detection rules or correlations. Correlations with
 * unknown or ambiguous references, alias entries for rules they do not reference, or that take
 * part in (or depend on) a cycle are reported and left out. The result is in dependency order:
 * every correlation comes after the correlations it references.
 */
export function resolveCorrelations(correlations: readonly CorrelationRule[], detectionRules: readonly RuleInfo[], problems: ProblemSink): ResolvedCorrelation[] {
  type Target = { kind: 'rule'; info: RuleInfo } | { kind: 'correlation'; corr: CorrelationRule };
  const byId = new Map<string, Target[]>();
  const byName = new Map<string, Target[]>();
  const add = (m: Map<string, Target[]>, k: string, t: Target): void => {
    const l = m.get(k);
    if (l) l.push(t);
    else m.set(k, [t]);
  };
  for (const info of detectionRules) {
    add(byId, info.id, { kind: 'rule', info });
    if (info.name) add(byName, info.name, { kind: 'rule', info });
  }
  const report = (c: CorrelationRule, message: string): void => {
    problems.report({ kind: 'rule', file: c.file, line: c.line, message: `correlation '${c.info.title}': ${message}` });
  };
  const usable: CorrelationRule[] = [];
  const seenIds = new Set(detectionRules.map((r) => r.id));
  for (const c of correlations) {
    if (seenIds.has(c.info.id)) {
      report(c, `id ${c.info.id} is already used by another rule; correlation skipped`);
      continue;
    }
    seenIds.add(c.info.id);
    usable.push(c);
    add(byId, c.info.id, { kind: 'correlation', corr: c });
    if (c.info.name) add(byName, c.info.name, { kind: 'correlation', corr: c });
  }

  const lookup = (ref: string): Target | string => {
    const hit = byId.get(ref) ?? byName.get(ref);
    if (!hit || hit.length === 0) return `references unknown rule '${ref}' (no rule or correlation has this id or name)`;
    if (hit.length > 1) return `reference '${ref}' is ambiguous: ${hit.length} rules have this name`;
    return hit[0]!;
  };

  const resolved = new Map<CorrelationRule, { refs: ResolvedRef[]; deps: CorrelationRule[]; targets: Target[] }>();
  for (const c of usable) {
    const refs: ResolvedRef[] = [];
    const deps: CorrelationRule[] = [];
    const targets: Target[] = [];
    let ok = true;
    for (const ref of c.rules) {
      const t = lookup(ref);
      if (typeof t === 'string') {
        report(c, t);
        ok = false;
        continue;
      }
      if (t.kind === 'correlation' && t.corr === c) {
        report(c, `references itself ('${ref}')`);
        ok = false;
        continue;
      }
      const id = t.kind === 'rule' ? t.info.id : t.corr.info.id;
      if (refs.some((r) => r.id === id)) {
        report(c, `references rule ${id} twice`);
        ok = false;
        continue;
      }
      refs.push({ ref, kind: t.kind, id, groupFields: [], valueFields: [] });
      targets.push(t);
      if (t.kind === 'correlation') deps.push(t.corr);
    }
    // Alias keys may use the id or the name of a referenced rule.
    for (const [alias, mapping] of Object.entries(c.aliases)) {
      for (const key of Object.keys(mapping)) {
        const t = lookup(key);
        const id = typeof t === 'string' ? undefined : t.kind === 'rule' ? t.info.id : t.corr.info.id;
        if (id === undefined || !refs.some((r) => r.id === id)) {
          report(c, `alias '${alias}' maps rule '${key}', which this correlation does not reference`);
          ok = false;
        }
      }
    }
    if (!ok) continue;
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i]!;
      const fieldFor = (name: string): string => {
        const mapping = c.aliases[name];
        if (!mapping) return name;
        for (const [key, f] of Object.entries(mapping)) {
          const t = lookup(key);
          if (typeof t !== 'string' && (t.kind === 'rule' ? t.info.id : t.corr.info.id) === r.id) return f;
        }
        // An alias that does not list this rule falls back to a field of the alias's own name.
        return name;
      };
      r.groupFields = c.groupBy.map(fieldFor);
      r.valueFields = (c.field ?? []).map(fieldFor);
    }
    resolved.set(c, { refs, deps, targets });
  }

  // Depth-first topological sort; a cycle (or a dependency on a dropped rule) drops the rule.
  const state = new Map<CorrelationRule, 'visiting' | 'done' | 'bad'>();
  const order: ResolvedCorrelation[] = [];
  const visit = (c: CorrelationRule, path: CorrelationRule[]): boolean => {
    const s = state.get(c);
    if (s === 'done') return true;
    if (s === 'bad') return false;
    const r = resolved.get(c);
    if (!r) {
      state.set(c, 'bad');
      return false;
    }
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(c)), c].map((x) => x.info.name ?? x.info.id).join(' -> ');
      report(c, `correlation chain has a cycle: ${cycle}`);
      state.set(c, 'bad');
      return false;
    }
    state.set(c, 'visiting');
    let ok = true;
    for (const d of r.deps) {
      if (!visit(d, [...path, c])) {
        if (state.get(c) !== 'bad') report(c, `depends on correlation '${d.info.title}', which cannot be used`);
        ok = false;
      }
    }
    if (!ok) {
      state.set(c, 'bad');
      return false;
    }
    state.set(c, 'done');
    if (!c.levelSet) {
      // No level of its own: as severe as the most severe rule it correlates.
      let best = -1;
      for (const t of r.targets) best = Math.max(best, LEVELS.indexOf(t.kind === 'rule' ? t.info.level : t.corr.info.level));
      if (best >= 0) c.info.level = LEVELS[best]!;
    }
    order.push({ rule: c, refs: r.refs });
    return true;
  };
  for (const c of usable) visit(c, []);
  return order;
}
