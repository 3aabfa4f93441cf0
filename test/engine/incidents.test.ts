/**
 * Incident grouping: host + time window, joined or kept apart by user, process tree and file
 * path; severity with the ATT&CK-chain raise; stable ids; console format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fields } from '../../src/event/event.js';
import type { Detection, Incident, IncidentMember, Level } from '../../src/event/detection.js';
import { groupIncidents as group, type IncidentOptions } from '../../src/engine/incidents.js';
import { detectionId } from '../../src/event/identity.js';
import { formatIncidents } from '../../src/output/incidents-format.js';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const MIN = 60_000;

let record = 0;
function det(title: string, minute: number | undefined, host: string | undefined, event: Fields, level: Level = 'medium', tags: string[] = []): Detection {
  record++;
  const origin = { file: 'Sysmon.evtx', record, format: 'evtx' };
  const d: Detection = {
    id: detectionId(`id-${title}`, `file\u0000Sysmon.evtx\u0000${record}`),
    kind: 'rule',
    rule: { id: `id-${title}`, title, level, status: 'test', author: 'Tester', tags, references: [] },
    origin,
    logsource: {},
    event,
  };
  if (minute !== undefined) d.timestamp = T0 + minute * MIN;
  if (host !== undefined) d.host = host;
  return d;
}

type Grouped = Incident & { detections: IncidentMember[] };

/** Batch grouping, each incident with its time line. */
function groupIncidents(ds: Detection[], opts?: IncidentOptions): Grouped[] {
  return group(ds, opts).map((u) => ({ ...u.incident, detections: u.members ?? [] }));
}

function titles(incs: Grouped[]): string[][] {
  return incs.map((i) => i.detections.map((d) => d.title));
}

test('a web-shell story on one host is one incident; severity is raised for chained techniques', () => {
  const dropped = det('aspx written to web root', 0, 'WEB01', { TargetFilename: 'C:\\inetpub\\wwwroot\\x.aspx', User: 'IIS APPPOOL\\DefaultAppPool', ProcessGuid: '{A}' }, 'high', [
    'attack.persistence',
    'attack.t1505.003',
  ]);
  const scanned = det('web shell content', 1, 'WEB01', { FilePath: 'c:\\inetpub\\wwwroot\\x.aspx' }, 'high', ['attack.t1505.003']);
  const spawned = det('w3wp spawns cmd', 3, 'WEB01', { User: 'IIS APPPOOL\\DefaultAppPool', ParentProcessGuid: '{A}', ProcessGuid: '{B}' }, 'medium', ['attack.t1059.003']);
  const whoami = det('whoami as SYSTEM', 4, 'WEB01', { User: 'NT AUTHORITY\\SYSTEM', ParentProcessGuid: '{B}', ProcessGuid: '{C}' }, 'low', ['attack.t1033']);
  const incs = groupIncidents([whoami, scanned, dropped, spawned], { windowMs: 30 * MIN });
  assert.equal(incs.length, 1);
  const inc = incs[0]!;
  assert.deepEqual(titles(incs), [['aspx written to web root', 'web shell content', 'w3wp spawns cmd', 'whoami as SYSTEM']]);
  assert.equal(inc.maxLevel, 'high');
  assert.equal(inc.severity, 'critical');
  assert.deepEqual(inc.techniques, ['T1033', 'T1059', 'T1505']);
  assert.deepEqual(inc.users, ['iis apppool\\defaultapppool', 'nt authority\\system']);
  assert.equal(inc.host, 'WEB01');
  assert.equal(inc.start, Date.parse('2024-05-01T10:00:00.000Z'));
  assert.equal(inc.end, Date.parse('2024-05-01T10:04:00.000Z'));
  assert.match(inc.id, /^INC-[0-9a-f]{16}$/);
  assert.equal(inc.status, 'closed');
  assert.deepEqual(
    inc.detections.map((m) => m.id),
    [dropped, scanned, spawned, whoami].map((d) => d.id),
  );
  assert.deepEqual(
    inc.evidence.map((o) => o.record),
    [dropped, scanned, spawned, whoami].map((d) => d.origin.record),
  );
});

test('different users on one host stay apart unless a process tree or file joins them', () => {
  const a1 = det('alice 1', 0, 'DB01', { User: 'alice' });
  const b1 = det('bob 1', 5, 'DB01', { SubjectUserName: 'bob' });
  const b2 = det('bob 2', 10, 'DB01', { User: 'BOB' });
  const c1 = det('carol child of alice', 12, 'DB01', { User: 'carol', ParentProcessId: 4242 });
  const a2 = det('alice 2', 11, 'DB01', { User: 'alice', ProcessId: '4242' });
  const f1 = det('dave writes file', 20, 'DB01', { User: 'dave', TargetFilename: 'C:\\x\\evil.dll' });
  const f2 = det('erin loads file', 21, 'DB01', { User: 'erin', TargetFilename: 'c:/x/evil.dll' });
  const incs = groupIncidents([a1, b1, b2, c1, a2, f1, f2], { windowMs: 30 * MIN });
  assert.deepEqual(titles(incs), [
    ['alice 1', 'alice 2', 'carol child of alice'],
    ['bob 1', 'bob 2'],
    ['dave writes file', 'erin loads file'],
  ]);
});

