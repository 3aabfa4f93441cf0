/**
 * The live feed `/api/v1/live` (issue 13: a new incident appears without a reload): server-sent
 * events over a real socket, with a token; what is committed is announced (ids, counts, levels,
 * never event content); the stream count is capped; a stopping service ends its streams.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/server/config.js';
import { startServer, type Server } from '../../src/server/daemon.js';
import { readUntil } from '../helpers/sse.js';

const quiet = { info() {}, warn() {}, error() {} };

function sysmonShell(n: number): string {
  return JSON.stringify({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: 'WEB09',
    EventRecordID: n,
    UtcTime: new Date(Date.now() - 1000).toISOString().replace('T', ' ').replace('Z', ''),
    Image: 'C:\\Windows\\System32\\cmd.exe',
    CommandLine: `cmd.exe /c whoami <img src=x onerror=alert(1)> #${n}`,
    ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    User: 'IIS APPPOOL\\DefaultAppPool',
    ProcessId: 4000 + n,
  });
}

describe('live feed', () => {
  let dir: string;
  let server: Server;
  let read = '';
  let ingest = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-live-'));
    const config = parseConfig(`data: ${join(dir, 'data')}\nlisten: 127.0.0.1:0\npipeline: { tolerance: 200ms, snapshot_every: 500ms }\n`, 'live-test.yaml');
    server = await startServer(config, { logger: quiet });
    read = (await server.runtime.store.tokens.create('read', 'console')).token;
    ingest = (await server.runtime.store.tokens.create('ingest', 'shipper')).token;
  });

  after(async () => {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('needs a read token; announces committed detections and incidents by id, never their content', async () => {
    assert.equal((await fetch(`${server.url}/api/v1/live`)).status, 401);
    assert.equal((await fetch(`${server.url}/api/v1/live`, { headers: { authorization: `Bearer ${ingest}` } })).status, 403);
    const res = await fetch(`${server.url}/api/v1/live`, { headers: { authorization: `Bearer ${read}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const hello = await readUntil(res.body!, (g) => g.some((m) => m.event === 'hello'));
    assert.match(hello.text, /^retry: 3000\nevent: hello\n/);
    const posted = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/x-ndjson' },
      body: `${sysmonShell(1)}\n${sysmonShell(2)}\n`,
    });
    assert.equal(posted.status, 202);
    const { got, text } = await readUntil(res.body!, (g) => g.some((m) => m.event === 'detections') && g.some((m) => m.event === 'incidents'));
    const det = got.find((m) => m.event === 'detections')!.data as { count: number; ids: string[]; maxLevel: string };
    assert.ok(det.count >= 2, `count ${det.count}`);
    assert.equal(det.ids.length, det.count);
    // each announced id is a committed detection the API returns
    for (const id of det.ids) {
      const r = await fetch(`${server.url}/api/v1/detections/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${read}` } });
      assert.equal(r.status, 200, id);
      // one detection says which of its event's fields made the rule match (the console marks them)
      const d = (await r.json()) as { kind: string; event: Record<string, unknown>; matched?: string[] };
      if (d.kind !== 'rule') continue;
      assert.ok(d.matched && d.matched.length > 0, `matched fields of ${id}`);
      for (const f of d.matched) assert.ok(f in d.event, f);
    }
    const inc = got.find((m) => m.event === 'incidents')!.data as { updates: { id: string; kind: string; severity: string; hostKey: string }[] };
    assert.equal(inc.updates[0]!.hostKey, 'web09');
    assert.equal(inc.updates[0]!.kind, 'opened');
    assert.doesNotMatch(text, /whoami|onerror/, 'event content never travels on the feed');
    // the coverage view learns which data sources are fed now
    const cov = (await (await fetch(`${server.url}/api/v1/coverage`, { headers: { authorization: `Bearer ${read}` } })).json()) as { receiving: Record<string, string> };
    assert.deepEqual(Object.keys(cov.receiving), ['process_creation']);
    assert.ok(Date.now() - Date.parse(cov.receiving.process_creation!) < 60_000);
    await res.body!.cancel();
  });

  test('a stopping service ends its open streams (stop does not hang on them)', async () => {
    const res = await fetch(`${server.url}/api/v1/live`, { headers: { authorization: `Bearer ${read}` } });
    await readUntil(res.body!, (g) => g.some((m) => m.event === 'hello'));
    const stopped = server.stop();
    const r = await readUntil(res.body!, () => false, 20_000);
    assert.equal(r.ended, true);
    await stopped;
  });
});
