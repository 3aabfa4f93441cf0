/**
 * Alerts out: one alert per new incident and one each time an incident rises past the level
 * it was last alerted at — not one per detection. Channels (webhook, syslog, JSONL) each have
 * a minimum level and an optional tag filter. Alerts are queued in the store's outbox inside
 * the commit that changed the incident (so a crash neither loses nor doubles one) and sent by
 * a loop with exponential backoff; an alert that cannot be sent waits in the outbox, across
 * restarts, until it can.
 */
import { readFileSync } from 'node:fs';
import type { IncidentUpdate, Level } from '../event/detection.js';
import { LEVELS } from '../event/detection.js';
import type { Db } from '../store/db.js';
import type { OutboxItem } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { type AlertPayload, formatSyslog, sendJsonl, sendSyslog, sendWebhook } from './alert-senders.js';
import type { AlertChannelConfig } from './config.js';
import type { AlertHook, ServiceLogger } from './service.js';

export interface AlertOptions {
  /** First retry delay (ms); doubled per attempt up to `maxBackoffMs`. Default 2 000. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often the outbox is looked at (ms). Default 1 000. */
  pollMs?: number;
  version?: string;
}

/** `env:NAME` → that variable; anything else → the file's first line. */
export function resolveSecret(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  if (spec.startsWith('env:')) {
    const v = process.env[spec.slice(4)];
    if (v === undefined || v === '') throw new Error(`the webhook secret variable ${spec.slice(4)} is not set`);
    return v;
  }
  return readFileSync(spec, 'utf8').split(/\r?\n/)[0]!;
}

function tagMatch(ch: AlertChannelConfig, techniques: readonly string[]): boolean {
  if (ch.tags.length === 0) return true;
  const have = new Set(techniques.map((t) => t.toLowerCase()));
  return ch.tags.some((t) => {
    const tag = t.toLowerCase().replace(/^attack\./, '');
    return have.has(tag) || [...have].some((h) => h.startsWith(`${tag}.`));
  });
}

export class AlertDispatcher implements AlertHook {
  private store: Store | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly secrets = new Map<string, string | undefined>();
  readonly counters = { queued: 0, sent: 0, failures: 0 };

  constructor(
    private readonly channels: readonly AlertChannelConfig[],
    private readonly logger: ServiceLogger,
    private readonly opts: AlertOptions = {},
  ) {
    for (const ch of channels) if (ch.type === 'webhook') this.secrets.set(ch.name, resolveSecret(ch.secret));
  }

  async onIncidentUpdates(updates: readonly IncidentUpdate[], tx: Db): Promise<void> {
    if (!this.channels.length || !this.store) return;
    const outbox = this.store.outbox;
    // Only each incident's state at the end of this commit counts: a batch that opens an
    // incident and raises it at once makes one alert, at the level it reached.
    const last = new Map<string, IncidentUpdate>();
    const titles = new Map<string, Set<string>>();
    for (const u of updates) {
      if (u.kind !== 'opened' && u.kind !== 'grew') continue;
      last.set(u.incident.id, u);
      let t = titles.get(u.incident.id);
      if (!t) titles.set(u.incident.id, (t = new Set()));
      for (const m of [...(u.members ?? []), ...(u.added ?? [])]) t.add(m.title);
    }
    const items: Omit<OutboxItem, 'attempts'>[] = [];
    for (const u of last.values()) {
      const inc = u.incident;
      const rank = LEVELS.indexOf(inc.severity);
      for (const ch of this.channels) {
        if (rank < LEVELS.indexOf(ch.minLevel) || !tagMatch(ch, inc.techniques)) continue;
        const before = await outbox.alertedRank(ch.name, inc.id, tx);
        if (rank <= before) continue;
        const payload: AlertPayload = {
          type: before < 0 ? 'incident.opened' : 'incident.escalated',
          id: `${inc.id}:${inc.severity}`,
          incident: {
            id: inc.id,
            severity: inc.severity as Level,
            host: inc.host ?? null,
            start: inc.start === undefined ? null : new Date(inc.start).toISOString(),
            end: inc.end === undefined ? null : new Date(inc.end).toISOString(),
            techniques: inc.techniques,
            users: inc.users,
            memberCount: inc.memberCount,
            rules: [...(titles.get(inc.id) ?? [])],
          },
          sentBy: 'warden serve',
        };
        items.push({ id: `${ch.name}:${inc.id}:${rank}`, channel: ch.name, incidentId: inc.id, levelRank: rank, payload: JSON.stringify(payload) });
      }
    }
    if (items.length) {
      await outbox.enqueue(items, tx);
      this.counters.queued += items.length;
    }
  }

  /** Starts sending what the outbox holds (including what a previous run left unsent). */
  start(store: Store): void {
    this.store = store;
    if (!this.channels.length) return;
    const tick = (): void => {
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
      });
    };
    this.timer = setInterval(tick, this.opts.pollMs ?? 1000);
    tick();
  }

  /** Must be attached before the service starts, so no incident change slips past the outbox. */
  attach(store: Store): void {
    this.store = store;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async drain(): Promise<void> {
    const store = this.store;
    if (!store) return;
    for (;;) {
      const due = await store.outbox.due();
      if (!due.length) return;
      for (const item of due) {
        const ch = this.channels.find((c) => c.name === item.channel);
        if (!ch) {
          await store.outbox.failed(item.id, Date.now() + 86_400_000, `no channel named ${item.channel} in the configuration`);
          continue;
        }
        try {
          await this.send(ch, item);
          await store.outbox.sent(item.id);
          this.counters.sent++;
        } catch (e) {
          this.counters.failures++;
          const base = this.opts.baseBackoffMs ?? 2000;
          const delay = Math.min(this.opts.maxBackoffMs ?? 600_000, base * 2 ** Math.min(20, item.attempts));
          await store.outbox.failed(item.id, Date.now() + delay, (e as Error).message);
          this.logger.warn({ channel: ch.name, alert: item.id, attempt: item.attempts + 1, retryInMs: delay, err: (e as Error).message }, 'alert not delivered; will retry');
        }
      }
      if (!this.timer) return;
    }
  }

  private async send(ch: AlertChannelConfig, item: OutboxItem): Promise<void> {
    if (ch.type === 'webhook') return sendWebhook(ch.target, item.payload, this.secrets.get(ch.name), item.id);
    if (ch.type === 'jsonl') return sendJsonl(ch.target, item.payload);
    const payload = JSON.parse(item.payload) as AlertPayload;
    return sendSyslog(ch.target, formatSyslog(payload, ch.syslogFormat ?? 'rfc5424', this.opts.version ?? '0.1.0'));
  }
}
