import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot, sharedDir, skipWithoutShared } from '../helpers/shared.js';
import { runHunt } from '../../src/hunt/collect.js';
import { ProblemList } from '../../src/errors.js';
import type { DetectionRecord } from '../../src/output/record.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const examples = join(root, 'examples');
const dir = mkdtempSync(join(tmpdir(), 'warden-hunt-'));

function warden(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('hunt --format jsonl: exact records for the example rules over the example logs', () => {
  const r = warden(['hunt', 'examples/logs', '--rules', 'examples/rules', '--no-builtin', '--format', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DetectionRecord);
  assert.deepEqual(
    recs.map((d) => [d.rule.title, d.source.file, d.source.record, d.timestamp, d.host]),
    // Streamed in input order (largest input first), not sorted by time.
    [
      ['IIS Worker Process Starts a Command Interpreter (example rule)', 'examples/logs/web01-sysmon.jsonl', 3, '2026-03-02T09:16:05.871Z', 'WEB01.corp.example'],
      ['Shell Command in a Web Request Query String (example rule)', 'examples/logs/u_ex260302.log', 7, '2026-03-02T09:16:05.000Z', 'WEB01'],
    ],
  );
  const proc = recs[0]!;
  assert.deepEqual(Object.keys(proc), ['kind', 'id', 'rule', 'timestamp', 'host', 'source', 'logsource', 'event', 'raw', 'group']);
  assert.match(proc.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(proc.logsource, { product: 'windows' });
  assert.equal(proc.kind, 'rule');
  assert.equal(proc.rule.author, 'Warden');
  assert.equal(proc.rule.level, 'high');
  assert.equal(proc.rule.status, 'test');
  assert.deepEqual(proc.rule.tags, ['attack.persistence', 'attack.t1505.003']);
  assert.deepEqual(proc.rule.references, ['https://attack.mitre.org/techniques/T1505/003/']);
  assert.deepEqual(proc.source, { file: 'examples/logs/web01-sysmon.jsonl', record: 3, format: 'json' });
  assert.equal(proc.event.CommandLine, 'cmd.exe /c whoami /all');
  assert.equal(proc.event.EventID, 1);
  assert.match(r.stderr, /Detections: {2}2 \(high 2 \(2 rules\)\)\n/);
});

test('hunt --format csv has the documented header and one row per detection', () => {
  const r = warden(['hunt', 'examples/logs', '-r', 'examples/rules', '--no-builtin', '-f', 'csv']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'timestamp,level,rule_title,rule_id,author,tags,host,file,record,id,group,details');
  assert.equal(lines.length, 3);
  assert.match(
    lines[1]!,
    /^2026-03-02T09:16:05\.871Z,high,IIS Worker Process Starts a Command Interpreter \(example rule\),[0-9a-f-]{36},Warden,attack\.persistence attack\.t1505\.003,WEB01\.corp\.example,examples\/logs\/web01-sysmon\.jsonl,3,[0-9a-f]{32},[0-9a-f]{16},/,
  );
});

test('hunt table output shows the detections, authors and a summary', () => {
  const r = warden(['hunt', 'examples/logs', '-r', 'examples/rules', '--no-builtin', '--no-color']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Timestamp +│ Level +│ Host +│ Rule +│ Details/);
  assert.match(r.stdout, /Inputs: +2 files \(1 json, 1 w3c\)|Inputs: +2 files \(1 w3c, 1 json\)/);
  assert.match(r.stdout, /Events: +7 in/);
  assert.match(r.stdout, /Detections: +2 \(high 2 \(2 rules\)\)\n/);
  assert.match(r.stdout, /Hosts: +WEB01\.corp\.example \(2\)/, 'WEB01 and WEB01.corp.example are one host');
  assert.match(r.stdout, /\(by Warden\)/);
});

test('exit codes: 2 for bad usage, 1 when an input or a rule cannot be read, and the run goes on', () => {
  assert.equal(warden(['hunt', 'examples/logs', '--format', 'xml']).code, 2);
  assert.equal(warden(['hunt']).code, 2);
  assert.equal(warden(['hunt', 'examples/logs', '--input-format', 'nope']).code, 2);
  const badRule = join(dir, 'bad.yml');
  writeFileSync(badRule, 'title: broken\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    Image|endswithh: x\n  condition: sel\n');
  const missing = warden(['hunt', 'examples/logs', join(dir, 'missing.evtx'), '-r', 'examples/rules', '--no-builtin', '-f', 'jsonl']);
  assert.equal(missing.code, 2, 'a mistyped input path is bad usage, before any work');
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, `warden: no such file or folder: ${join(dir, 'missing.evtx')}\n(run 'warden hunt --help' for usage and examples)\n`);
  const r = warden(['hunt', 'examples/logs', '-r', 'examples/rules', '-r', badRule, '--no-builtin', '-f', 'jsonl']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.trim().split('\n').length, 2, 'the good rules still ran');
  const problem = r.stderr.split('\n').find((l) => l.startsWith('{"type":"problem"'));
  assert.deepEqual(JSON.parse(problem ?? '{}'), {
    type: 'problem',
    kind: 'rule',
    file: badRule,
    line: 5,
    column: 5,
    message: "sel: 'Image|endswithh': unknown modifier 'endswithh'",
  });
  assert.match(r.stderr, /Problems: +1/);
});

test('hunt reads stdin', () => {
  const ev = JSON.stringify({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: 'H1',
    Image: 'C:\\Windows\\System32\\cmd.exe',
    ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
  });
  const r = warden(['hunt', '-', '-r', 'examples/rules', '--no-builtin', '-f', 'jsonl'], ev + '\n');
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout) as { source: { file: string; record: number }; host: string };
  assert.deepEqual(d.source, { file: '-', record: 1, format: 'json' });
  assert.equal(d.host, 'H1');
});

test('worker threads and line-range splitting give exactly the single-thread result', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const attack = i % 97 === 0;
    lines.push(
      JSON.stringify({
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        EventID: 1,
        Computer: `H${i % 7}`,
        UtcTime: `2026-01-01 00:00:${String(i % 60).padStart(2, '0')}.000`,
        Image: attack ? 'C:\\Windows\\System32\\cmd.exe' : 'C:\\Windows\\System32\\notepad.exe',
        ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
      }),
    );
    if (i === 1500) lines.push('{"broken": ');
  }
  const big = join(dir, 'big.jsonl');
  writeFileSync(big, lines.join('\n') + '\n');
  const rules = { rulePaths: [join(examples, 'rules')], builtin: false };
  const p1 = new ProblemList();
  const one = await runHunt({ inputs: [big], rules, threads: 1 }, p1);
  const p2 = new ProblemList();
  const two = await runHunt({ inputs: [big], rules, threads: 2, inlineBelowBytes: 0, splitMinBytes: 1 }, p2);
  assert.equal(two.stats.threads, 2);
  assert.equal(one.detections.length, 31);
  const key = (ds: typeof one.detections): string[] => ds.map((d) => `${d.rule.id} ${d.origin.file}:${d.origin.record}`);
  assert.deepEqual(key(two.detections), key(one.detections));
  assert.equal(two.stats.events, one.stats.events);
  assert.deepEqual(
    p2.problems.map((p) => p.line),
    p1.problems.map((p) => p.line),
  );
  assert.deepEqual(
    p1.problems.map((p) => p.line),
    [1502],
  );
});

