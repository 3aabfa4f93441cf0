/**
 * Check 1, end to end: `warden serve` as a process with a config of tailed IIS and Sysmon
 * files, a syslog listener (UDP and TCP), HTTP ingest and a watched web root. Every kind of
 * input arrives at once — an IIS request driving a shell, Sysmon process events, PostgreSQL
 * `COPY ... PROGRAM` over syslog, a Sysmon event POSTed as NDJSON, a web shell dropped into the
 * web root — and within 5 seconds the API returns the detections and one incident that joins
 * the file, its scanner finding and the process events of that host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServe, token } from './helpers/child.js';

function stamp(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function sysmon(n: number, t: number, parent: string, image: string, cmd: string): string {
  return JSON.stringify({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: 'WEB01.corp.example',
    EventRecordID: n,
    // the shape Winlogbeat ships: the event time in @timestamp
    '@timestamp': new Date(t).toISOString(),
    UtcTime: new Date(t).toISOString().replace('T', ' ').replace('Z', ''),
    Image: image,
    CommandLine: cmd,
    ParentImage: parent,
    User: 'IIS APPPOOL\\DefaultAppPool',
    ProcessId: 4000 + n,
  });
}

/** A one-line PHP command shell, written for this test. */
const SHELL = '<?php if (isset($_REQUEST["c"])) { echo "<pre>"; system($_REQUEST["c"]); echo "</pre>"; } ?>\n';

interface Item {
  id: string;
  rule: { title: string };
  host?: string;
}

test('end to end: tail, syslog UDP+TCP, HTTP ingest and a web root become detections and one incident within 5 s', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'warden-e2e-'));
  const data = join(root, 'data');
  const feed = join(root, 'feed');
  const www = join(root, 'www');
  mkdirSync(feed);
  mkdirSync(www);
  writeFileSync(join(www, 'index.php'), '<?php echo "hello"; ?>\n');
  const iis = join(feed, 'u_ex261206.log');
  writeFileSync(
    iis,
    '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\n',
  );
  writeFileSync(join(feed, 'sysmon.jsonl'), '');
  const port = await freePort();
  writeFileSync(
    join(root, 'warden.yaml'),
    `data: ${data}
listen: 127.0.0.1:0
pipeline: { tolerance: 1s, snapshot_every: 1s }
sources:
  - { name: iis, type: tail, paths: ["${feed}/u_ex*.log"], format: w3c }
  - { name: sysmon, type: tail, paths: ["${feed}/sysmon*.jsonl"] }
  - { name: syslog, type: syslog, udp: "127.0.0.1:${port}", tcp: "127.0.0.1:${port}" }
  - { name: www, type: webroot, paths: ["${www}"], host: WEB01 }
`,
  );
  const ingestToken = token('ingest', data);
  const readToken = token('read', data);
  const child = await startServe(['--config', join(root, 'warden.yaml')]);
  t.after(() => {
    child.proc.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${child.url}${path}`, { headers: { authorization: `Bearer ${readToken}` } });
    assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
    return (await r.json()) as T;
  };
  // let the web root's first full scan finish, so the shell is a change it sees live
  for (let i = 0; i < 100; i++) {
    const s = await get<{ items: { name: string; state: string }[] }>('/api/v1/sources');
    if (s.items.every((x) => x.state === 'running')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));

  const t0 = Date.now();
  const now = t0 - 500;
  appendFileSync(iis, `${stamp(now)} WEB01 10.0.4.20 GET /uploads/shell.php c=whoami 443 - 203.0.113.77 python-requests/2.31.0 200 0 0 15\n`);
  appendFileSync(join(feed, 'sysmon.jsonl'), `${sysmon(1, now, 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami')}\n`);
  writeFileSync(join(www, 'shell.php'), SHELL);
  const udp = createSocket('udp4');
  const syslogMsg = (via: string): string => `<134>1 ${new Date(now).toISOString()} DB01 postgres 4242 - - LOG:  statement: COPY t FROM PROGRAM 'id > /tmp/${via}'`;
  await new Promise<void>((r, j) => udp.send(syslogMsg('udp'), port, '127.0.0.1', (e) => (e ? j(e) : r())));
  udp.close();
  await new Promise<void>((r, j) => {
    const s = connect(port, '127.0.0.1', () => s.end(`${syslogMsg('tcp')}\n`, () => r()));
    s.on('error', j);
  });
  const posted = await fetch(`${child.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/x-ndjson' },
    body: `${sysmon(2, now + 100, 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', 'C:\\Windows\\System32\\whoami.exe', 'whoami /all')}\n`,
  });
  assert.equal(posted.status, 202);

  let detections: Item[] = [];
  let incident: { id: string; host: string; timeline: { title: string; source?: { format?: string } }[] } | undefined;
  const want = (items: Item[]): boolean => {
    const titles = items.map((i) => i.rule.title).join('\n');
    const hosts = new Set(items.map((i) => i.host));
    return /query string/i.test(titles) && /scanner/i.test(titles) && /PROGRAM|COPY|database/i.test(titles) && hosts.has('DB01') && items.length >= 6;
  };
  let lastIncidents: unknown[] = [];
  const deadline = t0 + 30_000;
  while (Date.now() < deadline) {
    detections = (await get<{ items: Item[] }>('/api/v1/detections?limit=1000')).items;
    const incs = (await get<{ items: { id: string; hostKey: string }[] }>('/api/v1/incidents?host=WEB01')).items;
    lastIncidents = await Promise.all(
      (await get<{ items: { id: string }[] }>('/api/v1/incidents')).items.map(async (i) => {
        const one = await get<{ host: string; timeline: { title: string }[] }>(`/api/v1/incidents/${i.id}`);
        return [one.host, one.timeline.map((m) => m.title)];
      }),
    );
    if (want(detections) && incs.length === 1) {
      const one = await get<NonNullable<typeof incident>>(`/api/v1/incidents/${incs[0]!.id}`);
      const titles = one.timeline.map((m) => m.title).join('\n');
      if (/scanner/i.test(titles) && /web root/i.test(titles) && /shell|process|whoami|recon/i.test(titles)) {
        incident = one;
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = Date.now() - t0;
  t.diagnostic(`detections and the incident were queryable ${elapsed} ms after the inputs were written`);
  t.diagnostic(`detections: ${detections.map((d) => `${d.host ?? '-'}: ${d.rule.title}`).join(' | ')}`);
  assert.ok(want(detections), `expected detections missing: ${JSON.stringify(detections.map((d) => [d.host, d.rule.title]))}\n${child.log().slice(-3000)}`);
  assert.ok(incident, `no incident joining file, finding and processes: ${JSON.stringify(lastIncidents)}\n${child.log().slice(-3000)}`);
  t.diagnostic(`incident ${incident.id} on ${incident.host}: ${incident.timeline.map((m) => m.title).join(' | ')}`);
  // the UDP and TCP messages each made their own detection, named for their sender host
  assert.equal(detections.filter((d) => d.host === 'DB01').length, 2);
  const findings = await get<{ items: { path: string; verdict: string }[] }>('/api/v1/findings');
  assert.deepEqual(
    findings.items.map((f) => [f.path, f.verdict]),
    [[join(www, 'shell.php'), 'malicious']],
  );
  assert.ok(elapsed <= 5000, `took ${elapsed} ms (check 1 wants 5 s)`);
  child.proc.kill('SIGTERM');
  assert.equal(await child.exited, 0, 'a clean stop on SIGTERM');
});
