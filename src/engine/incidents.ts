/**
 * Incremental incident grouping. Detections on the same host within `windowMs` of each other
 * (chained: an incident grows while the gaps stay within the window) are one incident when
 * they are about the same activity:
 *   - they share a process (ProcessGuid / ParentProcessGuid, or ProcessId / ParentProcessId), or
 *   - they share a file path (TargetFilename, FilePath, ...), or
 *   - their users are equal, or at least one of them names no user.
 * So two users' unrelated activity on one server stays apart, while a web shell dropped by the
 * IIS pool user and a cmd.exe it spawned as SYSTEM (same process tree) are one incident.
 *
 * The tracker takes timed detections in event-time order (the pipeline's ordering buffer sees
 * to that; ties by detection id) and reports what changed: an incident opens, grows, absorbs
 * another one that a detection links it to (the older one absorbs: the one whose first member
 * came first, so its id — derived from that first member — is the same as a batch grouping of
 * all detections would give), and closes once the watermark is past its last member by more
 * than the window, since no later detection can join it then. Detections without a timestamp
 * are grouped among themselves by the same entity rules and close at flush.
 *
 * Severity: the highest member level, raised one step (up to critical) when the incident
 * chains two or more distinct ATT&CK techniques (tags attack.tNNNN; sub-techniques count as
 * their technique).
 *
 * Memory: an incident can stay open for as long as its host keeps matching (a noisy rule
 * firing every second chains for days). A batch hunt needs every member at close, but a live
 * service has already written each member to its store when it was added, so it sets
 * `maxMembers`: an open incident then holds only its newest members (and the keys of its
 * newest evidence events) in memory, while its header keeps the true counts, start and end.
 * The 'closed' update then lists the members still held; 'merged' ones the absorbed members
 * still held (the store copies the rest of an absorbed incident's members itself).
 */
import type { ProblemSink } from '../errors.js';
import type { EventOrigin } from '../event/event.js';
import { LEVELS, MAX_INCIDENT_EVIDENCE, type Detection, type Incident, type IncidentMember, type IncidentUpdate } from '../event/detection.js';
import { hostKey } from '../event/host.js';
import { incidentId, originKey } from '../event/identity.js';
import { detectionEntities } from './incident-entities.js';
import { fromIncidentState, type IncidentTrackerState, toIncidentState } from './incident-state.js';

export interface IncidentOptions {
  /** Largest gap between related detections. Default 1 hour. */
  windowMs?: number;
  /**
   * Open incidents at most (memory budget): past it the one whose last member is oldest is
   * closed early, with one warning. Default 100 000.
   */
  maxOpen?: number;
  /**
   * Members of one open incident held in memory (memory budget): past it the oldest are
   * forgotten (they went out in earlier updates). Default: all — batch hunts report every
   * member when the incident closes.
   */
  maxMembers?: number;
  /** Warnings (the budget reached). */
  problems?: ProblemSink;
}

export const DEFAULT_INCIDENT_WINDOW_MS = 3_600_000;

/**
 * The member budget live drivers (the service, cluster workers) use: they store every member
 * as it is added, so an open incident needs only its newest ones in memory.
 */
export const DEFAULT_LIVE_INCIDENT_MEMBERS = 1000;

/** Evidence keys held per open incident for each member held (de-duplicates evidenceCount). */
const EVIDENCE_KEYS_PER_MEMBER = 4;

/** One incident while it is open (or absorbed but still referenced). */
export interface LiveIncident {
  inc: Incident;
  /** Creation order: on a merge the older incident absorbs the younger. */
  order: number;
  /** In time order; with a member budget, only the newest (inc.memberCount is the true count). */
  members: IncidentMember[];
  /** Keys of the evidence events counted, oldest first (bounded with the member budget). */
  evidenceKeys: Set<string>;
  techniques: Set<string>;
  users: Set<string>;
  maxIdx: number;
  timed: boolean;
  /** Set when absorbed by another incident. */
  parent: LiveIncident | null;
}

/** The last detection that carried an entity key: the next one with that key links to it. */
export interface KeyRef {
  live: LiveIncident;
  t: number;
}

export interface HostBucket {
  host: string;
  timed: boolean;
  byLink: Map<string, KeyRef>;
  byUser: Map<string, KeyRef>;
  noUser: KeyRef | null;
}

