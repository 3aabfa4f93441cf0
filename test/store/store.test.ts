/**
 * The store on both backends: migrations are applied once and tracked per component,
 * baselines keep their records, approvals and watcher state, and nothing leaks between scopes.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, SCHEMA } from '../../src/store/store.js';
import { migrate, schemaVersions, type SchemaComponent } from '../../src/store/migrations.js';
import { toSqlite } from '../../src/store/sqlite.js';
import { StoreError } from '../../src/store/db.js';
import { postgresBackend, sqliteBackend, type Backend } from './backends.js';

test('PostgreSQL-style placeholders become SQLite ones in order of use', () => {
  assert.deepEqual(toSqlite('SELECT $2, $1, $2', ['a', 'b']), { sql: 'SELECT ?, ?, ?', args: ['b', 'a', 'b'] });
  assert.throws(() => toSqlite('SELECT $3', ['a']), StoreError);
});

const pgOrReason = await postgresBackend();
const backends: (Backend | string)[] = [sqliteBackend(), pgOrReason];

after(async () => {
  for (const b of backends) if (typeof b !== 'string') await b.cleanup();
});

for (const backend of backends) {
  const name = typeof backend === 'string' ? 'postgres' : backend.name;
  const skip = typeof backend === 'string' ? backend : undefined;
  describe(`store on ${name}`, { skip }, () => {
    const b = backend as Backend;

    test('opening applies each migration once and records it per component', async () => {
      const opts = await b.fresh();
      const s1 = await openStore(opts);
      const latest = SCHEMA.map((c) => [c.name, c.migrations.length] as [string, number]).sort();
      const versions = await schemaVersions(s1.db);
      assert.deepEqual([...versions].sort(), latest);
      await s1.close();
      // a second open applies nothing new
      const s2 = await openStore(opts);
      const rows = await s2.db.query('SELECT component, version FROM schema_migrations ORDER BY component, version');
      assert.equal(
        rows.length,
        SCHEMA.reduce((n, c) => n + c.migrations.length, 0),
      );
      // another room adds its own sequence without touching the others' numbering
      const extra: SchemaComponent = {
        name: 'testroom',
        migrations: [
          { version: 1, description: 'a table', sql: 'CREATE TABLE testroom_t (id TEXT PRIMARY KEY)' },
          { version: 2, description: 'a column', sql: 'ALTER TABLE testroom_t ADD COLUMN level TEXT' },
        ],
      };
      assert.deepEqual(await migrate(s2.db, [...SCHEMA, extra]), ['testroom#1', 'testroom#2']);
      assert.deepEqual(await migrate(s2.db, [...SCHEMA, extra]), []);
      assert.deepEqual([...(await schemaVersions(s2.db))].sort(), [...latest, ['testroom', 2] as [string, number]].sort());
      await s2.close();
    });

    test('a store written by a newer build is refused with a clear message', async () => {
      const opts = await b.fresh();
      const s = await openStore(opts);
      await s.db.run('INSERT INTO schema_migrations (component, version, description, applied_at) VALUES ($1, $2, $3, $4)', ['baselines', 7, 'future', 1]);
      await s.close();
      await assert.rejects(openStore(opts), /baselines tables are at version 7, newer than this build/);
    });

    test('a failing migration leaves no half-applied version behind', async () => {
      const opts = await b.fresh();
      const s = await openStore(opts);
      const bad: SchemaComponent = { name: 'broken', migrations: [{ version: 1, description: 'bad sql', sql: 'CREATE TABLEX nope (x TEXT)' }] };
      await assert.rejects(migrate(s.db, [bad]), /migration broken #1 \(bad sql\) failed/);
      assert.deepEqual(await s.db.query("SELECT version FROM schema_migrations WHERE component = 'broken'"), []);
      await s.close();
    });

    test('baselines: replace, records, approvals, watcher state, scopes kept apart', async () => {
      const s = await openStore(await b.fresh());
      const room = s.baselines;
      assert.equal(await room.active('/srv/a'), undefined);
      const first = await room.replace(
        '/srv/a',
        [
          { id: 'x', data: '{"v":1}' },
          { id: 'y', data: '{"v":2}' },
        ],
        'alice',
        1000,
        'initial',
      );
      await room.replace('/srv/b', [{ id: 'z', data: '{}' }], 'bob', 1500);
      assert.deepEqual(await room.active('/srv/a'), { id: first.id, scope: '/srv/a', createdAt: 1000, approvedBy: 'alice', note: 'initial', records: 2 });
      assert.deepEqual(
        (await room.records(first.id)).map((r) => [r.id, r.data, r.approvedBy, r.approvedAt]),
        [
          ['x', '{"v":1}', 'alice', 1000],
          ['y', '{"v":2}', 'alice', 1000],
        ],
      );
      await room.observe(
        first.id,
        [
          { id: 'x', data: '{"v":9}' },
          { id: 'w', data: null },
        ],
        [],
        2000,
      );
      assert.deepEqual([...(await room.observed(first.id))].sort(), [
        ['w', null],
        ['x', '{"v":9}'],
      ]);
      await room.approve(
        first.id,
        [
          { recordId: 'x', change: 'modified', before: '{"v":1}', after: '{"v":9}' },
          { recordId: 'y', change: 'removed', before: '{"v":2}', after: null },
          { recordId: 'n', change: 'added', before: null, after: '{"new":true}' },
        ],
        'carol',
        3000,
      );
      assert.deepEqual(
        (await room.records(first.id)).map((r) => [r.id, r.data, r.approvedBy]),
        [
          ['n', '{"new":true}', 'carol'],
          ['x', '{"v":9}', 'carol'],
        ],
      );
      assert.deepEqual([...(await room.observed(first.id))], [['w', null]]);
      assert.deepEqual(
        (await room.approvals(first.id)).map((a) => [a.recordId, a.change, a.approvedBy, a.approvedAt]),
        [
          ['x', 'modified', 'carol', 3000],
          ['y', 'removed', 'carol', 3000],
          ['n', 'added', 'carol', 3000],
        ],
      );
      await room.observe(first.id, [], ['w'], 3500);
      assert.equal((await room.observed(first.id)).size, 0);
      // a new baseline for the scope replaces the old one's records
      const second = await room.replace('/srv/a', [{ id: 'q', data: '1' }], 'dave', 4000);
      assert.notEqual(second.id, first.id);
      assert.deepEqual((await room.records(first.id)).length, 0);
      assert.deepEqual((await room.active('/srv/a'))?.records, 1);
      assert.deepEqual(
        (await room.scopes()).map((x) => [x.scope, x.records]),
        [
          ['/srv/a', 1],
          ['/srv/b', 1],
        ],
      );
      await s.close();
    });

    test('large baselines are written in batches', async () => {
      const s = await openStore(await b.fresh());
      const many = Array.from({ length: 25000 }, (_, i) => ({ id: `item-${String(i).padStart(6, '0')}`, data: `{"i":${i}}` }));
      const info = await s.baselines.replace('/big', many, 'bulk', 1);
      assert.equal(info.records, 25000);
      const back = await s.baselines.records(info.id);
      assert.equal(back.length, 25000);
      assert.equal(back[24999]!.data, '{"i":24999}');
      await s.close();
    });

    test('a failed transaction leaves nothing behind', async () => {
      const s = await openStore(await b.fresh());
      await assert.rejects(
        s.db.transaction(async (tx) => {
          await tx.run('INSERT INTO baselines (scope, created_at, approved_by) VALUES ($1, $2, $3)', ['/t', 1, 'x']);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await s.db.query('SELECT id FROM baselines'), []);
      await s.close();
    });
  });
}

test('a bad --store URL is refused', async () => {
  await assert.rejects(openStore({ url: 'mysql://x' }), /must be a postgres:\/\/ URL/);
});
