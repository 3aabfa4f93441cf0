/**
 * Loading Sigma content from files and folders: multi-document YAML, `action:
 * global / reset / repeat` collections, and sorting each document into detection rules,
 * correlation rules (kept raw for the correlation engine) and filters. A document that
 * breaks the spec is reported as a Problem with file:line:column and skipped; loading
 * goes on.
 */
import { readFileSync, statSync } from 'node:fs';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { RuleInfo } from '../event/detection.js';
import { parseRule, type SigmaRule } from './rule.js';
import { parseFilter, type SigmaFilter } from './filters.js';
import { SigmaRuleError } from './errors.js';
import type { Placeholders } from './placeholders.js';
import { copyKeyPos, isYamlMap, MAX_RULE_FILE_BYTES, parseYamlDocuments, setPos, posOf, type Pos, type YamlDoc, type YamlMap } from './yaml.js';
import { YamlCache } from './yaml-cache.js';

export interface CorrelationDoc {
  file: string;
  line: number;
  doc: YamlMap;
}

export interface LoadFailure {
  file: string;
  line?: number;
  column?: number;
  error: string;
}

export interface RuleCollection {
  rules: SigmaRule[];
  correlationDocs: CorrelationDoc[];
  filters: SigmaFilter[];
  /** Documents (rules or filters) that could not be loaded. */
  failed: number;
  failures: LoadFailure[];
}

export interface LoadOptions {
  placeholders?: Placeholders;
  /**
   * Keep parsed rule files in the on-disk cache (see yaml-cache.ts). Default: only for
   * loads of many files, where parsing dominates; a few files parse faster than the
   * cache opens.
   */
  cache?: boolean;
  /**
   * The text of a rule file the caller has already read (and checked against the size limit),
   * or undefined to read it from disk: lets a caller load exactly the text it has hashed.
   */
  readText?: (file: string) => string | undefined;
}

export { listRuleFiles } from './rule-files.js';
import { listRuleFiles } from './rule-files.js';

function deepMerge(base: YamlMap, over: YamlMap): YamlMap {
  const out: YamlMap = {};
  setPos(out, posOf(over) ?? posOf(base) ?? { line: 1, column: 1 });
  copyKeyPos(base, out);
  for (const [k, v] of Object.entries(base)) out[k] = v;
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isYamlMap(b) && isYamlMap(v) ? deepMerge(b, v) : v;
  }
  copyKeyPos(over, out);
  return out;
}

function withoutAction(doc: YamlMap): YamlMap {
  const out: YamlMap = {};
  for (const [k, v] of Object.entries(doc)) if (k !== 'action') out[k] = v;
  setPos(out, posOf(doc) ?? { line: 1, column: 1 });
  copyKeyPos(doc, out);
  return out;
}

export function emptyCollection(): RuleCollection {
  return { rules: [], correlationDocs: [], filters: [], failed: 0, failures: [] };
}

/** Loads one file's documents into the collection. */
export function loadRuleText(
  text: string,
  file: string,
  opts: LoadOptions,
  problems: ProblemSink,
  into: RuleCollection,
  parse: (text: string) => YamlDoc[] = parseYamlDocuments,
): void {
  const fail = (message: string, pos: Pos | undefined): void => {
    into.failed++;
    into.failures.push({ file, line: pos?.line, column: pos?.column, error: message });
    problems.report({ kind: 'rule', file, line: pos?.line, column: pos?.column, message });
  };
  let global: YamlMap | null = null;
  let prev: YamlMap | null = null;
  for (const d of parse(text)) {
    if (d.error) {
      fail(d.error.message, d.error.pos);
      for (const m of d.error.more ?? []) {
        into.failures.push({ file, line: m.pos.line, column: m.pos.column, error: m.message });
        problems.report({ kind: 'rule', file, line: m.pos.line, column: m.pos.column, message: m.message });
      }
      continue;
    }
    if (d.value === null) continue;
    if (!isYamlMap(d.value)) {
      fail('a Sigma document must be a YAML map', d.pos);
      continue;
    }
    const action = d.value['action'];
    let doc: YamlMap;
    if (action === 'global') {
      global = withoutAction(d.value);
      continue;
    } else if (action === 'reset') {
      global = null;
      continue;
    } else if (action === 'repeat') {
      if (!prev) {
        fail(`'action: repeat' without a previous document`, d.pos);
        continue;
      }
      doc = deepMerge(prev, withoutAction(d.value));
    } else if (action !== undefined) {
      fail(`unknown collection action '${String(action)}' (expected global, reset or repeat)`, d.pos);
      continue;
    } else {
      doc = global ? deepMerge(global, d.value) : d.value;
    }
    prev = doc;
    try {
      if ('correlation' in doc) into.correlationDocs.push({ file, line: d.pos.line, doc });
      else if ('filter' in doc) into.filters.push(parseFilter(doc, file, d.pos, opts));
      else into.rules.push(parseRule(doc, file, d.pos, opts));
    } catch (e) {
      if (e instanceof SigmaRuleError) {
        fail(e.message, e.line !== undefined ? { line: e.line, column: e.column ?? 1 } : d.pos);
        // The document failed once; its further errors are listed, not counted again.
        for (const m of e.more) {
          const pos = m.line !== undefined ? { line: m.line, column: m.column ?? 1 } : d.pos;
          into.failures.push({ file, line: pos?.line, column: pos?.column, error: m.message });
          problems.report({ kind: 'rule', file, line: pos?.line, column: pos?.column, message: m.message });
        }
      } else fail(`internal error while loading: ${errorMessage(e)}`, d.pos);
    }
  }
}

