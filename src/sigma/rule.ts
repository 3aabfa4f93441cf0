/**
 * A Sigma detection rule (spec "Sigma Rules Specification" v2.1): its attributes,
 * logsource and compiled detection. A rule either loads completely or not at all.
 */
import { LEVELS, STATUSES, type Level, type RuleInfo } from '../event/detection.js';
import type { LogSource } from '../event/event.js';
import { compileDetection, type CompiledDetection } from './detection.js';
import type { CompileOptions } from './modifiers.js';
import { RuleErrors, SigmaRuleError } from './errors.js';
import { isYamlMap, keyPos, type Pos, type YamlMap, type YamlValue } from './yaml.js';

export { STATUSES };
export const RELATION_TYPES = ['derived', 'obsolete', 'merged', 'renamed', 'similar'] as const;

/** The logsource as written (lower-cased product/category/service; other keys kept). */
export interface SigmaLogSource extends LogSource {
  definition?: string;
}

export interface RelatedRule {
  id: string;
  type: string;
}

export interface SigmaRule {
  info: RuleInfo;
  logsource: SigmaLogSource;
  detection: CompiledDetection;
  file: string;
  line: number;
  column: number;
  related: RelatedRule[];
  license?: string;
  date?: string;
  modified?: string;
  fields: string[];
  scope: string[];
  taxonomy?: string;
  /** The whole document (after collection merging), for tools that need custom attributes. */
  doc: YamlMap;
}

function err(msg: string, file: string, pos: Pos | undefined): SigmaRuleError {
  return new SigmaRuleError(msg, { file, line: pos?.line, column: pos?.column });
}

function optString(doc: YamlMap, key: string, file: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw err(`'${key}' must be a string`, file, keyPos(doc, key));
}

function stringList(doc: YamlMap, key: string, file: string): string[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  const list: YamlValue[] = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of list) {
    if (x === null) continue;
    if (typeof x === 'object') throw err(`'${key}' must be a list of strings`, file, keyPos(doc, key));
    out.push(String(x));
  }
  return out;
}

/** Parses a rule's logsource map (shared with filters). */
export function parseLogSource(doc: YamlMap, file: string, docPos: Pos): SigmaLogSource {
  const ls = doc['logsource'];
  if (ls === undefined || ls === null) throw err(`missing 'logsource'`, file, docPos);
  if (!isYamlMap(ls)) throw err(`'logsource' must be a map`, file, keyPos(doc, 'logsource'));
  const out: SigmaLogSource = {};
  for (const k of ['product', 'category', 'service'] as const) {
    const v = ls[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw err(`logsource '${k}' must be a string`, file, keyPos(ls, k));
    out[k] = v.toLowerCase();
  }
  if (typeof ls['definition'] === 'string') out.definition = ls['definition'];
  return out;
}

export function parseRule(doc: YamlMap, file: string, docPos: Pos, opts: CompileOptions): SigmaRule {
  // Each attribute is checked on its own so a broken rule reports all its errors at once.
  const errors = new RuleErrors();
  const titleRaw = doc['title'];
  const title = typeof titleRaw === 'string' ? titleRaw.trim() : '';
  if (title === '') errors.errors.push(err(`missing or empty 'title'`, file, keyPos(doc, 'title') ?? docPos));
  const id = errors.attempt(() => optString(doc, 'id', file));
  const name = errors.attempt(() => optString(doc, 'name', file));

  let level: Level = 'medium';
  errors.attempt(() => {
    const levelRaw = optString(doc, 'level', file);
    if (levelRaw === undefined) return;
    const l = levelRaw.toLowerCase() as Level;
    if (!LEVELS.includes(l)) throw err(`invalid level '${levelRaw}' (expected one of ${LEVELS.join(', ')})`, file, keyPos(doc, 'level'));
    level = l;
  });
  const statusRaw = errors.attempt(() => {
    const raw = optString(doc, 'status', file);
    if (raw !== undefined && !(STATUSES as readonly string[]).includes(raw))
      throw err(`invalid status '${raw}' (expected one of ${STATUSES.join(', ')})`, file, keyPos(doc, 'status'));
    return raw;
  });
  const related: RelatedRule[] = [];
  errors.attempt(() => {
    const rel = doc['related'];
    if (rel === undefined || rel === null) return;
    if (!Array.isArray(rel)) throw err(`'related' must be a list of {id, type}`, file, keyPos(doc, 'related'));
    for (const r of rel) {
      if (!isYamlMap(r) || typeof r['id'] !== 'string' || typeof r['type'] !== 'string') throw err(`'related' entries need an 'id' and a 'type'`, file, keyPos(doc, 'related'));
      if (!(RELATION_TYPES as readonly string[]).includes(r['type'])) throw err(`invalid related type '${r['type']}'`, file, keyPos(doc, 'related'));
      related.push({ id: r['id'], type: r['type'] });
    }
  });
  errors.attempt(() => {
    const taxonomyRaw = optString(doc, 'taxonomy', file);
    // The spec lets a tool handle other taxonomies or refuse them; Warden speaks only Sigma's.
    if (taxonomyRaw !== undefined && taxonomyRaw.toLowerCase() !== 'sigma') {
      throw err(`taxonomy '${taxonomyRaw}' is not supported (Warden matches the default 'sigma' taxonomy)`, file, keyPos(doc, 'taxonomy'));
    }
  });
  const logsource = errors.attempt(() => parseLogSource(doc, file, docPos));
  const detection = errors.attempt(() => {
    if (doc['detection'] === undefined || doc['detection'] === null) throw err(`missing 'detection'`, file, docPos);
    return compileDetection(doc['detection'], opts, file, keyPos(doc, 'detection') ?? docPos);
  });
  const author = errors.attempt(() => optString(doc, 'author', file));
  const tags = errors.attempt(() => stringList(doc, 'tags', file)) ?? [];
  const references = errors.attempt(() => stringList(doc, 'references', file)) ?? [];
  errors.throwIfAny();
  if (!logsource || !detection) throw err('internal: rule parts missing without an error', file, docPos);

  const info: RuleInfo = {
    id: id ?? '',
    title,
    level,
    status: statusRaw ?? '',
    author: author ?? '',
    tags,
    references,
    file,
  };
  if (name !== undefined) info.name = name;
  const description = optString(doc, 'description', file);
  if (description !== undefined) info.description = description;
  const fp = stringList(doc, 'falsepositives', file);
  if (fp.length) info.falsepositives = fp;

  const rule: SigmaRule = {
    info,
    logsource,
    detection,
    file,
    line: docPos.line,
    column: docPos.column,
    related,
    fields: stringList(doc, 'fields', file),
    scope: stringList(doc, 'scope', file),
    doc,
  };
  const license = optString(doc, 'license', file);
  if (license !== undefined) rule.license = license;
  const date = optString(doc, 'date', file);
  if (date !== undefined) rule.date = date;
  const modified = optString(doc, 'modified', file);
  if (modified !== undefined) rule.modified = modified;
  const taxonomy = optString(doc, 'taxonomy', file);
  if (taxonomy !== undefined) rule.taxonomy = taxonomy;
  return rule;
}
