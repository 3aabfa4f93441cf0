/**
 * The member budget of open incidents (what kept `warden serve`'s memory growing with every
 * detection: one incident chained for as long as its host kept matching, holding every member
 * and every evidence key, and saved whole in every pipeline snapshot). With the budget an open
 * incident holds only its newest members and evidence keys, while its header — member and
 * evidence counts, start, end, severity — is exactly what it is without one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection, IncidentUpdate } from '../../src/event/detection.js';
import { detectionId } from '../../src/event/identity.js';
import { Pipeline } from '../../src/engine/pipeline.js';

const T0 = Date.UTC(2026, 0, 1);
const SEC = 1000;

function det(i: number, user: string | undefined, host = 'WEB0'): Detection {
  const origin = { file: 'sysmon.jsonl', record: i + 1, format: 'json' };
  return {
    id: detectionId('r-shell', `file\u0000sysmon.jsonl\u0000${i + 1}`),
    kind: 'rule',
    rule: { id: 'r-shell', title: 'IIS spawns a shell', level: 'high', status: 'test', author: 'Tester', tags: ['attack.t1505.003'], references: [] },
    origin,
    logsource: {},
    timestamp: T0 + i * SEC,
    host,
    event: user === undefined ? { Image: 'cmd.exe' } : { Image: 'cmd.exe', User: user },
  };
}

function run(ds: Detection[], maxMembers?: number): { p: Pipeline; updates: IncidentUpdate[] } {
  const p = new Pipeline({ correlations: [] }, { outOfOrderToleranceMs: 0, incidents: { windowMs: 3_600_000, maxMembers } });
  const updates: IncidentUpdate[] = [];
  for (let i = 0; i < ds.length; i += 500) updates.push(...p.pushDetections(ds.slice(i, i + 500)).incidents);
  return { p, updates };
}

/** Header fields that must not depend on the budget (the evidence list is the first 100 either way). */
function header(u: IncidentUpdate): object {
  const { id, status, severity, maxLevel, start, end, memberCount, evidenceCount, evidence, users, techniques, mergedInto } = u.incident;
  return { id, status, severity, maxLevel, start, end, memberCount, evidenceCount, evidence, users, techniques, mergedInto };
}

test('an incident chained over 20,000 detections holds at most its budget of members and evidence keys', () => {
  const ds = Array.from({ length: 20_000 }, (_, i) => det(i, 'iis apppool\\defaultapppool'));
  const { p, updates } = run(ds, 100);
  const state = p.snapshot().incidents!;
  assert.equal(state.incidents.length, 1, 'one open incident');
  const live = state.incidents[0]!;
  assert.ok(live.members.length <= 100 && live.members.length >= 75, `members held: ${live.members.length}`);
  assert.ok(live.evidenceKeys.length <= 400, `evidence keys held: ${live.evidenceKeys.length}`);
  assert.equal(live.members.at(-1)!.id, ds.at(-1)!.id, 'the newest members are the ones held');
  assert.equal(live.inc.memberCount, 20_000);
  assert.equal(live.inc.evidenceCount, 20_000);
  assert.equal(live.inc.start, T0);
  assert.equal(live.inc.end, T0 + 19_999 * SEC);
  // Every member went out once, in an update, as it was added (the store has them all).
  assert.equal(
    updates.reduce((n, u) => n + (u.added?.length ?? 0), 0),
    20_000,
  );
  // The saved state no longer grows with the incident.
  assert.ok(JSON.stringify(p.snapshot()).length < 100_000, 'the pipeline snapshot stays small');

  const unbounded = run(ds);
  assert.equal(unbounded.p.snapshot().incidents!.incidents[0]!.members.length, 20_000, 'without a budget every member is held (batch hunts)');
  assert.deepEqual(header(p.flush().incidents[0]!), header(unbounded.p.flush().incidents[0]!), 'the closed header is the same with and without the budget');
});

test('merging two incidents past the budget gives the same header as without one', () => {
  // Two users' activity on one host stays apart until a detection naming no user joins both.
  const ds: Detection[] = [];
  for (let i = 0; i < 600; i++) ds.push(det(i, i % 2 ? 'alice' : 'bob'));
  ds.push(det(600, undefined));
  for (let i = 601; i < 700; i++) ds.push(det(i, 'alice'));
  const budget = run(ds, 50);
  const all = run(ds);
  const kinds = (us: IncidentUpdate[]): string[] => us.filter((u) => u.kind !== 'grew').map((u) => u.kind);
  assert.deepEqual(kinds(budget.updates), ['opened', 'opened', 'merged']);
  const merged = budget.updates.find((u) => u.kind === 'merged')!;
  assert.deepEqual(header(merged), header(all.updates.find((u) => u.kind === 'merged')!));
  const a = budget.p.flush().incidents[0]!;
  const b = all.p.flush().incidents[0]!;
  assert.deepEqual(header(a), header(b));
  assert.equal(a.incident.memberCount, 700);
  assert.equal(b.members!.length, 700);
  assert.ok(a.members!.length <= 50, `members held at close: ${a.members!.length}`);
});

test('a restored pipeline keeps the budget and the true counts', () => {
  const ds = Array.from({ length: 3_000 }, (_, i) => det(i, 'svc'));
  const { p } = run(ds.slice(0, 2_000), 100);
  const restored = Pipeline.restore({ correlations: [] }, JSON.parse(JSON.stringify(p.snapshot())), {
    outOfOrderToleranceMs: 0,
    incidents: { windowMs: 3_600_000, maxMembers: 100 },
  });
  for (let i = 2_000; i < 3_000; i += 500) restored.pushDetections(ds.slice(i, i + 500));
  const live = restored.snapshot().incidents!.incidents[0]!;
  assert.equal(live.inc.memberCount, 3_000);
  assert.equal(live.inc.evidenceCount, 3_000);
  assert.equal(live.inc.start, T0);
  assert.ok(live.members.length <= 100);
});
