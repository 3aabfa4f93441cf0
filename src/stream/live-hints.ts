/**
 * The live feed across a cluster. A worker commits in its own process, so the console talking
 * to an api role (or to another worker) would otherwise never hear of it. After each commit the
 * worker publishes a small hint on the core NATS subject `<namespace>.live` (not in the stream:
 * a hint missed is only a later refresh) naming what it committed — counts, up to 100
 * detection ids, the highest level, the incidents touched — never event content. Every API
 * process subscribes and hands the hints to its `/api/v1/live` streams. Anyone who can publish
 * on NATS can send one, so a hint is parsed defensively: bounded size, checked types, unknown
 * fields dropped; the worst a forged hint does is make a console re-read the API.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { errorMessage } from '../errors.js';
import { LEVELS, levelRank, type Detection, type IncidentUpdate, type Level } from '../event/detection.js';
import { connectNats } from './connect.js';
import type { ClusterLogger } from './partition.js';

export interface LiveHint {
  detections: number;
  ids: string[];
  maxLevel?: Level;
  incidents: { id: string; kind: string; severity: Level; hostKey: string }[];
}

const MAX_IDS = 100;
const MAX_INCIDENTS = 200;
const MAX_BYTES = 64 * 1024;
const UPDATE_KINDS: ReadonlySet<string> = new Set<IncidentUpdate['kind']>(['opened', 'grew', 'merged', 'closed']);

/** The hint for one commit, or undefined when it committed nothing worth announcing. */
export function hintOf(detections: readonly Detection[], updates: readonly IncidentUpdate[]): LiveHint | undefined {
  if (detections.length === 0 && updates.length === 0) return undefined;
  let maxLevel: Level | undefined;
  for (const d of detections) if (!maxLevel || levelRank(d.rule.level) > levelRank(maxLevel)) maxLevel = d.rule.level;
  const incidents = new Map<string, LiveHint['incidents'][number]>();
  for (const u of updates) {
    if (incidents.size >= MAX_INCIDENTS && !incidents.has(u.incident.id)) continue;
    incidents.set(u.incident.id, { id: u.incident.id, kind: u.kind, severity: u.incident.severity, hostKey: u.incident.hostKey });
  }
  const hint: LiveHint = { detections: detections.length, ids: detections.slice(0, MAX_IDS).map((d) => d.id), incidents: [...incidents.values()] };
  if (maxLevel) hint.maxLevel = maxLevel;
  return hint;
}

const isLevel = (v: unknown): v is Level => typeof v === 'string' && (LEVELS as readonly string[]).includes(v);
const shortString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/** A hint read off the wire, or undefined when it is not one (wrong shape, too big, not JSON). */
export function parseHint(data: Uint8Array): LiveHint | undefined {
  if (data.length > MAX_BYTES) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o['detections']) || (o['detections'] as number) < 0) return undefined;
  if (!Array.isArray(o['ids']) || !Array.isArray(o['incidents'])) return undefined;
  const hint: LiveHint = { detections: o['detections'] as number, ids: o['ids'].filter(shortString).slice(0, MAX_IDS), incidents: [] };
  if (o['maxLevel'] !== undefined) {
    if (!isLevel(o['maxLevel'])) return undefined;
    hint.maxLevel = o['maxLevel'];
  }
  for (const i of o['incidents'].slice(0, MAX_INCIDENTS)) {
    if (typeof i !== 'object' || i === null) continue;
    const r = i as Record<string, unknown>;
    if (
      shortString(r['id']) &&
      typeof r['kind'] === 'string' &&
      UPDATE_KINDS.has(r['kind']) &&
      isLevel(r['severity']) &&
      typeof r['hostKey'] === 'string' &&
      r['hostKey'].length <= 500
    )
      hint.incidents.push({ id: r['id'], kind: r['kind'], severity: r['severity'], hostKey: r['hostKey'] });
  }
  return hint;
}

export function encodeHint(h: LiveHint): Uint8Array {
  return Buffer.from(JSON.stringify(h));
}

/** Subscribes to the hints; listeners get each one. Connects in the background (NATS may come later). */
export class LiveHints {
  private nc: NatsConnection | undefined;
  private sub: Subscription | undefined;
  private readonly listeners = new Set<(h: LiveHint) => void>();
  private stopped = false;
  private connecting: Promise<void> = Promise.resolve();

  constructor(private readonly opts: { url: string; subject: string; logger: ClusterLogger }) {}

  /** Returns once subscribed, or after 5 s while NATS does not answer (it keeps trying). */
  async start(): Promise<void> {
    this.connecting = (async () => {
      const nc = await connectNats({ url: this.opts.url, name: 'warden live hints' });
      if (this.stopped) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.sub = nc.subscribe(this.opts.subject, {
        callback: (err, msg) => {
          if (err) return;
          const h = parseHint(msg.data);
          if (!h) return;
          for (const l of this.listeners) l(h);
        },
      });
      await nc.flush();
    })().catch((e: unknown) => this.opts.logger.warn({ err: errorMessage(e) }, 'live feed hints unavailable; consoles will re-read on a timer'));
    await Promise.race([this.connecting, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  subscribe(listener: (h: LiveHint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listeners.clear();
    await Promise.race([this.connecting, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.sub?.unsubscribe();
    await this.nc?.drain().catch(() => undefined);
  }
}
