/**
 * With the incident member budget the pipeline holds only an open incident's newest members,
 * so the store is where an incident's whole time line lives: every member is written as it is
 * added, and when one incident absorbs another the store copies the absorbed members itself.
 * Run as the service commits (each batch's updates in one transaction), on both backends.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection } from '../../src/event/detection.js';
import { detectionId } from '../../src/event/identity.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { incidentRows } from '../../src/output/store-rows.js';
import { openStore } from '../../src/store/store.js';
import { postgresBackend, sqliteBackend, type Backend } from './backends.js';

const pgOrReason = await postgresBackend();
const backends: (Backend | string)[] = [sqliteBackend(), pgOrReason];

after(async () => {
  for (const b of backends) if (typeof b !== 'string') await b.cleanup();
});

const T0 = Date.UTC(2026, 0, 1);

function det(i: number, user: string | undefined): Detection {
  return {
    id: detectionId('r-shell', `file\u0000sysmon.jsonl\u0000${i + 1}`),
    kind: 'rule',
    rule: { id: 'r-shell', title: 'IIS spawns a shell', level: 'high', status: 'test', author: 'Tester', tags: ['attack.t1505.003'], references: [] },
    origin: { file: 'sysmon.jsonl', record: i + 1, format: 'json' },
    logsource: {},
    timestamp: T0 + i * 1000,
    host: 'WEB0',
    event: user === undefined ? { Image: 'cmd.exe' } : { Image: 'cmd.exe', User: user },
  };
}

for (const backend of backends) {
  const name = typeof backend === 'string' ? 'postgres' : backend.name;
  const skip = typeof backend === 'string' ? backend : false;
  describe(`incident members on ${name}`, { skip }, () => {
    test('all 700 members of a merged incident are stored while the pipeline holds at most 20', async () => {
      const store = await openStore(await (backend as Backend).fresh());
      try {
        // alice and bob stay apart (600 detections), a detection naming no user joins them, alice goes on.
        const ds: Detection[] = [];
        for (let i = 0; i < 600; i++) ds.push(det(i, i % 2 ? 'alice' : 'bob'));
        ds.push(det(600, undefined));
        for (let i = 601; i < 700; i++) ds.push(det(i, 'alice'));
        const p = new Pipeline({ correlations: [] }, { outOfOrderToleranceMs: 0, incidents: { windowMs: 3_600_000, maxMembers: 20 } });
        const ids = new Set<string>();
        let absorbed = '';
        for (let i = 0; i < ds.length; i += 50) {
          const updates = p.pushDetections(ds.slice(i, i + 50)).incidents;
          for (const u of updates) {
            ids.add(u.incident.id);
            if (u.kind === 'merged') absorbed = u.incident.id;
          }
          const rows = incidentRows(updates);
          await store.db.transaction((tx) => store.alerts.upsertIncidents(rows.incidents, rows.members, tx));
        }
        assert.equal(ids.size, 2);
        assert.ok(absorbed);
        const held = p.snapshot().incidents!.incidents;
        assert.equal(held.length, 1);
        assert.ok(held[0]!.members.length <= 20);
        const target = held[0]!.inc.id;
        const got = (await store.alerts.getIncident(target))!;
        assert.equal(got.members.length, 700, 'the absorber has every member, its own and the absorbed ones');
        assert.equal(JSON.parse(got.header).memberCount, 700);
        assert.deepEqual(new Set(got.members.map((m) => (JSON.parse(m) as { id: string }).id)), new Set(ds.map((d) => d.id)));
        assert.equal((await store.alerts.getIncident(absorbed))!.members.length, 300, 'the absorbed incident keeps its own time line');
      } finally {
        await store.close();
      }
    });
  });
}