/** Loads of at least this many files use the parsed-rule cache by default. */
const CACHE_MIN_FILES = 32;

export function loadRuleCollection(paths: string[], opts: LoadOptions, problems: ProblemSink): RuleCollection {
  const col = emptyCollection();
  const files = listRuleFiles(paths, (file, message) => {
    col.failed++;
    col.failures.push({ file, error: message });
    problems.report({ kind: 'rule', file, message });
  });
  const useCache = opts.cache ?? files.length >= CACHE_MIN_FILES;
  const cache = useCache ? YamlCache.open() : undefined;
  const parse = cache ? (t: string) => cache.parse(t) : parseYamlDocuments;
  for (const file of files) {
    let text = opts.readText?.(file);
    try {
      if (text === undefined) {
        const size = statSync(file).size;
        if (size > MAX_RULE_FILE_BYTES) throw new Error(`the file is larger than ${MAX_RULE_FILE_BYTES} bytes (${size})`);
        text = readFileSync(file, 'utf8');
      }
    } catch (e) {
      col.failed++;
      col.failures.push({ file, error: `cannot read: ${errorMessage(e)}` });
      problems.report({ kind: 'rule', file, message: `cannot read: ${errorMessage(e)}` });
      continue;
    }
    loadRuleText(text, file, opts, problems, col, parse);
  }
  cache?.save();
  return col;
}

/** Filters from files or folders; other documents in them are ignored. */
export function loadFilters(paths: string[], problems: ProblemSink, opts: LoadOptions = {}): SigmaFilter[] {
  return loadRuleCollection(paths, opts, problems).filters;
}

export { selectionFilter, type RuleSelection } from './selection.js';
import { globToRegex, selectionFilter, type RuleSelection } from './selection.js';

/**
 * Selection values that select nothing among these rules and correlations: each one is a
 * sentence for a warning (a typo in --ids or --tags must not look like a quiet log).
 */
export function unusedSelection(sel: RuleSelection, infos: readonly RuleInfo[]): string[] {
  const out: string[] = [];
  for (const id of sel.ids ?? []) {
    const k = id.toLowerCase();
    if (!infos.some((i) => i.id.toLowerCase() === k || i.name?.toLowerCase() === k)) out.push(`--ids ${id} names no loaded rule or correlation (by id or name)`);
  }
  for (const glob of sel.tags ?? []) {
    const re = globToRegex(glob);
    if (!infos.some((i) => i.tags.some((t) => re.test(t)))) out.push(`--tags ${glob} matches no tag of a loaded rule`);
  }
  for (const status of sel.status ?? []) {
    const k = status.toLowerCase();
    if (!infos.some((i) => i.status.toLowerCase() === k)) out.push(`--status ${status}: no loaded rule has this status`);
  }
  const keep = selectionFilter(sel);
  if (infos.length > 0 && !infos.some(keep)) out.push('the rule selection (--min-level, --status, --tags, --ids together) leaves no rule to run');
  return out;
}

/** The rules that pass every given criterion. */
export function selectRules(collection: RuleCollection | SigmaRule[], sel: RuleSelection): SigmaRule[] {
  const rules = Array.isArray(collection) ? collection : collection.rules;
  const keep = selectionFilter(sel);
  return rules.filter((r) => keep(r.info));
}
