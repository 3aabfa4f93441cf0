/**
 * What `warden serve` keeps, on both backends (check 4): API tokens (hashed, revocable),
 * keyset pages of detections and incidents in a stable order, and the service itself running
 * on the store — detections, incidents and source positions committed together, a restart
 * adding nothing twice.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import type { DetectionRow, IncidentRow } from '../../src/store/alerts.js';
import { parseConfig } from '../../src/server/config.js';
import { startRuntime } from '../../src/server/runtime.js';
import { applyRetention } from '../../src/server/retention.js';
import { postgresBackend, sqliteBackend, type Backend } from './backends.js';

const quiet = { info() {}, warn() {}, error() {} };
const pgOrReason = await postgresBackend();
const backends: (Backend | string)[] = [sqliteBackend(), pgOrReason];

after(async () => {
  for (const b of backends) if (typeof b !== 'string') await b.cleanup();
});

function det(id: string, time: number, host = 'WEB01'): DetectionRow {
  return {
    id,
    kind: 'rule',
    ruleId: 'r1',
    title: 'Rule One',
    level: 'high',
    levelRank: 3,
    author: 'Warden',
    tags: ['attack.t1505.003'],
    time,
    host,
    hostKey: host.toLowerCase(),
    file: 'f.log',
    record: 1,
    format: 'json',
    body: JSON.stringify({ id, time }),
  };
}

function inc(id: string, start: number): IncidentRow {
  return {
    id,
    status: 'open',
    mergedInto: null,
    severity: 'high',
    severityRank: 3,
    host: 'WEB01',
    hostKey: 'web01',
    start,
    end: start + 10,
    techniques: ['T1505'],
    users: [],
    memberCount: 1,
    evidenceCount: 1,
    header: JSON.stringify({ id }),
  };
}

function sysmon(n: number): string {
  return JSON.stringify({
    '@timestamp': new Date(Date.now() - 5000 + n).toISOString(),
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: 'WEB09',
    EventRecordID: n,
    Image: 'C:\\Windows\\System32\\cmd.exe',
    CommandLine: `cmd.exe /c whoami #${n}`,
    ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    User: 'IIS APPPOOL\\DefaultAppPool',
  });
}

for (const backend of backends) {
  const name = typeof backend === 'string' ? 'postgres' : backend.name;
  const skip = typeof backend === 'string' ? backend : undefined;
  describe(`serve store on ${name}`, { skip }, () => {
    const b = backend as Backend;

    test('tokens: made once, kept hashed, verified by role, revoked for good', async () => {
      const s = await openStore(await b.fresh());
      try {
        const a = await s.tokens.create('ingest', 'shipper', 1000);
        const r = await s.tokens.create('read', '', 2000);
        assert.match(a.token, /^wdn_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
        assert.deepEqual(await s.tokens.verify(a.token), { id: a.info.id, role: 'ingest' });
        assert.deepEqual(await s.tokens.verify(r.token), { id: r.info.id, role: 'read' });
        // a changed secret, a foreign id, garbage
        assert.equal(await s.tokens.verify(`${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`), undefined);
        assert.equal(await s.tokens.verify(`wdn_${r.info.id}_${a.token.slice(17)}`), undefined);
        assert.equal(await s.tokens.verify('Bearer nonsense'), undefined);
        const raw = JSON.stringify(await s.db.query('SELECT * FROM api_tokens'));
        assert.equal(raw.includes(a.token.slice(17)), false);
        assert.equal(await s.tokens.revoke(a.info.id, 3000), true);
        assert.equal(await s.tokens.revoke(a.info.id, 4000), false);
        assert.equal(await s.tokens.verify(a.token), undefined);
        const list = await s.tokens.list();
        assert.deepEqual(
          list.map((t) => [t.id, t.role, t.name, t.createdAt, t.revokedAt]),
          [
            [a.info.id, 'ingest', 'shipper', 1000, 3000],
            [r.info.id, 'read', '', 2000, null],
          ],
        );
        assert.ok(list[1]!.lastUsedAt !== null, 'use is recorded');
      } finally {
        await s.close();
      }
    });

    test('keyset pages: newest first, ties by id, no repeats or gaps while rows arrive', async () => {
      const s = await openStore(await b.fresh());
      try {
        const rows = Array.from({ length: 53 }, (_, i) => det(`d${String(i).padStart(2, '0')}`, 1000 + Math.floor(i / 4)));
        await s.alerts.insertDetections(rows);
        await s.alerts.insertDetections(rows); // again: nothing doubles
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let k = 0; ; k++) {
          const p = await s.alerts.listDetections({ limit: 10, cursor, rule: 'r1' });
          seen.push(...p.items.map((x) => (JSON.parse(x) as { id: string }).id));
          await s.alerts.insertDetections([det(`new${k}`, 5000 + k), det(`tie${k}`, 1013)]);
          if (!p.next) break;
          cursor = p.next;
        }
        const old = seen.filter((id) => id.startsWith('d'));
        const want = [...rows].sort((x, y) => y.time - x.time || (y.id < x.id ? -1 : 1)).map((r) => r.id);
        assert.deepEqual(old, want);
        assert.equal(new Set(seen).size, seen.length);
        await s.alerts.upsertIncidents([inc('INC-b', 10), inc('INC-a', 10), inc('INC-c', 5)], []);
        const p1 = await s.alerts.listIncidents({ limit: 2 });
        const p2 = await s.alerts.listIncidents({ limit: 2, cursor: p1.next! });
        assert.deepEqual(
          [...p1.items, ...p2.items].map((i) => (JSON.parse(i.header) as { id: string }).id),
          ['INC-b', 'INC-a', 'INC-c'],
        );
        assert.equal(p2.next, null);
      } finally {
        await s.close();
      }
    });

    test('retention drops the oldest first and logs it', async () => {
      const s = await openStore(await b.fresh());
      try {
        await s.alerts.insertDetections(Array.from({ length: 20 }, (_, i) => det(`r${String(i).padStart(2, '0')}`, 1000 * (i + 1))));
        const logged: object[] = [];
        const logger = { info: (o: object) => logged.push(o), warn() {}, error() {} };
        const byAge = await applyRetention(s, { maxAgeMs: 10_500 }, logger, 15_000);
        assert.equal(byAge.detections, 4); // times 1000..4000 are older than 15000 - 10500
        const byCount = await applyRetention(s, { maxDetections: 10 }, logger, 15_000);
        assert.equal(byCount.detections, 6);
        assert.deepEqual((await s.alerts.detectionIds()).slice(0, 2), ['r10', 'r11']);
        assert.equal(logged.length, 2);
      } finally {
        await s.close();
      }
    });

    test('the service on this store: detections and positions committed together; a restart adds nothing twice', async () => {
      const opts = await b.fresh();
      const dir = mkdtempSync(join(tmpdir(), 'warden-serve-store-'));
      const store = opts.url ? `store: ${opts.url}\n` : '';
      const config = parseConfig(`data: ${opts.data ?? join(dir, 'data')}\n${store}pipeline: { tolerance: 200ms, snapshot_every: 200ms }\n`, 'store.yaml');
      let rt = await startRuntime(config, { logger: quiet });
      try {
        await rt.journal.append({ format: 'json', lines: [sysmon(1), sysmon(2)] });
        const count = async (): Promise<number> => (await rt.store.alerts.counts()).detections;
        const wait = async (n: number): Promise<void> => {
          const end = Date.now() + 15_000;
          while ((await count()) < n) {
            if (Date.now() > end) throw new Error(`waited for ${n} detections, have ${await count()}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        await wait(2);
        await new Promise((r) => setTimeout(r, 400));
        const k = await count();
        const positions = await rt.store.service.loadPositions();
        assert.ok(positions.has('ingest'), 'the journal position is committed');
        await rt.stop();
        rt = await startRuntime(config, { logger: quiet });
        await rt.journal.append({ format: 'json', lines: [sysmon(3)] });
        await wait(k + 1);
        await new Promise((r) => setTimeout(r, 600));
        assert.equal(await count(), (k * 3) / 2, 'each event once, none replayed twice');
      } finally {
        await rt.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
