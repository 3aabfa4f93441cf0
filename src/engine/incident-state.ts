/**
 * The incident tracker's state as plain JSON (for a service restart or a partition taken over
 * by another worker): the open incidents with their members, and per host the last detection
 * of each entity key. Absorbed incidents are not kept: references to them are resolved to
 * their absorber, and references to closed incidents are dropped (nothing can join those).
 */
import type { Incident, IncidentMember } from '../event/detection.js';
import type { HostBucket, KeyRef, LiveIncident } from './incidents.js';

export interface IncidentTrackerState {
  version: 1;
  windowMs: number;
  created: number;
  watermark: number | null;
  incidents: {
    inc: Incident;
    order: number;
    members: IncidentMember[];
    evidenceKeys: string[];
    techniques: string[];
    users: string[];
    maxIdx: number;
    timed: boolean;
  }[];
  /** Per bucket: entity key → [incident index, time]. */
  buckets: { key: string; host: string; timed: boolean; links: [string, number, number][]; users: [string, number, number][]; noUser: [number, number] | null }[];
}

interface Live {
  buckets: Map<string, HostBucket>;
  open: Set<LiveIncident>;
  created: number;
  watermark: number;
  windowMs: number;
}

function rootOf(l: LiveIncident): LiveIncident {
  let r = l;
  while (r.parent) r = r.parent;
  return r;
}

export function toIncidentState(s: Live): IncidentTrackerState {
  const lives = [...s.open].filter((l) => !l.parent).sort((a, b) => a.order - b.order);
  const index = new Map(lives.map((l, i) => [l, i]));
  const refOf = (r: KeyRef): number | undefined => index.get(rootOf(r.live));
  const buckets: IncidentTrackerState['buckets'] = [];
  for (const [key, b] of s.buckets) {
    const links: [string, number, number][] = [];
    const users: [string, number, number][] = [];
    for (const [k, r] of b.byLink) {
      const i = refOf(r);
      if (i !== undefined) links.push([k, i, r.t]);
    }
    for (const [k, r] of b.byUser) {
      const i = refOf(r);
      if (i !== undefined) users.push([k, i, r.t]);
    }
    const n = b.noUser ? refOf(b.noUser) : undefined;
    const noUser: [number, number] | null = n !== undefined && b.noUser ? [n, b.noUser.t] : null;
    if (links.length || users.length || noUser) buckets.push({ key, host: b.host, timed: b.timed, links, users, noUser });
  }
  return {
    version: 1,
    windowMs: s.windowMs,
    created: s.created,
    watermark: Number.isFinite(s.watermark) ? s.watermark : null,
    incidents: lives.map((l) => ({
      inc: structuredClone(l.inc),
      order: l.order,
      members: l.members.map((m) => ({ ...m })),
      evidenceKeys: [...l.evidenceKeys],
      techniques: [...l.techniques],
      users: [...l.users],
      maxIdx: l.maxIdx,
      timed: l.timed,
    })),
    buckets,
  };
}

export function fromIncidentState(state: IncidentTrackerState): Live {
  if (state.version !== 1) throw new Error(`incident state version ${String(state.version)} is not supported`);
  const lives: LiveIncident[] = state.incidents.map((x) => ({
    inc: structuredClone(x.inc),
    order: x.order,
    members: x.members.map((m) => ({ ...m })),
    evidenceKeys: new Set(x.evidenceKeys),
    techniques: new Set(x.techniques),
    users: new Set(x.users),
    maxIdx: x.maxIdx,
    timed: x.timed,
    parent: null,
  }));
  const live = (i: number): LiveIncident => {
    const l = lives[i];
    if (!l) throw new Error(`incident state refers to incident #${i}, which it does not hold`);
    return l;
  };
  const buckets = new Map<string, HostBucket>();
  for (const b of state.buckets) {
    buckets.set(b.key, {
      host: b.host,
      timed: b.timed,
      byLink: new Map(b.links.map(([k, i, t]) => [k, { live: live(i), t }])),
      byUser: new Map(b.users.map(([k, i, t]) => [k, { live: live(i), t }])),
      noUser: b.noUser ? { live: live(b.noUser[0]), t: b.noUser[1] } : null,
    });
  }
  return { buckets, open: new Set(lives), created: state.created, watermark: state.watermark ?? Number.NEGATIVE_INFINITY, windowMs: state.windowMs };
}
