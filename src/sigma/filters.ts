/**
 * Sigma filters (spec "Sigma Filters Specification" v2.1): a `filter:` document names
 * rules (by id or name, or `any`) and a selection + condition; every named rule whose
 * logsource matches the filter's stops matching events the filter matches
 * (rule AND NOT filter), as pySigma does.
 */
import { compileDetection, type CompiledDetection } from './detection.js';
import type { CompileOptions } from './modifiers.js';
import { parseLogSource, type SigmaLogSource } from './rule.js';
import { SigmaRuleError } from './errors.js';
import { copyKeyPos, isYamlMap, keyPos, posOf, setPos, type Pos, type YamlMap } from './yaml.js';

export interface SigmaFilter {
  title: string;
  id?: string;
  logsource: SigmaLogSource;
  /** Rule ids or names the filter applies to; 'any' for every rule of its logsource. */
  rules: 'any' | string[];
  detection: CompiledDetection;
  file: string;
  line: number;
}

export function parseFilter(doc: YamlMap, file: string, docPos: Pos, opts: CompileOptions): SigmaFilter {
  const fail = (msg: string, pos?: Pos): SigmaRuleError => new SigmaRuleError(msg, { file, line: (pos ?? docPos).line, column: (pos ?? docPos).column });
  const title = doc['title'];
  if (typeof title !== 'string' || !title.trim()) throw fail(`filter: missing or empty 'title'`, keyPos(doc, 'title'));
  const f = doc['filter'];
  if (!isYamlMap(f)) throw fail(`'filter' must be a map with rules, selections and a condition`, keyPos(doc, 'filter'));
  const logsource = parseLogSource(doc, file, docPos);
  const rulesRaw = f['rules'];
  let rules: 'any' | string[];
  if (typeof rulesRaw === 'string' && rulesRaw.toLowerCase() === 'any') rules = 'any';
  else if (typeof rulesRaw === 'string') rules = [rulesRaw];
  else if (Array.isArray(rulesRaw) && rulesRaw.length > 0 && rulesRaw.every((r) => typeof r === 'string')) rules = rulesRaw as string[];
  else throw fail(`filter 'rules' must be a list of rule ids or names, or 'any'`, keyPos(f, 'rules') ?? keyPos(doc, 'filter'));
  const det: YamlMap = {};
  for (const [k, v] of Object.entries(f)) if (k !== 'rules') det[k] = v;
  setPos(det, posOf(f) ?? docPos);
  copyKeyPos(f, det);
  const detection = compileDetection(det, opts, file, keyPos(doc, 'filter') ?? docPos, 'filter');
  const out: SigmaFilter = { title: title.trim(), logsource, rules, detection, file, line: docPos.line };
  if (typeof doc['id'] === 'string') out.id = doc['id'];
  return out;
}

export { filterAppliesTo } from './filter-scope.js';

/** Filters from files or folders (loaded by the collection loader; other documents are ignored). */
export { loadFilters } from './collection.js';
