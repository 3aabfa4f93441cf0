/**
 * `warden serve` in its cluster roles against a real NATS JetStream and PostgreSQL: a
 * collector tails a log and publishes it, an api role serves the store and the partitions'
 * lag, a worker detects. The collector is killed with SIGKILL halfway and restarted from the
 * start of the file (which grew meanwhile), so it publishes 60 % of it a second time in
 * differently cut batches; the api returns exactly the detections a local `warden hunt` makes of the
 * file, the worker read every event exactly once, and /metrics shows each partition's lag
 * building up while no worker runs and falling to 0 once one does.
 *
 * Needs NATS with JetStream (WARDEN_TEST_NATS) and PostgreSQL (WARDEN_TEST_PG); skips with the
 * reason when either does not answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { destroyTopology } from '../../src/stream/connect.js';
import { huntResult, NATS_URL, natsAnswers, plantedLogs, until } from '../helpers/cluster.js';
import { type Child, CLI, freePort, startServe } from '../server/helpers/child.js';
import { postgresBackend } from '../store/backends.js';
import { readUntil } from '../helpers/sse.js';

const EVENTS = 8000;
const HOSTS = 10;
const PARTITIONS = 4;

/** A Sysmon process-creation event of host WEB<host>. */
function sysmon(host: number, rid: number, t: number, image: string, parent = 'C:\\Windows\\System32\\services.exe'): string {
  return `${JSON.stringify({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: `WEB${String(host).padStart(3, '0')}.corp.example`,
    EventRecordID: rid,
    UtcTime: new Date(t).toISOString().replace('T', ' ').replace('Z', ''),
    Image: `C:\\Windows\\System32\\${image}`,
    ParentImage: parent,
    CommandLine: image,
  })}\n`;
}

/** One event of a host, hours after the planted ones: it moves its partition's event time past their windows. */
const trailer = (host: number, t: number): string => sysmon(host, 1_000_000 + host, t, 'svchost.exe');

