/**
 * Choosing rules by level, status, tags and ids (`--min-level`, `--status`, `--tags`,
 * `--ids`): a predicate over rule metadata, for detection and correlation rules alike.
 */
import { LEVELS, type Level, type RuleInfo } from '../event/detection.js';

export interface RuleSelection {
  minLevel?: Level;
  status?: string[];
  /** Globs over tags, e.g. `attack.t1505*` (case-insensitive). */
  tags?: string[];
  ids?: string[];
}

/** A case-insensitive regex for a tag glob (`*`, `?`). */
export function globToRegex(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
}

/** A predicate over rule metadata for the given criteria (detection and correlation rules alike). */
export function selectionFilter(sel: RuleSelection): (info: RuleInfo) => boolean {
  const minIdx = sel.minLevel ? LEVELS.indexOf(sel.minLevel) : 0;
  const statuses = sel.status?.length ? new Set(sel.status.map((s) => s.toLowerCase())) : undefined;
  const tagRes = sel.tags?.length ? sel.tags.map(globToRegex) : undefined;
  const ids = sel.ids?.length ? new Set(sel.ids.map((s) => s.toLowerCase())) : undefined;
  return (info) => {
    if (LEVELS.indexOf(info.level) < minIdx) return false;
    if (statuses && !statuses.has(info.status.toLowerCase())) return false;
    if (tagRes && !info.tags.some((t) => tagRes.some((re) => re.test(t)))) return false;
    if (ids && !ids.has(info.id.toLowerCase()) && !(info.name && ids.has(info.name.toLowerCase()))) return false;
    return true;
  };
}