test('a detection without a user joins everything on its host in the window', () => {
  const a = det('alice', 0, 'H', { User: 'alice' });
  const b = det('bob', 2, 'H', { User: 'bob' });
  const n = det('scanner finding', 1, 'H', { FilePath: '/var/www/shell.php' });
  assert.deepEqual(titles(groupIncidents([a, b, n], { windowMs: 5 * MIN })), [['alice', 'scanner finding', 'bob']]);
});

test('hosts never mix; gaps larger than the window split; gaps within it chain', () => {
  const incs = groupIncidents(
    [
      det('h1 a', 0, 'h1', { User: 'u' }),
      det('h2 a', 1, 'h2', { User: 'u' }),
      det('h1 b', 25, 'H1', { User: 'u' }),
      det('h1 c', 50, 'h1', { User: 'u' }),
      det('h1 d', 81, 'h1', { User: 'u' }),
    ],
    { windowMs: 30 * MIN },
  );
  assert.deepEqual(titles(incs), [['h1 a', 'h1 b', 'h1 c'], ['h2 a'], ['h1 d']]);
});

test('severity: one technique (even as several sub-techniques) is not raised; critical stays critical', () => {
  const one = groupIncidents([det('x', 0, 'h', {}, 'medium', ['attack.t1505.003']), det('y', 1, 'h', {}, 'low', ['attack.t1505.004', 'attack.persistence'])]);
  assert.equal(one[0]!.severity, 'medium');
  assert.deepEqual(one[0]!.techniques, ['T1505']);
  const crit = groupIncidents([det('x', 0, 'h', {}, 'critical', ['attack.t1505']), det('y', 1, 'h', {}, 'low', ['attack.t1059'])]);
  assert.equal(crit[0]!.severity, 'critical');
  const raised = groupIncidents([det('x', 0, 'h', {}, 'informational', ['attack.t1505']), det('y', 1, 'h', {}, 'informational', ['attack.t1059'])]);
  assert.equal(raised[0]!.severity, 'low');
});

test('ids are stable across runs and input order; correlation evidence is merged and de-duplicated', () => {
  const mk = (): Detection[] => {
    record = 100;
    const corr: Detection = {
      id: 'c1-firing',
      kind: 'correlation',
      rule: { id: 'c1', title: 'brute force', level: 'high', status: '', author: 'A', tags: [], references: [] },
      timestamp: T0 + 5 * MIN,
      host: 'DC',
      origin: { file: 'Security.evtx', record: 7, format: 'evtx' },
      logsource: {},
      event: { count: 3, User: 'bob' },
      evidence: [
        { file: 'Security.evtx', record: 5, format: 'evtx' },
        { file: 'Security.evtx', record: 6, format: 'evtx' },
        { file: 'Security.evtx', record: 7, format: 'evtx' },
      ],
    };
    const rule: Detection = { ...det('login', 6, 'DC', { User: 'bob' }), origin: { file: 'Security.evtx', record: 7, format: 'evtx' } };
    return [corr, rule];
  };
  const first = groupIncidents(mk());
  const second = groupIncidents(mk().reverse());
  assert.equal(first.length, 1);
  assert.equal(first[0]!.id, second[0]!.id);
  assert.deepEqual(
    first[0]!.evidence.map((o) => o.record),
    [5, 6, 7],
  );
});

test('detections without a timestamp group among themselves per host', () => {
  const incs = groupIncidents([
    det('t1', undefined, 'h', { User: 'a' }),
    det('t2', undefined, 'h', { User: 'a' }),
    det('timed', 0, 'h', { User: 'a' }),
    det('other host', undefined, 'g', {}),
  ]);
  assert.deepEqual(
    titles(incs)
      .map((t) => t.join('+'))
      .sort(),
    ['other host', 't1+t2', 'timed'],
  );
  assert.equal(incs[0]!.detections[0]!.title, 'timed', 'timed incidents come first');
  assert.equal(incs.find((i) => i.detections.length === 2)!.start, undefined);
});

test('formatIncidents renders the time line with authors and evidence', () => {
  record = 0;
  const d1 = det('aspx written to web root', 0, 'WEB01', { User: 'w3svc' }, 'high', ['attack.t1505.003']);
  const d2 = det('w3wp spawns cmd', 2, 'WEB01', { User: 'w3svc' }, 'medium', ['attack.t1059.003']);
  const incs = group([d1, d2]).map((u) => ({ incident: u.incident, members: u.members ?? [] }));
  const id = incs[0]!.incident.id;
  assert.equal(
    formatIncidents(incs),
    [
      `INCIDENT ${id}  severity CRITICAL`,
      '  raised:     from high: 2 ATT&CK techniques chained',
      '  host:       WEB01',
      '  time:       2024-05-01T10:00:00.000Z .. 2024-05-01T10:02:00.000Z',
      '  users:      w3svc',
      '  techniques: T1059, T1505',
      '  time line (2 detections):',
      '    2024-05-01T10:00:00.000Z  high     aspx written to web root (by Tester)  [Sysmon.evtx#1]',
      '    2024-05-01T10:02:00.000Z  medium   w3wp spawns cmd (by Tester)  [Sysmon.evtx#2]',
      '  evidence (2 events): Sysmon.evtx#1, Sysmon.evtx#2',
      '',
    ].join('\n'),
  );
  assert.equal(formatIncidents([]), 'No incidents.\n');
});