test('access logs are split across workers too, with the same detections and line numbers', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const q = i % 101 === 0 ? '?cmd=whoami' : '?page=' + i;
    lines.push(`203.0.113.${i % 250} - - [02/Mar/2026:09:${String(10 + (i % 40)).padStart(2, '0')}:00 +0000] "GET /index.php${q} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`);
  }
  const log = join(dir, 'access.log');
  writeFileSync(log, lines.join('\n') + '\n');
  const rules = { rulePaths: [join(examples, 'rules')], builtin: false };
  const one = await runHunt({ inputs: [log], rules, threads: 1 }, new ProblemList());
  const two = await runHunt({ inputs: [log], rules, threads: 2, inlineBelowBytes: 0, splitMinBytes: 1 }, new ProblemList());
  assert.equal(one.detections.length, 40);
  assert.equal(two.stats.threads, 2);
  const key = (ds: typeof one.detections): string[] => ds.map((d) => `${d.rule.id} ${d.origin.record}`);
  assert.deepEqual(key(two.detections), key(one.detections));
  assert.ok(one.detections.some((d) => d.origin.record === 102 && d.event['cs-uri-query'] === 'cmd=whoami'));
});

test('a big EVTX file is split by chunks across workers with the same result', { skip: skipWithoutShared('logs/evtx/security.evtx') }, async () => {
  const file = join(sharedDir(), 'logs', 'evtx', 'security.evtx');
  const ruleFile = join(dir, 'every-security-event.yml');
  writeFileSync(
    ruleFile,
    'title: Every Security event\nid: 4f7c2a9e-3d1b-4c8e-9f60-2b7a1d5e8c34\nstatus: test\nauthor: Warden tests\nlevel: informational\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    EventID|gte: 0\n  condition: sel\n',
  );
  const rules = { rulePaths: [ruleFile], builtin: false };
  const one = await runHunt({ inputs: [file], rules, threads: 1 }, new ProblemList());
  const two = await runHunt({ inputs: [file], rules, threads: 2, inlineBelowBytes: 0, splitMinBytes: 1 }, new ProblemList());
  assert.equal(two.stats.threads, 2);
  assert.ok(one.detections.length > 1000, `${one.detections.length} detections`);
  assert.equal(one.detections.length, one.stats.events);
  const key = (ds: typeof one.detections): string[] => ds.map((d) => `${d.origin.record}`).sort();
  assert.deepEqual(key(two.detections), key(one.detections));
});