function techniquesOf(d: Detection): string[] {
  const out: string[] = [];
  for (const tag of d.rule.tags ?? []) {
    const m = /^attack\.(t\d{4})(?:\.\d{3})?$/i.exec(tag.trim());
    if (m) out.push(m[1]!.toUpperCase());
  }
  return out;
}

export function memberOf(d: Detection): IncidentMember {
  const m: IncidentMember = { id: d.id, kind: d.kind, ruleId: d.rule.id, title: d.rule.title, level: d.rule.level, author: d.rule.author, origin: d.origin };
  if (d.timestamp !== undefined) m.timestamp = d.timestamp;
  return m;
}

export function compareMembers(a: IncidentMember, b: IncidentMember): number {
  const ta = a.timestamp ?? Number.POSITIVE_INFINITY;
  const tb = b.timestamp ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function mergeSorted(a: IncidentMember[], b: IncidentMember[]): IncidentMember[] {
  const out: IncidentMember[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compareMembers(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function root(l: LiveIncident): LiveIncident {
  let r = l;
  while (r.parent) r = r.parent;
  // Path compression: absorbed incidents point straight at their absorber.
  for (let x = l; x.parent && x.parent !== r; ) {
    const next: LiveIncident = x.parent;
    x.parent = r;
    x = next;
  }
  return r;
}

/** A copy of the header, so sinks never see later mutations. */
function header(l: LiveIncident): Incident {
  return { ...l.inc, techniques: [...l.inc.techniques], users: [...l.inc.users], evidence: [...l.inc.evidence] };
}

export class IncidentTracker {
  readonly windowMs: number;
  private readonly maxOpen: number;
  private readonly maxMembers: number;
  private readonly maxEvidenceKeys: number;
  /** Members forgotten by the member budget (they are in the store). */
  forgottenMembers = 0;
  private readonly problems: ProblemSink | undefined;
  /** Incidents closed early because of maxOpen. */
  closedEarly = 0;
  private readonly buckets = new Map<string, HostBucket>();
  private readonly open = new Set<LiveIncident>();
  private created = 0;
  /** Close candidates (incident, its end when queued), in queueing order = end order. */
  private closeQueue: { live: LiveIncident; end: number }[] = [];
  private closeHead = 0;
  /** Entity references in insertion (= time) order, to forget those no detection can reach. */
  private refQueue: { bucket: HostBucket; map: 'link' | 'user' | 'none'; key: string; ref: KeyRef }[] = [];
  private refHead = 0;
  private watermark = Number.NEGATIVE_INFINITY;

  constructor(opts: IncidentOptions = {}) {
    this.windowMs = opts.windowMs ?? DEFAULT_INCIDENT_WINDOW_MS;
    this.maxOpen = Math.max(1, opts.maxOpen ?? 100_000);
    this.maxMembers = Math.max(1, opts.maxMembers ?? Number.POSITIVE_INFINITY);
    this.maxEvidenceKeys = Math.max(MAX_INCIDENT_EVIDENCE, this.maxMembers * EVIDENCE_KEYS_PER_MEMBER);
    this.problems = opts.problems;
  }

  /** Adds one detection; returns what changed. Timed detections must come in time order. */
  add(d: Detection): IncidentUpdate[] {
    const ent = detectionEntities(d);
    const timed = d.timestamp !== undefined && Number.isFinite(d.timestamp);
    const t = timed ? d.timestamp! : 0;
    const hk = d.hostKey ?? (d.host === undefined ? '' : hostKey(d.host));
    const bucketKey = `${hk}\u0000${timed ? 't' : 'u'}`;
    let b = this.buckets.get(bucketKey);
    if (!b) {
      b = { host: hk, timed, byLink: new Map(), byUser: new Map(), noUser: null };
      this.buckets.set(bucketKey, b);
    }
    const within = (r: KeyRef): boolean => !timed || Math.abs(r.t - t) <= this.windowMs;
    const found = new Set<LiveIncident>();
    const consider = (r: KeyRef | null | undefined): void => {
      if (!r || !within(r)) return;
      const l = root(r.live);
      // Closed early by the budget: a later detection starts a new incident.
      if (this.open.has(l)) found.add(l);
    };
    for (const k of ent.links) consider(b.byLink.get(k));
    if (ent.users.length === 0) {
      // No user: related to everyone on this host in the window.
      for (const [u, r] of b.byUser) {
        if (!within(r)) b.byUser.delete(u);
        else if (this.open.has(root(r.live))) found.add(root(r.live));
      }
      consider(b.noUser);
    } else {
      consider(b.noUser);
      for (const u of ent.users) consider(b.byUser.get(u));
    }

    const updates: IncidentUpdate[] = [];
    const member = memberOf(d);
    let target: LiveIncident;
    let added: IncidentMember[];
    let opened = false;
    if (found.size === 0) {
      target = this.openIncident(d, hk, timed);
      added = [member];
      opened = true;
    } else {
      const lives = [...found].sort((x, y) => x.order - y.order);
      target = lives[0]!;
      added = [];
      for (const other of lives.slice(1)) {
        this.absorb(target, other);
        updates.push({ kind: 'merged', incident: header(other) });
        added = mergeSorted(added, other.members);
      }
      added = mergeSorted(added, [member]);
    }
    this.addMember(target, d, member, ent.users);
    updates.push({ kind: opened ? 'opened' : 'grew', incident: header(target), added });

    const ref: KeyRef = { live: target, t };
    for (const k of ent.links) this.setRef(b, 'link', k, ref);
    if (ent.users.length === 0) this.setRef(b, 'none', '', ref);
    else for (const u of ent.users) this.setRef(b, 'user', u, ref);
    if (timed) this.closeQueue.push({ live: target, end: target.inc.end ?? t });
    if (opened && this.open.size > this.maxOpen) updates.push(...this.closeOldest());
    return updates;
  }

  /** Budget: closes the incidents whose last member is oldest until the limit holds again. */
  private closeOldest(): IncidentUpdate[] {
    if (this.closedEarly === 0)
      this.problems?.report({
        kind: 'rule',
        file: '(incidents)',
        message: `incidents: more than ${this.maxOpen} open at once; the ones whose last detection is oldest are closed early (raise the incident budget or shorten --incident-window)`,
      });
    const out: IncidentUpdate[] = [];
    while (this.open.size > this.maxOpen && this.closeHead < this.closeQueue.length) {
      const c = this.closeQueue[this.closeHead++]!;
      const live = c.live;
      if (live.parent || !this.open.has(live) || live.inc.end !== c.end) continue;
      out.push(this.close(live));
      this.closedEarly++;
    }
    // Untimed or queue exhausted: close any.
    for (const live of this.open) {
      if (this.open.size <= this.maxOpen) break;
      out.push(this.close(live));
      this.closedEarly++;
    }
    if (this.closeHead > 1024 && this.closeHead * 2 > this.closeQueue.length) {
      this.closeQueue = this.closeQueue.slice(this.closeHead);
      this.closeHead = 0;
    }
    // Entity references to incidents closed early can no longer be joined: drop them.
    this.forgetRefs(Number.NEGATIVE_INFINITY, true);
    return out;
  }

  /** Event time has reached `watermark`: closes incidents no later detection can join. */
  advance(watermark: number): IncidentUpdate[] {
    if (!(watermark > this.watermark)) return [];
    this.watermark = watermark;
    const limit = watermark - this.windowMs;
    const out: IncidentUpdate[] = [];
    while (this.closeHead < this.closeQueue.length) {
      const c = this.closeQueue[this.closeHead]!;
      if (!(c.end < limit)) break;
      this.closeHead++;
      const live = c.live;
      if (live.parent || !this.open.has(live) || live.inc.end !== c.end) continue;
      out.push(this.close(live));
    }
    if (this.closeHead > 1024 && this.closeHead * 2 > this.closeQueue.length) {
      this.closeQueue = this.closeQueue.slice(this.closeHead);
      this.closeHead = 0;
    }
    this.forgetRefs(limit);
    return out;
  }

  /** End of input: closes every incident. */
  flush(): IncidentUpdate[] {
    const all = [...this.open].filter((l) => !l.parent).sort((a, b) => a.order - b.order);
    const out = all.map((l) => this.close(l));
    this.buckets.clear();
    this.closeQueue = [];
    this.closeHead = 0;
    this.refQueue = [];
    this.refHead = 0;
    return out;
  }

  /** Open incidents right now. */
  get openCount(): number {
    return this.open.size;
  }

  snapshot(): IncidentTrackerState {
    return toIncidentState({ buckets: this.buckets, open: this.open, created: this.created, watermark: this.watermark, windowMs: this.windowMs });
  }

  static restore(state: IncidentTrackerState, opts: IncidentOptions = {}): IncidentTracker {
    const t = new IncidentTracker(opts);
    const r = fromIncidentState(state);
    t.created = r.created;
    t.watermark = r.watermark;
    for (const l of r.open) t.open.add(l);
    for (const [k, b] of r.buckets) t.buckets.set(k, b);
    // Rebuild the time-ordered queues from the restored state.
    const lives = [...t.open].filter((l) => l.timed && l.inc.end !== undefined).sort((a, b) => a.inc.end! - b.inc.end! || a.order - b.order);
    t.closeQueue = lives.map((live) => ({ live, end: live.inc.end! }));
    const refs: { bucket: HostBucket; map: 'link' | 'user' | 'none'; key: string; ref: KeyRef }[] = [];
    for (const b of t.buckets.values()) {
      if (!b.timed) continue;
      for (const [key, ref] of b.byLink) refs.push({ bucket: b, map: 'link', key, ref });
      for (const [key, ref] of b.byUser) refs.push({ bucket: b, map: 'user', key, ref });
      if (b.noUser) refs.push({ bucket: b, map: 'none', key: '', ref: b.noUser });
    }
    refs.sort((a, b) => a.ref.t - b.ref.t);
    t.refQueue = refs;
    return t;
  }

  private openIncident(d: Detection, hk: string, timed: boolean): LiveIncident {
    const inc: Incident = {
      id: incidentId(d.id),
      status: 'open',
      hostKey: hk,
      severity: d.rule.level,
      maxLevel: d.rule.level,
      techniques: [],
      users: [],
      memberCount: 0,
      evidence: [],
      evidenceCount: 0,
    };
    if (d.host !== undefined) inc.host = d.host;
    const live: LiveIncident = {
      inc,
      order: this.created++,
      members: [],
      evidenceKeys: new Set(),
      techniques: new Set(),
      users: new Set(),
      maxIdx: 0,
      timed,
      parent: null,
    };
    this.open.add(live);
    return live;
  }

  private addMember(live: LiveIncident, d: Detection, m: IncidentMember, users: readonly string[]): void {
    if (live.members.length === 0 || compareMembers(live.members[live.members.length - 1]!, m) <= 0) live.members.push(m);
    else live.members = mergeSorted(live.members, [m]);
    live.inc.memberCount++;
    this.noteTimes(live, m);
    live.maxIdx = Math.max(live.maxIdx, LEVELS.indexOf(d.rule.level));
    for (const t of techniquesOf(d)) live.techniques.add(t);
    for (const u of users) live.users.add(u);
    for (const o of d.evidence ?? [d.origin]) this.addEvidence(live, o);
    this.refresh(live);
  }

  private addEvidence(live: LiveIncident, o: EventOrigin): void {
    const k = originKey(o);
    if (live.evidenceKeys.has(k)) return;
    live.evidenceKeys.add(k);
    live.inc.evidenceCount++;
    if (live.inc.evidence.length < MAX_INCIDENT_EVIDENCE) live.inc.evidence.push(o);
  }

  private absorb(target: LiveIncident, other: LiveIncident): void {
    other.parent = target;
    this.open.delete(other);
    other.inc.status = 'merged';
    other.inc.mergedInto = target.inc.id;
    target.members = mergeSorted(target.members, other.members);
    target.inc.memberCount += other.inc.memberCount;
    const t = target.inc;
    if (other.inc.start !== undefined && (t.start === undefined || other.inc.start < t.start)) t.start = other.inc.start;
    if (other.inc.end !== undefined && (t.end === undefined || other.inc.end > t.end)) t.end = other.inc.end;
    target.maxIdx = Math.max(target.maxIdx, other.maxIdx);
    for (const tech of other.techniques) target.techniques.add(tech);
    for (const u of other.users) target.users.add(u);
    const evidence = [...target.inc.evidence];
    for (const o of other.inc.evidence) if (!target.evidenceKeys.has(originKey(o)) && evidence.length < MAX_INCIDENT_EVIDENCE) evidence.push(o);
    target.inc.evidence = evidence;
    // Counted once per event: only events both incidents hold keys for are known to overlap.
    let overlap = 0;
    for (const k of other.evidenceKeys) {
      if (target.evidenceKeys.has(k)) overlap++;
      else target.evidenceKeys.add(k);
    }
    target.inc.evidenceCount += other.inc.evidenceCount - overlap;
    this.refresh(target);
  }

  private refresh(live: LiveIncident): void {
    const inc = live.inc;
    const maxLevel = LEVELS[live.maxIdx]!;
    inc.maxLevel = maxLevel;
    inc.severity = live.techniques.size >= 2 ? LEVELS[Math.min(live.maxIdx + 1, LEVELS.length - 1)]! : maxLevel;
    inc.techniques = [...live.techniques].sort();
    inc.users = [...live.users].sort();
    this.trim(live);
  }

  /** Start and end follow the members' times (members held may no longer include the first). */
  private noteTimes(live: LiveIncident, m: IncidentMember): void {
    const t = m.timestamp;
    if (t === undefined) return;
    const inc = live.inc;
    if (inc.start === undefined || t < inc.start) inc.start = t;
    if (inc.end === undefined || t > inc.end) inc.end = t;
  }

  /** The memory budget: the oldest members and evidence keys beyond it are forgotten. */
  private trim(live: LiveIncident): void {
    const over = live.members.length - this.maxMembers;
    if (over > 0) {
      // Amortized: drop down to 3/4 of the budget at once rather than one member per add.
      const n = this.maxMembers === 1 ? over : over + (this.maxMembers >> 2);
      live.members = live.members.slice(n);
      this.forgottenMembers += n;
    }
    if (live.evidenceKeys.size > this.maxEvidenceKeys) {
      // A Set iterates in insertion order: the first keys are the oldest events.
      let drop = live.evidenceKeys.size - this.maxEvidenceKeys + (this.maxEvidenceKeys >> 2);
      for (const k of live.evidenceKeys) {
        if (drop-- <= 0) break;
        live.evidenceKeys.delete(k);
      }
    }
  }

  private close(live: LiveIncident): IncidentUpdate {
    this.open.delete(live);
    live.inc.status = 'closed';
    return { kind: 'closed', incident: header(live), members: live.members };
  }

  private setRef(b: HostBucket, map: 'link' | 'user' | 'none', key: string, ref: KeyRef): void {
    if (map === 'link') b.byLink.set(key, ref);
    else if (map === 'user') b.byUser.set(key, ref);
    else b.noUser = ref;
    if (b.timed) this.refQueue.push({ bucket: b, map, key, ref });
  }

  /**
   * Drops entity references older than `limit` (no detection at or after the watermark can
   * reach them) and, with `closed`, the oldest ones that point at closed incidents.
   */
  private forgetRefs(limit: number, closed = false): void {
    while (this.refHead < this.refQueue.length) {
      const e = this.refQueue[this.refHead]!;
      if (!(e.ref.t < limit) && !(closed && !this.open.has(root(e.ref.live)))) break;
      this.refHead++;
      const b = e.bucket;
      if (e.map === 'link') {
        if (b.byLink.get(e.key) === e.ref) b.byLink.delete(e.key);
      } else if (e.map === 'user') {
        if (b.byUser.get(e.key) === e.ref) b.byUser.delete(e.key);
      } else if (b.noUser === e.ref) b.noUser = null;
    }
    if (this.refHead > 1024 && this.refHead * 2 > this.refQueue.length) {
      this.refQueue = this.refQueue.slice(this.refHead);
      this.refHead = 0;
    }
  }
}

/** Batch grouping: every detection at once, in time order; every incident closed. */
export function groupIncidents(detections: readonly Detection[], opts: IncidentOptions = {}): IncidentUpdate[] {
  const sorted = [...detections].sort((a, b) => compareMembers(memberOf(a), memberOf(b)));
  const tracker = new IncidentTracker(opts);
  for (const d of sorted) tracker.add(d);
  return tracker
    .flush()
    .sort(
      (a, b) =>
        (a.incident.start ?? Number.POSITIVE_INFINITY) - (b.incident.start ?? Number.POSITIVE_INFINITY) ||
        (a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0),
    );
}
