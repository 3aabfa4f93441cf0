/**
 * The compiled-rule cache: a warm start gives exactly what a fresh compilation gives
 * (detections, metadata, problems); a changed rule file, another build or a damaged entry
 * is noticed and rebuilt; a program survives serialization (what worker threads get).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { ProblemList } from '../../src/errors.js';
import type { Event } from '../../src/event/event.js';
import { isRuleProgram, type RuleProgram } from '../../src/engine/compiled.js';
import { RuleSet } from '../../src/engine/ruleset.js';
import { prepareRules, prepareRulesAsync, type PreparedRules, type RuleOptions } from '../../src/engine/rules-setup.js';
import { security, sysmon } from './helpers.js';

const WHOAMI = `title: Whoami
id: 11111111-1111-4111-8111-111111111111
level: high
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        Image|endswith: '\\whoami.exe'
    condition: sel
`;
const PARENT = `title: Web server spawns shell
id: 22222222-2222-4222-8222-222222222222
level: critical
tags:
    - attack.t1505.003
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        ParentImage|endswith: '\\w3wp.exe'
        CommandLine|re: '(?i)cmd(\\.exe)? /c'
    filter:
        CommandLine|contains: 'healthcheck'
    condition: sel and not filter
`;
const LOGON = `title: RDP logon
id: 33333333-3333-4333-8333-333333333333
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 4624
        LogonType: 10
        IpAddress|cidr: 10.0.0.0/8
    condition: sel
`;
const BROKEN = `title: Broken
logsource:
    product: windows
detection:
    sel:
        Image|nosuchmodifier: x
    condition: sel
`;

const EVENTS: Event[] = [
  sysmon(1, { Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'whoami /all' }),
  sysmon(1, { Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'c:\\windows\\system32\\inetsrv\\w3wp.exe', CommandLine: 'CMD.exe /c whoami' }),
  sysmon(1, { Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'c:\\windows\\system32\\inetsrv\\w3wp.exe', CommandLine: 'cmd /c healthcheck.bat' }),
  security(4624, { LogonType: 10, IpAddress: '10.1.2.3' }),
  security(4624, { LogonType: 10, IpAddress: '192.168.1.1' }),
  security(4688, { NewProcessName: 'C:\\Windows\\System32\\whoami.exe' }),
];

function hits(p: PreparedRules): string[] {
  return EVENTS.map((e) =>
    p.ruleSet
      .match(e)
      .map((r) => `${r.info.id}:${r.info.level}:${r.info.title}`)
      .join(','),
  );
}

function load(opts: RuleOptions): { p: PreparedRules; problems: string[] } {
  const problems = new ProblemList();
  const p = prepareRules(opts, problems);
  return { p, problems: problems.problems.map((x) => `${x.file}:${x.line}: ${x.message}`) };
}

function entries(cache: string): string[] {
  return readdirSync(cache).filter((n) => n.startsWith('compiled-'));
}

const WANT = [
  '11111111-1111-4111-8111-111111111111:high:Whoami',
  '22222222-2222-4222-8222-222222222222:critical:Web server spawns shell',
  '',
  '33333333-3333-4333-8333-333333333333:medium:RDP logon',
  '',
  '11111111-1111-4111-8111-111111111111:high:Whoami',
];

function fresh(): { dir: string; rules: string; cache: string; opts: RuleOptions } {
  const dir = mkdtempSync(join(tmpdir(), 'warden-ccache-'));
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'whoami.yml'), WHOAMI);
  writeFileSync(join(rules, 'parent.yml'), PARENT);
  writeFileSync(join(rules, 'logon.yml'), LOGON);
  writeFileSync(join(rules, 'broken.yml'), BROKEN);
  const cache = join(dir, 'cache');
  return { dir, rules, cache, opts: { rulePaths: [rules], builtin: false, cache: true, cacheDir: cache, buildId: 'test-1' } };
}

test('a warm start gives what a fresh compilation gives: detections, metadata, counts, problems', (t) => {
  const s = fresh();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  const cold = load(s.opts);
  assert.equal(cold.p.cached, false);
  assert.equal(entries(s.cache).length, 1);
  const warm = load(s.opts);
  assert.equal(warm.p.cached, true);
  const off = load({ ...s.opts, cache: false });
  assert.equal(off.p.cached, false);
  for (const r of [cold, warm, off]) {
    assert.deepEqual(hits(r.p), WANT);
    assert.equal(r.p.loaded, 3);
    assert.equal(r.p.failed, 1);
    assert.deepEqual(r.problems, [`${join(s.rules, 'broken.yml')}:6: sel: 'Image|nosuchmodifier': unknown modifier 'nosuchmodifier'`]);
  }
  assert.deepEqual(warm.p.rules, cold.p.rules);
  assert.deepEqual(warm.p.info('22222222-2222-4222-8222-222222222222'), cold.p.info('22222222-2222-4222-8222-222222222222'));
  assert.deepEqual(
    warm.p.ruleSet.rules.map((r) => [r.id, r.filters, r.op]),
    off.p.ruleSet.rules.map((r) => [r.id, r.filters, r.op]),
  );
});

test('a changed rule file, another build or other options make another entry', (t) => {
  const s = fresh();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  assert.equal(load(s.opts).p.cached, false);
  assert.equal(load(s.opts).p.cached, true);
  // Same length, one character different: the content decides, not the size or the time.
  writeFileSync(join(s.rules, 'whoami.yml'), WHOAMI.replace('whoami.exe', 'whoamI.exe').replace('level: high', 'level: low '));
  const changed = load(s.opts);
  assert.equal(changed.p.cached, false);
  assert.equal(hits(changed.p)[0], '11111111-1111-4111-8111-111111111111:low:Whoami');
  assert.equal(load(s.opts).p.cached, true);
  const other = load({ ...s.opts, buildId: 'test-2' });
  assert.equal(other.p.cached, false, 'another Warden build compiles again');
  assert.deepEqual(
    hits(other.p),
    WANT.map((w) => w.replace(':high:', ':low:')),
  );
  const selected = load({ ...s.opts, select: { minLevel: 'high' } });
  assert.equal(selected.p.cached, false);
  assert.deepEqual(hits(selected.p), ['', WANT[1], '', '', '', '']);
  assert.equal(load({ ...s.opts, select: { minLevel: 'high' } }).p.cached, true);
  // A new file in the folder changes the key too.
  writeFileSync(join(s.rules, 'extra.yml'), WHOAMI.replace('11111111-1111-4111-8111-111111111111', '44444444-4444-4444-8444-444444444444'));
  const added = load(s.opts);
  assert.equal(added.p.cached, false);
  assert.equal(added.p.loaded, 4);
});

test('a damaged, truncated or foreign cache entry is ignored and rebuilt', (t) => {
  const s = fresh();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  load(s.opts);
  const [name] = entries(s.cache);
  const file = join(s.cache, name!);
  const good = readFileSync(file);
  const damage: [string, Buffer][] = [
    ['one flipped byte in the payload', Buffer.from(good.map((b, i) => (i === good.length - 10 ? b ^ 0x40 : b)))],
    ['truncated', good.subarray(0, good.length >> 1)],
    ['empty', Buffer.alloc(0)],
    ['not an entry at all', Buffer.from('hello, this is not a cache entry at all, just text\n')],
    ['a flipped digest byte', Buffer.from(good.map((b, i) => (i === 12 ? b ^ 1 : b)))],
  ];
  for (const [what, bytes] of damage) {
    writeFileSync(file, bytes);
    const r = load(s.opts);
    assert.equal(r.p.cached, false, what);
    assert.deepEqual(hits(r.p), WANT, what);
    assert.equal(r.problems.length, 1, what);
    const again = load(s.opts);
    assert.equal(again.p.cached, true, `${what}: rebuilt`);
    assert.deepEqual(hits(again.p), WANT, what);
  }
});

test('an entry stored under another key is not taken for this one', (t) => {
  const s = fresh();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  load(s.opts);
  const [a] = entries(s.cache);
  load({ ...s.opts, select: { minLevel: 'critical' } });
  const b = entries(s.cache).find((n) => n !== a)!;
  // The critical-only entry placed where the full set's entry belongs.
  writeFileSync(join(s.cache, a!), readFileSync(join(s.cache, b)));
  const r = load(s.opts);
  assert.equal(r.p.cached, false);
  assert.deepEqual(hits(r.p), WANT);
});

test('a program travels as bytes (what worker threads get) and matches the same', (t) => {
  const s = fresh();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  const p = load({ ...s.opts, cache: false }).p;
  const program: unknown = deserialize(p.programBytes());
  assert.ok(isRuleProgram(program));
  const rs = new RuleSet(program as RuleProgram);
  assert.deepEqual(
    EVENTS.map((e) =>
      rs
        .match(e)
        .map((r) => `${r.info.id}:${r.info.level}:${r.info.title}`)
        .join(','),
    ),
    WANT,
  );
  assert.equal(isRuleProgram({ format: -1, rules: [], sources: [] }), false);
  assert.equal(isRuleProgram({ ...(program as RuleProgram), sources: [{ logsource: {}, rules: [99] }] }), false);
});

const HUGE = `title: Below a huge bound
id: 44444444-4444-4444-8444-444444444444
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 4625
        Count|lt: 1e999
    condition: sel
`;

test('a comparison with an infinite bound (kept in v8 form, not JSON) matches the same warm and cold', (t) => {
  const f = fresh();
  t.after(() => rmSync(f.dir, { recursive: true, force: true }));
  writeFileSync(join(f.rules, 'huge.yml'), HUGE);
  const ev = [security(4625, { Count: 7 }), security(4625, { Count: 'x' })];
  const ids = (p: PreparedRules): string[] =>
    ev.map((e) =>
      p.ruleSet
        .match(e)
        .map((r) => r.id)
        .join(','),
    );
  const cold = load(f.opts);
  const warm = load(f.opts);
  assert.equal(cold.p.cached, false);
  assert.equal(warm.p.cached, true);
  assert.deepEqual(ids(cold.p), ['44444444-4444-4444-8444-444444444444', '']);
  assert.deepEqual(ids(warm.p), ids(cold.p));
});

test('prefilter requirements survive the flat stored form; the async preparation gives what the synchronous one gives', async (t) => {
  const f = fresh();
  t.after(() => rmSync(f.dir, { recursive: true, force: true }));
  const fromSource = load({ ...f.opts, cache: false }).p;
  const viaAsync = await prepareRulesAsync(f.opts, new ProblemList());
  const warmAsync = await prepareRulesAsync(f.opts, new ProblemList());
  assert.equal(viaAsync.cached, false);
  assert.equal(warmAsync.cached, true);
  for (const p of [viaAsync, warmAsync]) {
    assert.deepEqual(hits(p), WANT);
    assert.deepEqual(
      p.ruleSet.rules.map((r) => [r.id, r.req, r.req2]),
      fromSource.ruleSet.rules.map((r) => [r.id, r.req, r.req2]),
    );
  }
  // A long literal is scanned for by its window, stored with the requirement.
  const parent = warmAsync.ruleSet.rules.find((r) => r.id.startsWith('2222'))!;
  assert.ok(parent.gate.req !== null);
});