test('--scan: web-shell findings join the hunt as events, timed by the file and owned by --scan-host', async () => {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'up.php'), '<?php\n$c = $_POST["c"];\nsystem($c);\n');
  writeFileSync(join(www, 'index.php'), '<?php echo "hello"; ?>\n');
  const when = new Date('2026-03-02T09:15:40Z');
  utimesSync(join(www, 'up.php'), when, when);
  const res = await runHunt({ inputs: [], rules: { rulePaths: [], builtin: true }, scan: { paths: [www], host: 'WEB01' } }, new ProblemList());
  assert.equal(res.stats.scanFindings, 1);
  const hits = res.detections.filter((d) => d.logsource?.product === 'warden');
  assert.ok(hits.length >= 1);
  for (const d of hits) {
    assert.equal(d.host, 'WEB01');
    assert.equal(d.timestamp, Date.parse('2026-03-02T09:15:40.000Z'));
    assert.equal(d.event.TargetFilename, join(www, 'up.php'));
    assert.equal(d.event.Verdict, 'malicious');
    assert.ok(d.rule.tags.includes('attack.t1505.003'));
  }
});

test('--host names the machine for logs that do not (access logs); hosts named by the log win', () => {
  const log = join(dir, 'host-access.log');
  writeFileSync(log, '203.0.113.9 - - [02/Mar/2026:09:16:05 +0000] "GET /shell.php?cmd=whoami HTTP/1.1" 200 120 "-" "curl/8.5.0"\n');
  const ev = warden(['events', log, '--host', 'web09']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.equal((JSON.parse(ev.stdout) as { host: string }).host, 'web09');
  const hunt = warden(['hunt', log, 'examples/logs/u_ex260302.log', '--host', 'web09', '-r', 'examples/rules', '--no-builtin', '-f', 'jsonl']);
  assert.equal(hunt.code, 0, hunt.stderr);
  const hosts = hunt.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as DetectionRecord).host)
    .sort();
  assert.deepEqual(hosts, ['WEB01', 'web09']);
});

