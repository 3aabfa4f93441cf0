/**
 * The self-contained HTML report of `warden hunt --format html`: one file with the console's
 * script and styles inline and the data as JSON in a `<script type="application/json">`
 * element. The JSON is escaped so no value can end that element (`<` is written \u003c), the
 * page's Content-Security-Policy allows only its own two inline blocks by hash (no network, no
 * eval, no other script), and the script renders every value as text.
 */
import type { Detection, Incident, IncidentMember, RuleInfo } from '../event/detection.js';
import { isoTime, memberRecord, sourceRecord, toRecord, type DetectionRecord } from '../output/record.js';
import { consoleAssets } from './assets.js';

/** A rule as the report shows it: its RuleInfo less the correlation `name`, the level as text. */
export type ReportRule = Omit<RuleInfo, 'name' | 'level'> & { level: string };

export interface ReportIncident {
  id: string;
  status: string;
  severity: string;
  maxLevel: string;
  host: string | null;
  hostKey: string;
  start: string | null;
  end: string | null;
  techniques: string[];
  users: string[];
  memberCount: number;
  evidenceCount: number;
  evidence: ReturnType<typeof sourceRecord>[];
  timeline: { id: string; timestamp: string | null; kind: string; rule: string; title: string; level: string; author: string; source: ReturnType<typeof sourceRecord> }[];
}

export interface ReportData {
  kind: 'warden-report';
  version: 1;
  generatedAt: string;
  title: string;
  detections: DetectionRecord[];
  incidents: ReportIncident[];
  rules: ReportRule[];
}

export function reportRule(r: RuleInfo): ReportRule {
  const out: ReportRule = { id: r.id, title: r.title, level: r.level, status: r.status, author: r.author, tags: r.tags, references: r.references };
  if (r.description !== undefined) out.description = r.description;
  if (r.falsepositives !== undefined) out.falsepositives = r.falsepositives;
  if (r.file !== undefined) out.file = r.file;
  return out;
}

/** The same shape the service's API gives for one incident (header + time line). */
export function reportIncident(inc: Incident, members: readonly IncidentMember[]): ReportIncident {
  return {
    id: inc.id,
    status: inc.status,
    severity: inc.severity,
    maxLevel: inc.maxLevel,
    host: inc.host ?? null,
    hostKey: inc.hostKey,
    start: isoTime(inc.start),
    end: isoTime(inc.end),
    techniques: inc.techniques,
    users: inc.users,
    memberCount: inc.memberCount,
    evidenceCount: inc.evidenceCount,
    evidence: inc.evidence.map(sourceRecord),
    timeline: members.map(memberRecord),
  };
}

export function reportData(
  detections: readonly Detection[],
  incidents: readonly { incident: Incident; members: readonly IncidentMember[] }[],
  opts: { title?: string; now?: Date } = {},
): ReportData {
  const rules = new Map<string, ReportRule>();
  for (const d of detections) if (!rules.has(d.rule.id)) rules.set(d.rule.id, reportRule(d.rule));
  return {
    kind: 'warden-report',
    version: 1,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    title: opts.title ?? 'Warden hunt report',
    detections: detections.map((d) => toRecord(d)),
    incidents: incidents.map((i) => reportIncident(i.incident, i.members)),
    rules: [...rules.values()],
  };
}

/**
 * JSON that is safe as the text of a `<script>` element: `<`, `>` and `&` as \u escapes (so
 * `</script>` and `<!--` cannot appear), and U+2028/U+2029 too. JSON.parse reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderReport(data: ReportData): string {
  const a = consoleAssets();
  const csp = ["default-src 'none'", `script-src ${a.scriptHash}`, `style-src ${a.stylesHash}`, 'img-src data:', "base-uri 'none'", "form-action 'none'"].join('; ');
  return `<!doctype html>
<html lang="en" data-theme="dark">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeText(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(data.title)}</title>
<style>${a.styles}</style>
</head>
<body>
<noscript>This report needs JavaScript to show its data; the data is in the warden-data element of this file as JSON.</noscript>
<script id="warden-data" type="application/json">${scriptSafeJson(data)}</script>
<script>${a.script}</script>
</body>
</html>
`;
}
