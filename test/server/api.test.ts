/**
 * The service API (check 5): through `inject` and through a real socket. Every route but
 * health needs a token, roles are enforced, a revoked token is refused, limits are enforced,
 * hostile bodies (huge, invalid JSON, gzip bombs, 10,000 fields) get a 4xx and the service
 * goes on, and keyset pages neither repeat nor skip while detections arrive.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../src/server/config.js';
import { buildApi } from '../../src/server/api/app.js';
import { startServer, type Server } from '../../src/server/daemon.js';
import type { DetectionRow } from '../../src/store/alerts.js';

const quiet = { info() {}, warn() {}, error() {} };

function sysmonShell(n: number, host = 'WEB07'): string {
  return JSON.stringify({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: host,
    EventRecordID: n,
    UtcTime: new Date(Date.now() - 1000).toISOString().replace('T', ' ').replace('Z', ''),
    Image: 'C:\\Windows\\System32\\cmd.exe',
    CommandLine: `cmd.exe /c whoami #${n}`,
    ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    User: 'IIS APPPOOL\\DefaultAppPool',
    ProcessId: 4000 + n,
  });
}

async function until(pred: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('service API', () => {
  let dir: string;
  let server: Server;
  const tok: Record<'ingest' | 'read' | 'admin' | 'revoked', string> = { ingest: '', read: '', admin: '', revoked: '' };
  const auth = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-api-'));
    const config = parseConfig(
      `data: ${join(dir, 'data')}
listen: 127.0.0.1:0
pipeline: { tolerance: 200ms, snapshot_every: 500ms }
ingest: { max_body: 4194304, max_lines: 1000, max_line: 524288, max_fields: 500 }
`,
      'api-test.yaml',
    );
    server = await startServer(config, { logger: quiet });
    const t = server.runtime.store.tokens;
    tok.ingest = (await t.create('ingest', 'shipper')).token;
    tok.read = (await t.create('read', 'analyst')).token;
    tok.admin = (await t.create('admin', 'ops')).token;
    const r = await t.create('read', 'old');
    tok.revoked = r.token;
    assert.equal(await t.revoke(r.info.id), true);
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('health is open; every other route needs a valid token', async () => {
    const app = server.app;
    assert.equal((await app.inject({ url: '/api/v1/health' })).statusCode, 200);
    for (const url of ['/api/v1/detections', '/api/v1/incidents', '/api/v1/findings', '/api/v1/sources', '/api/v1/rules', '/metrics', '/api/v1/openapi.json', '/api/v1/tokens']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 401, url);
      assert.match(r.headers['www-authenticate'] as string, /^Bearer/);
      assert.equal((await app.inject({ url, headers: auth('wdn_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') })).statusCode, 401, url);
      assert.equal((await app.inject({ url, headers: { authorization: 'Basic dXNlcjpwYXNz' } })).statusCode, 401, url);
    }
    const r = await app.inject({ method: 'POST', url: '/api/v1/ingest', payload: sysmonShell(1) });
    assert.equal(r.statusCode, 401);
  });

  test('roles: ingest only ingests, read only reads, admin does both and manages tokens', async () => {
    const app = server.app;
    const get = (url: string, t: string): Promise<number> => app.inject({ url, headers: auth(t) }).then((r) => r.statusCode);
    const post = (t: string): Promise<number> => app.inject({ method: 'POST', url: '/api/v1/ingest', headers: auth(t), payload: `${sysmonShell(2)}\n` }).then((r) => r.statusCode);
    assert.equal(await get('/api/v1/detections', tok.ingest), 403);
    assert.equal(await get('/api/v1/detections', tok.read), 200);
    assert.equal(await get('/api/v1/detections', tok.admin), 200);
    assert.equal(await post(tok.read), 403);
    assert.equal(await post(tok.ingest), 202);
    assert.equal(await post(tok.admin), 202);
    assert.equal(await get('/api/v1/tokens', tok.read), 403);
    assert.equal(await get('/api/v1/tokens', tok.admin), 200);
    // a token made through the API works at once, and stops working once revoked
    const made = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth(tok.admin), payload: { role: 'read', name: 'api' } });
    assert.equal(made.statusCode, 201);
    const { token, id } = made.json() as { token: string; id: string };
    assert.equal(await get('/api/v1/sources', token), 200);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: auth(tok.admin) })).statusCode, 204);
    assert.equal(await get('/api/v1/sources', token), 401);
  });

  test('a revoked token is refused; tokens are stored hashed', async () => {
    const r = await server.app.inject({ url: '/api/v1/detections', headers: auth(tok.revoked) });
    assert.equal(r.statusCode, 401);
    assert.match(r.json().message as string, /revoked/);
    const rows = await server.runtime.store.db.query('SELECT * FROM api_tokens');
    const dump = JSON.stringify(rows);
    for (const t of Object.values(tok)) assert.equal(dump.includes(t.slice(17)), false, 'no secret in the store');
    const listed = (await server.app.inject({ url: '/api/v1/tokens', headers: auth(tok.admin) })).body;
    for (const t of Object.values(tok)) assert.equal(listed.includes(t.slice(17)), false, 'no secret in the list');
  });

  test('hostile ingest bodies get a 4xx and the service goes on', async () => {
    const app = server.app;
    const ingest = (payload: Buffer | string, headers: Record<string, string> = {}, query = ''): Promise<{ statusCode: number; message: string }> =>
      app
        .inject({ method: 'POST', url: `/api/v1/ingest${query}`, headers: { ...auth(tok.ingest), 'content-type': 'application/x-ndjson', ...headers }, payload })
        .then((r) => ({ statusCode: r.statusCode, message: String((r.json() as { message?: string }).message ?? '') }));
    // over the body limit (4 MiB)
    const huge = await ingest(Buffer.alloc(5 << 20, 0x61));
    assert.equal(huge.statusCode, 413);
    // invalid JSON, named by line
    const invalid = await ingest(`${sysmonShell(3)}\n{"EventID": 1,\n`);
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.message, /^line 2: invalid JSON/);
    // not an object
    assert.equal((await ingest('[1,2,3]\n')).statusCode, 400);
    assert.equal((await ingest('"text"\n')).statusCode, 400);
    // 10,000 fields in one event
    const wide: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) wide[`f${i}`] = i;
    const fields = await ingest(JSON.stringify(wide));
    assert.equal(fields.statusCode, 400);
    assert.match(fields.message, /more than 500 fields/);
    // nested deeper than anyone needs
    const deep = await ingest(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`);
    assert.equal(deep.statusCode, 400);
    assert.match(deep.message, /nested deeper/);
    // a gzip bomb: 64 MiB of zeros in ~64 KiB, inflated only up to the 4 MiB cap
    const bomb = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
    assert.ok(bomb.length < 1 << 20);
    const b = await ingest(bomb, { 'content-encoding': 'gzip' });
    assert.equal(b.statusCode, 413);
    assert.match(b.message, /inflates past the limit/);
    // not gzip at all, an unknown encoding, a line too long, too many lines, an unknown format
    assert.equal((await ingest(Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).statusCode, 400);
    assert.equal((await ingest(sysmonShell(4), { 'content-encoding': 'br' })).statusCode, 415);
    assert.equal((await ingest(`{"a":"${'x'.repeat(600_000)}"}`)).statusCode, 413);
    assert.equal((await ingest(Array.from({ length: 1001 }, (_, i) => `{"n":${i}}`).join('\n'))).statusCode, 413);
    assert.equal((await ingest('a line', {}, '?format=nosuch')).statusCode, 400);
    assert.equal((await ingest('a line', {}, '?format=evtx')).statusCode, 400);
    // none of it was journaled; a good batch, gzip or not, still goes through
    const ok = await ingest(gzipSync(`${sysmonShell(5)}\n${sysmonShell(6)}\n`), { 'content-encoding': 'gzip' });
    assert.deepEqual(ok, { statusCode: 202, message: '' });
    assert.equal((await app.inject({ url: '/api/v1/health' })).json().status, 'ok');
    const metrics = (await app.inject({ url: '/metrics', headers: auth(tok.read) })).body;
    assert.match(metrics, /^warden_ingest_refused_total 12$/m);
    assert.match(metrics, /^warden_dropped_events_total 0$/m);
  });

  test('keyset pages neither repeat nor skip while detections arrive', async () => {
    const store = server.runtime.store;
    const row = (id: string, time: number): DetectionRow => ({
      id,
      kind: 'rule',
      ruleId: 'r-page',
      title: 'paging test',
      level: 'low',
      levelRank: 1,
      author: 't',
      tags: ['paging'],
      time,
      host: 'PAGER',
      hostKey: 'pager',
      file: 'f',
      record: 1,
      format: null,
      body: JSON.stringify({ id, time }),
    });
    // 100 rows, many sharing a time (ties are broken by id)
    const base = Date.parse('2026-01-01T00:00:00Z');
    const first = Array.from({ length: 100 }, (_, i) => row(`p${String(i).padStart(3, '0')}`, base + Math.floor(i / 7) * 1000));
    await store.alerts.insertDetections(first);
    const seen: string[] = [];
    let cursor: string | null = null;
    let k = 0;
    do {
      const r: Awaited<ReturnType<typeof server.app.inject>> = await server.app.inject({
        url: `/api/v1/detections?rule=r-page&limit=9${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth(tok.read),
      });
      assert.equal(r.statusCode, 200);
      const page = r.json() as { items: { id: string; time: number }[]; next: string | null };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next;
      // new detections keep arriving, newer than anything listed and at the newest time listed
      await store.alerts.insertDetections([row(`q${k}`, base + 10_000_000 + k), row(`z${k}`, base + 14_000)]);
      k++;
    } while (cursor);
    const old = seen.filter((id) => id.startsWith('p'));
    assert.equal(old.length, 100, 'every row present at the start is listed');
    assert.equal(new Set(seen).size, seen.length, 'no row is listed twice');
    assert.deepEqual(
      old,
      [...old].sort((a, b) => (a < b ? 1 : -1)).sort((a, b) => first.find((x) => x.id === b)!.time - first.find((x) => x.id === a)!.time),
    );
    assert.equal((await server.app.inject({ url: '/api/v1/detections?cursor=bogus', headers: auth(tok.read) })).statusCode, 400);
    assert.equal((await server.app.inject({ url: '/api/v1/detections?limit=5000', headers: auth(tok.read) })).statusCode, 400);
  });

  test('over a real socket: ingest answers after the journal, the detection and its incident become queryable', async () => {
    const url = server.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const body = gzipSync(`${sysmonShell(100, 'SOCKET01')}\n`);
    const r = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { ...auth(tok.ingest), 'content-encoding': 'gzip', 'content-type': 'application/x-ndjson' }, body });
    assert.equal(r.status, 202);
    assert.deepEqual(await r.json(), { accepted: 1 });
    await until(async () => {
      const d = (await (await fetch(`${url}/api/v1/detections?host=SOCKET01`, { headers: auth(tok.read) })).json()) as { items: unknown[] };
      return d.items.length > 0;
    }, 'the detection');
    const d = (await (await fetch(`${url}/api/v1/detections?host=SOCKET01`, { headers: auth(tok.read) })).json()) as {
      items: { rule: { title: string }; host: string }[];
      next: null;
    };
    assert.equal(d.next, null);
    assert.ok(d.items.every((i) => i.host === 'SOCKET01'));
    assert.ok(d.items.some((i) => /Shell/i.test(i.rule.title)));
    await until(async () => {
      const i = (await (await fetch(`${url}/api/v1/incidents?host=SOCKET01`, { headers: auth(tok.read) })).json()) as { items: unknown[] };
      return i.items.length === 1;
    }, 'the incident');
    const inc = (await (await fetch(`${url}/api/v1/incidents?host=SOCKET01`, { headers: auth(tok.read) })).json()) as { items: { id: string; techniques: string[] }[] };
    const one = (await (await fetch(`${url}/api/v1/incidents/${inc.items[0]!.id}`, { headers: auth(tok.read) })).json()) as { timeline: { title: string }[]; triage: string };
    assert.ok(one.timeline.length >= 1);
    assert.equal(one.triage, 'new');
    // a body over the limit is refused on the wire too, and the service still answers
    const big = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: auth(tok.ingest), body: Buffer.alloc(5 << 20, 0x7b) });
    assert.equal(big.status, 413);
    assert.equal((await fetch(`${url}/api/v1/health`)).status, 200);
    const hdr = (await fetch(`${url}/api/v1/health`)).headers;
    assert.equal(hdr.get('x-content-type-options'), 'nosniff', 'helmet headers are set');
    const m = await (await fetch(`${url}/metrics`, { headers: auth(tok.read) })).text();
    assert.match(m, /^# TYPE warden_events_in_total counter$/m);
    assert.match(m, /^warden_source_events_total\{source="ingest",kind="journal"\} \d+$/m);
  });

  test('rate limit: past the budget a caller gets 429 with Retry-After', async () => {
    const app = await buildApi({
      view: server.runtime.service,
      store: server.runtime.store,
      limits: { maxBodyBytes: 1 << 20, maxLines: 10, maxLineBytes: 1000, maxFields: 10 },
      rateLimitPerMinute: 3,
    });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/api/v1/sources', headers: auth(tok.read) })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429, 429]);
    const r = await app.inject({ url: '/api/v1/sources', headers: auth(tok.read) });
    assert.ok(Number(r.headers['retry-after']) > 0);
    // another token has its own budget
    assert.equal((await app.inject({ url: '/api/v1/sources', headers: auth(tok.admin) })).statusCode, 200);
    await app.close();
  });
});
