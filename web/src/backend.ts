/**
 * Where the console's data comes from: the embedded JSON of an HTML report, or the service's
 * API with a bearer token. The views see one interface and do not know which.
 */
import type { CoverageDoc, DetectionFilter, DetectionRec, FindingRec, IncidentFilter, IncidentRec, Page, ReportData, RuleDoc, RuleProblem, SourceHealth } from './model';
import { levelRank } from './model';

export interface Backend {
  readonly mode: 'report' | 'live';
  incidents(f: IncidentFilter): Promise<IncidentRec[]>;
  incident(id: string): Promise<IncidentRec | undefined>;
  detections(f: DetectionFilter, cursor?: string | null): Promise<Page<DetectionRec>>;
  detection(id: string): Promise<DetectionRec | undefined>;
  rule(id: string): RuleDoc | undefined;
  ruleProblems(): RuleProblem[];
  findings(): Promise<FindingRec[]>;
  sources(): Promise<SourceHealth[]>;
  coverage(): Promise<CoverageDoc | undefined>;
  setTriage(id: string, triage: string, note: string): Promise<void>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function timeOf(iso: string | null): number {
  if (!iso) return Number.NaN;
  return Date.parse(iso);
}

/** The same machine under any spelling (WEB01, web01.corp.example), as the service keys hosts. */
export function hostKey(host: string): string {
  const h = host.trim().toLowerCase();
  if (/^[0-9.]+$/.test(h) || h.includes(':')) return h;
  const dot = h.indexOf('.');
  return dot > 0 ? h.slice(0, dot) : h;
}

/** Filtering of detections in memory, as the API does it (level = at least this level, host by key). */
export function matchesDetection(d: DetectionRec, f: DetectionFilter): boolean {
  if (f.level && levelRank(d.rule.level) < levelRank(f.level)) return false;
  if (f.host && hostKey(d.host ?? '') !== hostKey(f.host)) return false;
  if (f.rule && d.rule.id !== f.rule) return false;
  if (f.from !== undefined || f.to !== undefined) {
    const t = timeOf(d.timestamp);
    if (!Number.isFinite(t)) return false;
    if (f.from !== undefined && t < f.from) return false;
    if (f.to !== undefined && t > f.to) return false;
  }
  if (f.text) {
    const needle = f.text.toLowerCase();
    if (!d.rule.title.toLowerCase().includes(needle) && !(d.raw ?? JSON.stringify(d.event)).toLowerCase().includes(needle)) return false;
  }
  return true;
}

export class ReportBackend implements Backend {
  readonly mode = 'report';
  private readonly byId = new Map<string, DetectionRec>();
  private readonly rules = new Map<string, RuleDoc>();
  constructor(readonly data: ReportData) {
    for (const d of data.detections) this.byId.set(d.id, d);
    for (const r of data.rules) this.rules.set(r.id, r);
  }
  async incidents(f: IncidentFilter): Promise<IncidentRec[]> {
    return this.data.incidents.filter(
      (i) =>
        (!f.level || levelRank(i.severity) >= levelRank(f.level)) && (!f.host || hostKey(i.host ?? '') === hostKey(f.host)) && (!f.technique || i.techniques.includes(f.technique)),
    );
  }
  async incident(id: string): Promise<IncidentRec | undefined> {
    return this.data.incidents.find((i) => i.id === id);
  }
  async detections(f: DetectionFilter): Promise<Page<DetectionRec>> {
    return { items: this.data.detections.filter((d) => matchesDetection(d, f)), next: null };
  }
  async detection(id: string): Promise<DetectionRec | undefined> {
    return this.byId.get(id);
  }
  rule(id: string): RuleDoc | undefined {
    return this.rules.get(id);
  }
  ruleProblems(): RuleProblem[] {
    return [];
  }
  async findings(): Promise<FindingRec[]> {
    return this.data.findings ?? [];
  }
  async sources(): Promise<SourceHealth[]> {
    return [];
  }
  async coverage(): Promise<CoverageDoc | undefined> {
    return undefined;
  }
  async setTriage(): Promise<void> {
    throw new Error('a report is read-only');
  }
}

/** The service's API under the console's own origin. */
export class ApiBackend implements Backend {
  readonly mode = 'live';
  private rules = new Map<string, RuleDoc>();
  private problems: RuleProblem[] = [];
  constructor(
    private readonly token: string,
    private readonly base = '',
  ) {}

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' }, cache: 'no-store' });
    if (!res.ok) throw new ApiError(res.status, await messageOf(res));
    return (await res.json()) as T;
  }

  /** Checks the token and loads the rules (detections name their rule; the description lives here). */
  async login(): Promise<void> {
    const r = await this.get<{ items: RuleDoc[]; problems?: RuleProblem[] }>('/api/v1/rules');
    this.rules = new Map((r.items ?? []).map((x) => [x.id, x]));
    this.problems = r.problems ?? [];
  }

  async incidents(f: IncidentFilter): Promise<IncidentRec[]> {
    const q = new URLSearchParams({ limit: '200' });
    if (f.level) q.set('level', f.level);
    if (f.host) q.set('host', f.host);
    if (f.technique) q.set('technique', f.technique);
    if (f.triage) q.set('triage', f.triage);
    return (await this.get<Page<IncidentRec>>(`/api/v1/incidents?${q}`)).items;
  }
  async incident(id: string): Promise<IncidentRec | undefined> {
    try {
      return await this.get<IncidentRec>(`/api/v1/incidents/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }
  async detections(f: DetectionFilter, cursor?: string | null): Promise<Page<DetectionRec>> {
    const q = new URLSearchParams({ limit: '1000' });
    if (f.level) q.set('level', f.level);
    if (f.host) q.set('host', f.host);
    if (f.rule) q.set('rule', f.rule);
    if (f.text) q.set('text', f.text);
    if (f.from !== undefined) q.set('from', String(Math.floor(f.from)));
    if (f.to !== undefined) q.set('to', String(Math.ceil(f.to)));
    if (cursor) q.set('cursor', cursor);
    return this.get<Page<DetectionRec>>(`/api/v1/detections?${q}`);
  }
  async detection(id: string): Promise<DetectionRec | undefined> {
    try {
      return await this.get<DetectionRec>(`/api/v1/detections/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }
  rule(id: string): RuleDoc | undefined {
    return this.rules.get(id);
  }
  ruleProblems(): RuleProblem[] {
    return this.problems;
  }
  async findings(): Promise<FindingRec[]> {
    return (await this.get<Page<FindingRec>>('/api/v1/findings?limit=500')).items;
  }
  async sources(): Promise<SourceHealth[]> {
    return (await this.get<Page<SourceHealth>>('/api/v1/sources')).items;
  }
  async coverage(): Promise<CoverageDoc | undefined> {
    try {
      return await this.get<CoverageDoc>('/api/v1/coverage');
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }
  async setTriage(id: string, triage: string, note: string): Promise<void> {
    const res = await fetch(`${this.base}/api/v1/incidents/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ triage, note }),
    });
    if (!res.ok) throw new ApiError(res.status, await messageOf(res));
  }
}

async function messageOf(res: Response): Promise<string> {
  try {
    const b = (await res.json()) as { message?: unknown };
    if (typeof b.message === 'string') return b.message;
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${res.status}`;
}
