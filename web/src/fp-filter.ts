/**
 * A Sigma filter suggestion for an incident closed as a false positive: one filter document
 * per logsource among its members, naming their rules and selecting the incident's host (the
 * `host` field every event carries: the lower-case short name). Strings are written as JSON,
 * which YAML reads as double-quoted scalars, so no value can change the document's structure.
 * It is a starting point for the analyst to narrow and review, not a rule to deploy blindly.
 */
import { hostKey } from './backend';
import type { DetectionRec, IncidentRec } from './model';

const q = (s: string): string => JSON.stringify(s);

export function filterSuggestion(inc: IncidentRec, details: ReadonlyMap<string, DetectionRec>, note: string): string {
  const groups = new Map<string, { logsource: Record<string, string>; rules: Set<string> }>();
  for (const m of inc.timeline ?? []) {
    if (m.kind === 'correlation') continue; // a correlation stops firing once its rules are filtered
    const ls = details.get(m.id)?.logsource ?? {};
    const logsource: Record<string, string> = {};
    for (const k of ['product', 'category', 'service'] as const) if (typeof ls[k] === 'string') logsource[k] = ls[k]!;
    const key = JSON.stringify(logsource);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { logsource, rules: new Set() }));
    g.rules.add(m.rule);
  }
  const host = hostKey(inc.host ?? inc.hostKey ?? '');
  const docs: string[] = [];
  for (const g of groups.values()) {
    const lines = [
      `title: ${q(`False positive on ${host || 'an unknown host'} (Warden incident ${inc.id})`)}`,
      `description: ${q(`Suggested by the Warden console from incident ${inc.id}, closed as a false positive.${note ? ` Analyst's note: ${note}` : ''} Narrow the selection before use.`)}`,
      'logsource:',
      ...(Object.keys(g.logsource).length ? Object.entries(g.logsource).map(([k, v]) => `    ${k}: ${q(v)}`) : []),
      'filter:',
      '    rules:',
      ...[...g.rules].sort().map((r) => `        - ${q(r)}`),
      '    selection:',
      `        host: ${q(host)}`,
      '    condition: selection',
    ];
    if (!Object.keys(g.logsource).length) lines[2] = 'logsource: {}';
    docs.push(lines.join('\n'));
  }
  return `${docs.join('\n---\n')}\n`;
}