test('warden events prints what rules see: time, host, resolved logsource, source, fields', () => {
  const r = warden(['events', 'examples/logs/web01-sysmon.jsonl', '-n', '1', '--no-raw']);
  assert.equal(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout) as Record<string, unknown> & { fields: Record<string, unknown> };
  assert.deepEqual(Object.keys(rec), ['timestamp', 'host', 'logsource', 'resolved', 'source', 'fields']);
  assert.equal(rec.timestamp, '2026-03-02T09:14:02.114Z');
  assert.equal(rec.host, 'WEB01.corp.example');
  assert.deepEqual(rec.logsource, { product: 'windows' });
  assert.deepEqual(rec.resolved, { product: 'windows', services: ['sysmon'], categories: ['process_creation'] });
  assert.deepEqual(rec.source, { file: 'examples/logs/web01-sysmon.jsonl', record: 1, format: 'json' });
  assert.equal(rec.fields.Image, 'C:\\Windows\\System32\\svchost.exe');
  assert.equal(rec.fields.EventID, 1);
});

test('a reader that closes the pipe early (| head) ends warden quietly', () => {
  // far more output than a pipe buffers, so the writes really hit the closed pipe
  const many = join(dir, 'many.jsonl');
  writeFileSync(many, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ Channel: 'Security', EventID: 4624, Computer: `H${i}`, Pad: 'x'.repeat(100) })).join('\n') + '\n');
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cli}" events "${many}" | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', cwd: root });
  assert.equal(r.stdout.trim(), '0');
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
});

test('rule selection (--min-level, --ids) applies to correlations too; the rules they reference still run', async () => {
  const corr = join(dir, 'corr.yml');
  writeFileSync(
    corr,
    [
      'title: Two web-server shells on one host',
      'id: 9a0e7c41-2b8d-4f3e-a5c6-7d1e2f3a4b5c',
      'status: test',
      'author: Warden tests',
      'level: medium',
      'correlation:',
      '  type: event_count',
      '  rules: [d7c0b2a4-0000-4000-8000-00000000e001]',
      '  group-by: [host]',
      '  timespan: 1h',
      '  condition: {gte: 1}',
      '---',
      'title: Base rule',
      'id: d7c0b2a4-0000-4000-8000-00000000e001',
      'status: test',
      'author: Warden tests',
      'level: low',
      'logsource: {product: windows, category: process_creation}',
      'detection:',
      '  sel: {ParentImage|endswith: \\w3wp.exe}',
      '  condition: sel',
      '',
    ].join('\n'),
  );
  const base = { rulePaths: [corr], builtin: false };
  const all = await runHunt({ inputs: [join(examples, 'logs')], rules: base }, new ProblemList());
  assert.equal(all.stats.correlations, 1);
  assert.deepEqual(
    all.detections.map((d) => d.rule.title),
    ['Two web-server shells on one host'],
  );
  const high = await runHunt({ inputs: [join(examples, 'logs')], rules: { ...base, select: { minLevel: 'high' } } }, new ProblemList());
  assert.equal(high.stats.correlations, 0);
  assert.deepEqual(high.detections, []);
  const byId = await runHunt({ inputs: [join(examples, 'logs')], rules: { ...base, select: { ids: ['9a0e7c41-2b8d-4f3e-a5c6-7d1e2f3a4b5c'] } } }, new ProblemList());
  assert.deepEqual(
    byId.detections.map((d) => d.rule.title),
    ['Two web-server shells on one host'],
  );
});

test('UTF-16 and gzip logs are never split by byte range: each event is matched exactly once', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    const q = i % 50 === 0 ? '?cmd=whoami' : '?page=' + i;
    lines.push(`203.0.113.${i % 250} - - [02/Mar/2026:09:${String(10 + (i % 40)).padStart(2, '0')}:00 +0000] "GET /index.php${q} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`);
  }
  const text = lines.join('\n') + '\n';
  const u16 = join(dir, 'access-utf16.log');
  writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const gz = join(dir, 'access.log.gz');
  writeFileSync(gz, gzipSync(Buffer.from(text)));
  const rules = { rulePaths: [join(examples, 'rules')], builtin: false };
  for (const file of [u16, gz]) {
    const res = await runHunt({ inputs: [file], rules, threads: 2, inlineBelowBytes: 0, splitMinBytes: 1 }, new ProblemList());
    assert.equal(res.stats.events, 500, file);
    assert.equal(res.detections.length, 10, file);
  }
});