/** The samples of a Prometheus metric, by their labels. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]));
  }
  return out;
}

test('roles: collector → JetStream → worker → PostgreSQL → api; detections equal a local hunt, lag falls to 0', { timeout: 10 * 60_000 }, async (t) => {
  const nc = await natsAnswers(NATS_URL);
  if (typeof nc === 'string') return t.skip(nc);
  const pg = await postgresBackend();
  if (typeof pg === 'string') {
    await nc.close();
    return t.skip(pg);
  }
  const dir = mkdtempSync(join(tmpdir(), 'warden-roles-'));
  const namespace = `wr${process.pid}${Date.now().toString(36)}`;
  const children: Child[] = [];
  const { url: storeUrl } = await pg.fresh();
  try {
    // the log: planted sequences of 10 hosts, then one late event per host
    const logs = await plantedLogs(join(dir, 'logs'), { events: EVENTS, hosts: HOSTS, files: 1, every: 200 });
    const lines = readFileSync(logs.files[0]!, 'utf8').split(/(?<=\n)/);
    const end = Date.UTC(2026, 0, 5) + EVENTS * 200 + 3 * 3_600_000;
    for (let h = 0; h < HOSTS; h++) lines.push(trailer(h, end + h * 1000));
    const feed = join(dir, 'feed');
    mkdirSync(feed);
    const tailed = join(feed, 'sysmon.jsonl');
    const half = Math.floor(lines.length * 0.6);
    writeFileSync(tailed, lines.slice(0, half).join(''));

    const collectorData = join(dir, 'collector');
    const collectorYaml = join(dir, 'collector.yaml');
    writeFileSync(
      collectorYaml,
      `role: collector
data: ${collectorData}
listen: 127.0.0.1:${await freePort()}
jetstream:
  url: ${NATS_URL}
  namespace: ${namespace}
  partitions: ${PARTITIONS}
  retention: { max_age: 1h, dedup_window: 10m, replicas: 1 }
sources:
  - { name: sysmon, type: tail, paths: ["${tailed}"] }
`,
    );
    const clusterYaml = join(dir, 'cluster.yaml');
    writeFileSync(
      clusterYaml,
      `rules: { builtin: false, paths: ["${logs.rulesDir}"] }\npipeline: { tolerance: 5s }\njetstream: { namespace: ${namespace}, partitions: ${PARTITIONS} }\n`,
    );
    const tokenFor = (role: string, where: string[]): string =>
      execFileSync(process.execPath, [CLI, 'token', 'create', '--role', role, ...where], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const collectorToken = tokenFor('read', ['--data', collectorData]);
    const collectorIngest = tokenFor('ingest', ['--data', collectorData]);
    const readToken = tokenFor('read', ['--store', storeUrl!]);
    const ingestToken = tokenFor('ingest', ['--store', storeUrl!]);
    const get = async (base: string, path: string, token = readToken): Promise<string> => {
      const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      assert.equal(r.status, 200, `${path}: ${text}`);
      return text;
    };

    const api = await startServe(['-c', clusterYaml, '--role', 'api', '--store', storeUrl!, '--jetstream', NATS_URL, '--listen', `127.0.0.1:${await freePort()}`]);
    children.push(api);
    // HTTP ingest is for collectors: the api role says so
    const refused = await fetch(`${api.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${ingestToken}` }, body: '{"a":1}\n' });
    assert.equal(refused.status, 404);
    assert.match(((await refused.json()) as { message: string }).message, /role api.*warden serve --role collector/);

    // the collector ships the first 60 %, is killed, the file grows, a new collector ships the rest
    const shipped = async (c: Child): Promise<number> => samples(await get(c.url, '/metrics', collectorToken), 'warden_events_shipped_total').get('') ?? 0;
    let collector = await startServe(['-c', collectorYaml]);
    children.push(collector);
    await until(async () => (await shipped(collector)) >= half, `the collector shipping ${half} events`, 120_000);
    collector.proc.kill('SIGKILL');
    await collector.exited;
    // the worst a crash between JetStream's acknowledgement and the saved position can do: the
    // position is older than what was published, here the very start; the file has grown, so
    // the batches read again are cut differently and their de-duplication ids differ
    const local = await openStore({ data: collectorData });
    await local.db.run('DELETE FROM source_positions');
    await local.close();
    appendFileSync(tailed, lines.slice(half).join(''));
    collector = await startServe(['-c', collectorYaml]);
    children.push(collector);
    await until(async () => (await shipped(collector)) >= lines.length, 'the restarted collector shipping the whole file again', 120_000);
    // HTTP ingest at the collector: journaled, then published like the file (a web shell
    // sequence after the file's events, and a later event that moves its partition's time past it)
    const posted = [
      sysmon(0, 2_000_000, end + 600_000, 'cmd.exe', 'C:\\Windows\\System32\\inetsrv\\w3wp.exe'),
      sysmon(0, 2_000_001, end + 660_000, 'whoami.exe', 'C:\\Windows\\System32\\cmd.exe'),
      sysmon(0, 2_000_002, end + 7_200_000, 'svchost.exe'),
    ];
    const ingestFile = join(dir, 'ingested.jsonl');
    writeFileSync(ingestFile, posted.join(''));
    const accepted = await fetch(`${collector.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${collectorIngest}` }, body: posted.join('') });
    assert.equal(accepted.status, 202, await accepted.clone().text());
    await until(async () => (await shipped(collector)) >= lines.length + posted.length, 'the ingested events published', 60_000);

    // no worker yet: the partitions' messages wait
    const pending = async (): Promise<Map<string, number>> => samples(await get(api.url, '/metrics'), 'warden_partition_pending_messages');
    await until(async () => [...(await pending()).values()].reduce((a, b) => a + b, 0) > 0, 'pending messages shown', 30_000);
    const waiting = await pending();
    assert.equal(waiting.size, PARTITIONS, 'every partition has its lag');
    t.diagnostic(`pending before the worker: ${JSON.stringify(Object.fromEntries(waiting))}`);

    // the api's live feed hears of the worker's commits (over NATS: the api commits nothing itself)
    const liveAbort = new AbortController();
    const live = await fetch(`${api.url}/api/v1/live`, { headers: { authorization: `Bearer ${readToken}` }, signal: liveAbort.signal });
    assert.equal(live.status, 200);
    const heard = readUntil(live.body!, (got) => got.some((m) => m.event === 'detections'), 300_000);
    heard.catch(() => undefined);

    const worker = await startServe(['-c', clusterYaml, '--role', 'worker', '--store', storeUrl!, '--jetstream', NATS_URL, '--listen', `127.0.0.1:${await freePort()}`]);
    children.push(worker);
    await until(
      async () => {
        const m = await get(api.url, '/metrics');
        const p = samples(m, 'warden_partition_pending_messages');
        const a = samples(m, 'warden_partition_ack_pending_messages');
        const owners = [...samples(m, 'warden_partition_owner').keys()];
        return p.size === PARTITIONS && [...p.values(), ...a.values()].every((v) => v === 0) && owners.every((o) => !o.includes('worker=""'));
      },
      'every partition consumed (lag 0) and held',
      300_000,
    );
    const metrics = await get(api.url, '/metrics');
    const owners = [...samples(metrics, 'warden_partition_owner').keys()].map((k) => /worker="([^"]*)"/.exec(k)![1]);
    assert.equal(new Set(owners).size, 1, 'the one worker holds every partition');
    for (const [labels, seq] of samples(metrics, 'warden_partition_committed_sequence')) if ((waiting.get(labels) ?? 0) > 0) assert.ok(seq > 0, `${labels} committed`);

    // the same detections as a local hunt over the same file, id for id
    const expected = await huntResult({ ...logs, files: [tailed, ingestFile] });
    assert.equal((await huntResult({ ...logs, files: [ingestFile] })).detections.length, 1, 'the ingested sequence is a detection');
    assert.ok(expected.detections.length > 20, `the planted sequences are detected (${expected.detections.length})`);
    const ids: string[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = JSON.parse(await get(api.url, `/api/v1/detections?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as {
        items: { id: string }[];
        next: string | null;
      };
      ids.push(...page.items.map((d) => d.id));
      cursor = page.next;
    }
    assert.deepEqual(ids.sort(), expected.detections, 'the api returns exactly the detections of `warden hunt`');
    const announced = (await heard).got.filter((m) => m.event === 'detections');
    liveAbort.abort();
    assert.ok(announced.length > 0 && (announced[0]!.data['count'] as number) > 0, 'the live feed announced committed detections');
    const known = new Set(ids);
    for (const m of announced) for (const id of m.data['ids'] as string[]) assert.ok(known.has(id), `announced ${id} is a stored detection`);
    t.diagnostic(`${lines.length + posted.length} events (${half} of them published twice), ${ids.length} detections equal to hunt's`);

    // /api/v1/sources of the api: every partition with its lag and holder
    const sources = JSON.parse(await get(api.url, '/api/v1/sources')) as { items: { kind: string; partition: number; pending: number; ackPending: number; holder: string }[] };
    assert.deepEqual(
      sources.items.map((s) => [s.kind, s.partition, s.pending, s.ackPending, s.holder]),
      [0, 1, 2, 3].map((p) => ['jetstream', p, 0, 0, owners[0]]),
    );
    // the worker's own /metrics: the same partitions, and every event of the file read exactly once
    const wm = await get(worker.url, '/metrics', readToken);
    assert.equal(samples(wm, 'warden_partition_pending_messages').size, PARTITIONS);
    assert.equal(samples(wm, 'warden_events_in_total').get(''), lines.length + posted.length, 'each event once: none lost, none doubled by the collector restart');
    assert.equal(samples(wm, 'warden_detections_total').get(''), expected.detections.length);

    for (const c of children.splice(0).reverse()) {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) continue;
      c.proc.kill('SIGTERM');
      assert.equal(await c.exited, 0, `clean stop:\n${c.log().slice(-2000)}`);
    }
  } finally {
    for (const c of children) c.proc.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await destroyTopology(nc, namespace);
    await nc.close();
    await pg.cleanup();
    if (!process.env['WARDEN_CLUSTER_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
});
