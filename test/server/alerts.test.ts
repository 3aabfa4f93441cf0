/**
 * Alerts out: one alert per new incident (not per detection) and one more when it rises past
 * its level, to a webhook (HMAC-signed, retried after a failure), a syslog receiver (CEF over
 * UDP) and a JSONL file; queued in the store's outbox, so an alert the webhook could not take
 * is sent after a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/server/config.js';
import { AlertDispatcher } from '../../src/server/alerts-out.js';
import { formatCef } from '../../src/server/alert-senders.js';
import { startRuntime, type Runtime } from '../../src/server/runtime.js';

const quiet = { info() {}, warn() {}, error() {} };

function proc(n: number, image: string, parent = 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', host = 'WEB05'): string {
  return JSON.stringify({
    '@timestamp': new Date(Date.now() - 10_000 + n).toISOString(),
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: host,
    EventRecordID: n,
    Image: image,
    CommandLine: `${image} #${n}`,
    ParentImage: parent,
    User: 'IIS APPPOOL\\DefaultAppPool',
    ProcessId: 5000 + n,
  });
}

async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('one alert per incident on every channel, retried, signed, surviving a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-alerts-'));
  const hooks: { body: string; sig: string; delivery: string }[] = [];
  let failNext = 1;
  let down = false;
  const web = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (down || failNext > 0) {
        failNext--;
        res.writeHead(500).end();
        return;
      }
      hooks.push({ body, sig: String(req.headers['x-warden-signature']), delivery: String(req.headers['x-warden-delivery']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const webPort = (web.address() as { port: number }).port;
  const syslogMsgs: string[] = [];
  const udp = createSocket('udp4');
  udp.on('message', (m) => syslogMsgs.push(m.toString()));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const udpPort = udp.address().port;
  process.env['WARDEN_TEST_HOOK_SECRET'] = 's3cret';
  const config = parseConfig(
    `data: ${join(dir, 'data')}
pipeline: { tolerance: 200ms, snapshot_every: 300ms }
alerts:
  - { type: webhook, name: soar, url: "http://127.0.0.1:${webPort}/hook", secret: "env:WARDEN_TEST_HOOK_SECRET", min_level: medium }
  - { type: syslog, name: siem, target: "udp://127.0.0.1:${udpPort}", format: cef, min_level: high }
  - { type: jsonl, name: file, path: "${join(dir, 'alerts.jsonl')}", min_level: low, tags: [attack.t1505] }
  - { type: jsonl, name: other, path: "${join(dir, 'other.jsonl')}", min_level: low, tags: [attack.t1003] }
`,
    'alerts.yaml',
  );
  const start = async (): Promise<{ rt: Runtime; alerts: AlertDispatcher }> => {
    const alerts = new AlertDispatcher(config.alerts, quiet, { baseBackoffMs: 100, pollMs: 50 });
    const rt = await startRuntime(config, { logger: quiet, alerts });
    alerts.start(rt.store);
    return { rt, alerts };
  };
  let { rt, alerts } = await start();
  try {
    // three shells from the web server on one host: several detections, one incident
    await rt.journal.append({
      format: 'json',
      lines: [proc(1, 'C:\\Windows\\System32\\cmd.exe'), proc(2, 'C:\\Windows\\System32\\cmd.exe'), proc(3, 'C:\\Windows\\System32\\cmd.exe')],
    });
    await until(() => hooks.length >= 1 && syslogMsgs.length >= 1 && existsSync(join(dir, 'alerts.jsonl')), 'the first alerts');
    await new Promise((r) => setTimeout(r, 600));
    const detections = (await rt.store.alerts.counts()).detections;
    assert.ok(detections >= 3, `${detections} detections`);
    assert.equal((await rt.store.alerts.listIncidents({ limit: 10 })).items.length, 1);
    assert.equal(hooks.length, 1, 'one webhook alert for the incident, not one per detection');
    assert.equal(syslogMsgs.length, 1);
    const lines = readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(existsSync(join(dir, 'other.jsonl')), false, 'the tag filter holds');
    const a = JSON.parse(hooks[0]!.body) as { type: string; incident: { host: string; severity: string; techniques: string[] } };
    assert.equal(a.type, 'incident.opened');
    assert.equal(a.incident.host, 'WEB05');
    assert.ok(a.incident.techniques.includes('T1505'));
    assert.equal(hooks[0]!.sig, `sha256=${createHmac('sha256', 's3cret').update(hooks[0]!.body).digest('hex')}`);
    assert.match(syslogMsgs[0]!, /^<16[0-9]>1 \S+ \S+ warden - - - CEF:0\|Warden\|Warden\|[^|]+\|incident\.opened\|Incident: .+ on WEB05\|(8|10)\|externalId=INC-/);
    assert.ok(alerts.counters.failures >= 1, 'the first webhook attempt failed and was retried');

    // the webhook goes down; a second host's incident opens; the service restarts
    down = true;
    const before = hooks.length;
    await rt.journal.append({ format: 'json', lines: [proc(4, 'C:\\Windows\\System32\\cmd.exe', undefined, 'WEB06')] });
    await until(() => syslogMsgs.length >= 2, 'the second incident on syslog');
    await new Promise((r) => setTimeout(r, 300));
    await alerts.stop();
    await rt.stop();
    const pendingAfter = await (async () => {
      const s = await import('../../src/store/store.js').then((m) => m.openStore({ data: join(dir, 'data') }));
      try {
        return await s.outbox.pending();
      } finally {
        await s.close();
      }
    })();
    assert.equal(pendingAfter, 1, 'the webhook alert waits in the outbox');
    down = false;
    ({ rt, alerts } = await start());
    await until(async () => (await rt.store.outbox.pending()) === 0, 'the alert queued before the restart');
    assert.equal(hooks.length, before + pendingAfter, 'what waited in the outbox was sent after the restart, once');
    // replaying after the restart queued nothing twice
    await new Promise((r) => setTimeout(r, 500));
    const ids = hooks.map((h) => h.delivery);
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    await alerts.stop();
    await rt.stop();
    web.close();
    udp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CEF escapes what would break its header and extension', () => {
  const cef = formatCef(
    {
      type: 'incident.opened',
      id: 'x',
      incident: { id: 'INC-1', severity: 'high', host: 'a|b', start: null, end: null, techniques: ['T1505'], users: ['DOM\\u=1'], memberCount: 2, rules: ['Rule | one\nnext'] },
      sentBy: 't',
    },
    '0.1.0',
  );
  assert.equal(
    cef,
    'CEF:0|Warden|Warden|0.1.0|incident.opened|Incident: Rule \\| one next on a\\|b|8|externalId=INC-1 dhost=a|b cnt=2 cs1Label=techniques cs1=T1505 cs2Label=rules cs2=Rule | one\\nnext duser=DOM\\\\u\\=1 act=incident.opened',
  );
});
