/**
 * `warden serve --role ...` and the `role:` / `jetstream:` settings: parsed with their
 * retention settings, and every combination a role cannot run refused before anything starts,
 * with exit code 2 and a message naming the file and line (or the flag) it came from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_CONFIG, parseConfig, roleProblems } from '../../src/server/config.js';
import { CLI } from './helpers/child.js';

test('role and jetstream settings are read with their retention settings', () => {
  const c = parseConfig(
    [
      'role: collector',
      'jetstream:',
      '  url: nats://n1:4222,nats://n2:4222',
      '  namespace: siem-a',
      '  partitions: 16',
      '  retention: { max_age: 3d, max_bytes: 1000000, dedup_window: 5m, replicas: 3 }',
      '  lease: 9s',
      '  fetch: 32',
      'sources:',
      '  - { name: iis, type: tail, paths: [/var/log/iis/*.log] }',
      '',
    ].join('\n'),
    'c.yaml',
  );
  assert.equal(c.role, 'collector');
  assert.deepEqual(c.jetstream, {
    url: 'nats://n1:4222,nats://n2:4222',
    namespace: 'siem-a',
    partitions: 16,
    retention: { maxAgeMs: 3 * 86_400_000, maxBytes: 1_000_000, duplicateWindowMs: 300_000, replicas: 3 },
    leaseMs: 9000,
    fetch: 32,
  });
  assert.deepEqual(c.origins, { role: 'c.yaml:1', jetstream: 'c.yaml:2', sources: 'c.yaml:9' });
  assert.deepEqual(roleProblems(c), []);
  assert.equal(parseConfig('', 'd.yaml').role, 'all', 'role all is the default');
});

test('bad role and jetstream settings are errors with their line', () => {
  const text = [
    'role: shipper',
    'jetstream:',
    '  url: nats://warden:secret@n1:4222',
    '  namespace: Bad Name',
    '  partitions: 0',
    '  retention: { max_age: soon, replicas: 9, colour: red }',
    '',
  ].join('\n');
  assert.throws(
    () => parseConfig(text, 'bad.yaml'),
    (e: Error) => {
      const lines = e.message.split('\n');
      assert.deepEqual(lines, [
        'bad.yaml:1: role must be one of all, worker, api, collector, not "shipper"',
        'bad.yaml:3: jetstream.url: credentials in the URL are refused; use WARDEN_NATS_USER/WARDEN_NATS_PASSWORD_FILE, WARDEN_NATS_TOKEN_FILE or WARDEN_NATS_CREDS',
        'bad.yaml:4: jetstream.namespace must be 1-32 of a-z, 0-9, _ and -, starting with a letter',
        'bad.yaml:5: jetstream.partitions must be a number of at least 1',
        'bad.yaml:6: jetstream.retention: unknown setting "colour" (known: max_age, max_bytes, dedup_window, replicas)',
        'bad.yaml:6: jetstream.retention.replicas must be 1 to 5',
        'bad.yaml:6: jetstream.retention.max_age: "soon" is not a duration (use e.g. 500ms, 30s, 5m, 2h, 90d)',
      ]);
      return true;
    },
  );
});

test('the --init example documents role and jetstream, and parses once uncommented', () => {
  assert.match(EXAMPLE_CONFIG, /# role: all/);
  assert.match(EXAMPLE_CONFIG, /# jetstream:/);
  const uncommented = EXAMPLE_CONFIG.replace(
    /^# (role|jetstream| {2}url| {2}namespace| {2}partitions| {2}retention| {4}max_age| {4}max_bytes| {4}dedup_window| {4}replicas| {2}lease| {2}fetch)/gm,
    '$1',
  );
  const c = parseConfig(uncommented.replace('role: all', 'role: collector'), 'example.yaml');
  assert.equal(c.role, 'collector');
  assert.equal(c.jetstream?.url, 'nats://nats1:4222,nats://nats2:4222');
  assert.deepEqual(c.jetstream?.retention, { maxAgeMs: 7 * 86_400_000, maxBytes: 200_000_000_000, duplicateWindowMs: 120_000, replicas: 3 });
});

function serve(args: string[]): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, 'serve', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('role combinations that cannot run exit 2 with a clear message, before connecting anywhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-roles-'));
  try {
    const file = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const PG = 'postgres://warden@db.invalid/warden';
    const NATS = 'nats://nats.invalid:4222';
    const cases: { args: string[]; want: string[] }[] = [
      { args: ['--role', 'bogus'], want: ['--role must be one of all, worker, api, collector, not "bogus"'] },
      {
        args: ['--role', 'worker'],
        want: ['role worker (--role) needs jetstream: give --jetstream nats://HOST:PORT or jetstream.url in the config', 'role worker (--role) needs --store postgres://...'],
      },
      { args: ['--role', 'api', '--listen', '127.0.0.1:1'], want: ["role api (--role) needs --store postgres://... (the cluster's shared store)"] },
      { args: ['--role', 'collector', '--jetstream', NATS, '--store', PG], want: ['--store: role collector (--role) stores no detections (the workers do)'] },
      { args: ['--jetstream', NATS], want: ['--jetstream: jetstream is for the roles worker, api and collector; role all detects in this process'] },
      { args: ['--role', 'worker', '--jetstream', 'nats://u:p@h:4222', '--store', PG], want: ['--jetstream: credentials in the URL are refused'] },
      {
        args: ['-c', file('api.yaml', `role: api\nstore: ${PG}\nsources:\n  - { name: iis, type: tail, paths: [/tmp/x.log] }\n`)],
        want: [`${join(dir, 'api.yaml')}:3: role api (${join(dir, 'api.yaml')}:1) reads no sources (iis); run them in a collector`],
      },
      {
        args: ['-c', file('col.yaml', `role: collector\njetstream: { url: ${NATS} }\nsources:\n  - { name: www, type: webroot, paths: [/var/www] }\n`)],
        want: [`${join(dir, 'col.yaml')}:3: role collector (${join(dir, 'col.yaml')}:1) cannot run www (webroot): web-root and component watching run in role all`],
      },
      {
        args: ['-c', file('all.yaml', `listen: 127.0.0.1:0\njetstream:\n  url: ${NATS}\n`)],
        want: [`${join(dir, 'all.yaml')}:2: jetstream is for the roles worker, api and collector`],
      },
      {
        args: ['-c', file('alerts.yaml', `role: worker\nstore: ${PG}\njetstream: { url: ${NATS} }\nalerts:\n  - { type: jsonl, path: /tmp/a.jsonl }\n`)],
        want: [`${join(dir, 'alerts.yaml')}:4: role worker (${join(dir, 'alerts.yaml')}:1) sends no alerts in this version`],
      },
      { args: ['--demo', '--role', 'api'], want: ['--demo runs role all (one process); leave out --role'] },
    ];
    for (const c of cases) {
      const r = serve(c.args);
      assert.equal(r.code, 2, `${c.args.join(' ')}: exit 2, got ${r.code}: ${r.stderr}`);
      for (const w of c.want) assert.ok(r.stderr.includes(w), `${c.args.join(' ')}: stderr says ${JSON.stringify(w)}; it was:\n${r.stderr}`);
    }
    // a good collector configuration passes --check and says what it will do
    const ok = serve([
      '--check',
      '-c',
      file('ok.yaml', `role: collector\njetstream: { url: ${NATS}, namespace: east }\nsources:\n  - { name: iis, type: tail, paths: [/tmp/x.log] }\n`),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /OK — role collector \(JetStream namespace east\), 1 source\(s\) \(iis: tail\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
