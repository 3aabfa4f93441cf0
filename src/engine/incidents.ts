/**
 * Groups detections into incidents: detections on the same host within `windowMs` of each
 * other (chained: an incident grows while the gaps stay within the window) that are about the
 * same activity. Two detections on one host and in time are related when
 *   - they share a process (ProcessGuid / ParentProcessGuid, or ProcessId / ParentProcessId), or
 *   - they share a file path (TargetFilename, FilePath, ...), or
 *   - their users are equal, or at least one of them names no user.
 * So two users' unrelated activity on one server stays apart, while a web shell dropped by the
 * IIS pool user and a cmd.exe it spawned as SYSTEM (same process tree) are one incident.
 * Detections without a timestamp are grouped (with the same entity rules) among themselves.
 *
 * Severity: the highest detection level, raised one step (up to critical) when the incident
 * chains two or more distinct ATT&CK techniques (tags attack.tNNNN; sub-techniques count as
 * their technique).
 */
import { hostKey } from '../event/host.js';
import { createHash } from 'node:crypto';
import type { EventOrigin, FieldValue, Fields } from '../event/event.js';
import { LEVELS, type Detection, type Level } from '../event/detection.js';

export interface Incident {
  /** Stable: derived from the first detection (rule, time, host, source). */
  id: string;
  host?: string;
  /** ISO times of the first and last detection (absent when none had a timestamp). */
  start?: string;
  end?: string;
  severity: Level;
  /** Highest level among the detections, before the technique-chain raise. */
  maxLevel: Level;
  /** Distinct ATT&CK techniques (T1505, T1059, ...), sorted. */
  techniques: string[];
  users: string[];
  /** Time line: detections ordered by time, then source record. */
  detections: Detection[];
  /** Every event behind the incident (correlation evidence and rule matches), de-duplicated. */
  evidence: EventOrigin[];
}

export interface IncidentOptions {
  /** Largest gap between related detections. Default 1 hour. */
  windowMs?: number;
}

export const DEFAULT_INCIDENT_WINDOW_MS = 3_600_000;

const USER_FIELDS = ['User', 'SubjectUserName', 'TargetUserName', 'UserName', 'AccountName', 'user', 'cs-username', 'username'];
const PROCESS_GUID_FIELDS = ['ProcessGuid', 'ParentProcessGuid', 'SourceProcessGuid', 'TargetProcessGuid'];
const PROCESS_ID_FIELDS = ['ProcessId', 'ParentProcessId', 'ProcessID', 'SourceProcessId', 'TargetProcessId'];
const FILE_FIELDS = ['TargetFilename', 'TargetFileName', 'FilePath', 'file_path', 'path', 'Path'];
const NO_VALUE = new Set(['', '-', 'n/a', 'null', 'none', 'unknown']);

function scalars(v: FieldValue | undefined, out: string[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) scalars(x, out);
    return;
  }
  const s = String(v).trim().toLowerCase();
  if (!NO_VALUE.has(s)) out.push(s);
}

function values(fields: Fields, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) scalars(fields[n], out);
  return out;
}

interface Node {
  d: Detection;
  index: number;
  t: number;
  host: string;
  users: string[];
  /** Process and file keys: sharing any one relates two detections. */
  links: string[];
}

function entities(d: Detection, index: number): Node {
  const f = d.event ?? {};
  const links: string[] = [];
  for (const g of values(f, PROCESS_GUID_FIELDS)) links.push(`g:${g.replace(/[{}]/g, '')}`);
  for (const p of values(f, PROCESS_ID_FIELDS)) if (p !== '0' && p !== '4') links.push(`p:${p}`);
  for (const p of values(f, FILE_FIELDS)) links.push(`f:${p.replace(/\//g, '\\')}`);
  const t = d.timestamp ? Date.parse(d.timestamp) : NaN;
  return { d, index, t, host: d.host === undefined ? '' : hostKey(d.host), users: [...new Set(values(f, USER_FIELDS))], links: [...new Set(links)] };
}

class UnionFind {
  private readonly p: number[];
  constructor(n: number) {
    this.p = Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.p[x] !== x) {
      this.p[x] = this.p[this.p[x]!]!;
      x = this.p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.p[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function techniquesOf(d: Detection): string[] {
  const out: string[] = [];
  for (const tag of d.rule.tags ?? []) {
    const m = /^attack\.(t\d{4})(?:\.\d{3})?$/i.exec(tag.trim());
    if (m) out.push(m[1]!.toUpperCase());
  }
  return out;
}

function originKey(o: EventOrigin): string {
  return `${o.file}\u0000${o.record}\u0000${o.offset ?? ''}`;
}

/**
 * Links detections of one host bucket, in time order. For each entity key only the most recent
 * detection carrying it needs a link: anything older with the same key within the window is
 * already linked to that one (single-linkage clustering).
 */
function linkBucket(nodes: Node[], windowMs: number, uf: UnionFind): void {
  const within = (a: Node, b: Node): boolean => Number.isNaN(a.t) || Math.abs(a.t - b.t) <= windowMs;
  const lastByLink = new Map<string, Node>();
  const lastByUser = new Map<string, Node>();
  let lastNoUser: Node | undefined;
  for (const n of nodes) {
    for (const k of n.links) {
      const prev = lastByLink.get(k);
      if (prev && within(prev, n)) uf.union(prev.index, n.index);
      lastByLink.set(k, n);
    }
    if (n.users.length === 0) {
      // No user: related to everyone on this host in the window.
      for (const [u, prev] of lastByUser) {
        if (within(prev, n)) uf.union(prev.index, n.index);
        else lastByUser.delete(u);
      }
      if (lastNoUser && within(lastNoUser, n)) uf.union(lastNoUser.index, n.index);
      lastNoUser = n;
    } else {
      if (lastNoUser && within(lastNoUser, n)) uf.union(lastNoUser.index, n.index);
      for (const u of n.users) {
        const prev = lastByUser.get(u);
        if (prev && within(prev, n)) uf.union(prev.index, n.index);
        lastByUser.set(u, n);
      }
    }
  }
}

function compareNodes(a: Node, b: Node): number {
  const ta = Number.isNaN(a.t) ? Infinity : a.t;
  const tb = Number.isNaN(b.t) ? Infinity : b.t;
  if (ta !== tb) return ta - tb;
  if (a.d.source.file !== b.d.source.file) return a.d.source.file < b.d.source.file ? -1 : 1;
  if (a.d.source.record !== b.d.source.record) return a.d.source.record - b.d.source.record;
  return a.index - b.index;
}

/** Groups detections into incidents and sets `detection.incident` on each. */
export function groupIncidents(detections: readonly Detection[], opts: IncidentOptions = {}): Incident[] {
  const windowMs = opts.windowMs ?? DEFAULT_INCIDENT_WINDOW_MS;
  const nodes = detections.map((d, i) => entities(d, i));
  const uf = new UnionFind(nodes.length);
  const buckets = new Map<string, Node[]>();
  for (const n of nodes) {
    const k = `${n.host}\u0000${Number.isNaN(n.t) ? 'untimed' : 'timed'}`;
    const b = buckets.get(k);
    if (b) b.push(n);
    else buckets.set(k, [n]);
  }
  for (const b of buckets.values()) {
    b.sort(compareNodes);
    linkBucket(b, windowMs, uf);
  }
  const groups = new Map<number, Node[]>();
  for (const n of nodes) {
    const r = uf.find(n.index);
    const g = groups.get(r);
    if (g) g.push(n);
    else groups.set(r, [n]);
  }
  const incidents: Incident[] = [];
  for (const g of groups.values()) {
    g.sort(compareNodes);
    const first = g[0]!.d;
    const id = `INC-${createHash('sha256')
      .update([first.rule.id, first.timestamp ?? '', first.host ?? '', first.source.file, String(first.source.record)].join('\u0000'))
      .digest('hex')
      .slice(0, 12)}`;
    let maxIdx = 0;
    const techniques = new Set<string>();
    const users = new Set<string>();
    const evidence: EventOrigin[] = [];
    const seen = new Set<string>();
    for (const n of g) {
      maxIdx = Math.max(maxIdx, LEVELS.indexOf(n.d.rule.level));
      for (const t of techniquesOf(n.d)) techniques.add(t);
      for (const u of n.users) users.add(u);
      const origins: EventOrigin[] = n.d.evidence ?? [{ file: n.d.source.file, record: n.d.source.record, format: n.d.source.format ?? '' }];
      for (const o of origins) {
        const k = originKey(o);
        if (!seen.has(k)) {
          seen.add(k);
          evidence.push(o);
        }
      }
      n.d.incident = id;
    }
    const maxLevel = LEVELS[maxIdx]!;
    const severity = techniques.size >= 2 ? LEVELS[Math.min(maxIdx + 1, LEVELS.length - 1)]! : maxLevel;
    const timed = g.filter((n) => !Number.isNaN(n.t));
    const inc: Incident = {
      id,
      severity,
      maxLevel,
      techniques: [...techniques].sort(),
      users: [...users].sort(),
      detections: g.map((n) => n.d),
      evidence,
    };
    if (first.host !== undefined) inc.host = first.host;
    if (timed.length) {
      inc.start = timed[0]!.d.timestamp;
      inc.end = timed[timed.length - 1]!.d.timestamp;
    }
    incidents.push(inc);
  }
  incidents.sort((a, b) => (a.start ?? '\uffff').localeCompare(b.start ?? '\uffff') || a.id.localeCompare(b.id));
  return incidents;
}
