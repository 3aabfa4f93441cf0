/**
 * Correlation chains: a correlation over a correlation fires exactly when expected. The main
 * case is the specification's complete example (public domain): ten failed logins by a user
 * followed by that user's successful login within ten minutes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { ProblemList } from '../../src/errors.js';
import type { Event, Fields } from '../../src/event/event.js';
import type { Detection, RuleInfo } from '../../src/event/detection.js';
import { parseCorrelation, resolveCorrelations } from '../../src/sigma/correlations.js';
import { CorrelationEngine } from '../../src/engine/correlate.js';

const SPEC_EXAMPLE = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
description: Detects multiple failed logins by a single user followed by a successful login of that user
references:
    - https://reference.com
author: Florian Roth (Nextron Systems)
date: 2023-06-16
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
falsepositives:
    - Unlikely
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
description: Detects multiple failed logins within a certain amount of time
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 529
            - 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
description: Detects a successful login
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 528
            - 4624
    condition: selection
`;

const FAILED = '53ba33fd-3a50-4468-a5ef-c583635cfa92';
const SUCCESS = '4d0a2c83-c62c-4ed4-b475-c7e23a9269b8';
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const S = 1000;
const MIN = 60 * S;

/** Splits the multi-document file the way the collection loader does: correlations vs rules. */
function load(text: string, tolerance = 0): { eng: CorrelationEngine; problems: ProblemList } {
  const problems = new ProblemList();
  const corrs = [];
  const rules: RuleInfo[] = [];
  for (const [i, d] of parseAllDocuments(text).entries()) {
    const doc = d.toJS() as Record<string, unknown>;
    if ('correlation' in doc) corrs.push(parseCorrelation(doc, { file: 'mr_spec.yml', line: i + 1 }));
    else rules.push({ id: String(doc.id), name: doc.name as string, title: String(doc.title), level: 'medium', status: 'test', author: '', tags: [], references: [] });
  }
  const resolved = resolveCorrelations(corrs, rules, problems);
  assert.deepEqual(problems.problems, []);
  return { eng: new CorrelationEngine(resolved, { outOfOrderToleranceMs: tolerance, problems }), problems };
}

let record = 0;
function ev(offset: number, fields: Fields): Event {
  record++;
  return { fields, logsource: { product: 'windows', service: 'security' }, host: 'DC01', timestamp: T0 + offset, origin: { file: 'Security.evtx', record, format: 'evtx' } };
}
const failed = (offset: number, user: string): [string, Event] => [FAILED, ev(offset, { EventID: 4625, User: user })];
const success = (offset: number, user: string): [string, Event] => [SUCCESS, ev(offset, { EventID: 4624, User: user })];

function run(eng: CorrelationEngine, pushes: [string, Event][]): { after: number; d: Detection }[] {
  const out: { after: number; d: Detection }[] = [];
  pushes.forEach(([r, e], i) => {
    for (const d of eng.pushEvent(r, e)) out.push({ after: i, d });
  });
  for (const d of eng.flush()) out.push({ after: -1, d });
  return out;
}

test('spec example: 10 failed logins then a success by the same user fires once, with all 11 events as evidence', () => {
  const { eng } = load(SPEC_EXAMPLE);
  const pushes = [...Array.from({ length: 10 }, (_, i) => failed(i * 20 * S, 'bob')), success(5 * MIN, 'bob')];
  const fired = run(eng, pushes);
  assert.equal(fired.length, 1);
  const { after, d } = fired[0]!;
  assert.equal(after, 10);
  assert.equal(d.rule.title, 'Correlation - Multiple Failed Logins Followed by Successful Login');
  assert.equal(d.rule.level, 'high');
  assert.equal(d.rule.author, 'Florian Roth (Nextron Systems)');
  assert.equal(d.timestamp, Date.parse('2024-05-01T08:05:00.000Z'));
  assert.deepEqual(d.event, { count: 2, rules: ['multiple_failed_login', 'successful_login'], User: 'bob' });
  assert.deepEqual(d.origin, { file: 'Security.evtx', record: pushes[10]![1].origin.record, format: 'evtx' });
  assert.equal(d.members?.length, 2, "the inner correlation's firing and the success");
  assert.deepEqual(
    d.evidence!.map((o) => o.record),
    pushes.map(([, e]) => e.origin.record),
  );
  // The inner correlation and the base rules are not reported on their own (generate: false).
  assert.deepEqual([...eng.suppressedRuleIds].sort(), [FAILED, SUCCESS].sort());
});

test('spec example: nine failures, a success before the failures, or another user do not fire', () => {
  const cases: [string, [string, Event][]][] = [
    ['nine failures', [...Array.from({ length: 9 }, (_, i) => failed(i * S, 'bob')), success(MIN, 'bob')]],
    ['success first', [success(0, 'bob'), ...Array.from({ length: 10 }, (_, i) => failed((i + 1) * S, 'bob'))]],
    ['success by another user', [...Array.from({ length: 10 }, (_, i) => failed(i * S, 'bob')), success(MIN, 'alice')]],
    ['failures spread over more than 10 minutes', [...Array.from({ length: 10 }, (_, i) => failed(i * 67 * S, 'bob')), success(11 * MIN, 'bob')]],
    ['success more than 10 minutes after the 10th failure completed', [...Array.from({ length: 10 }, (_, i) => failed(i * S, 'bob')), success(9 * S + 10 * MIN + 1, 'bob')]],
  ];
  for (const [name, pushes] of cases) {
    const { eng } = load(SPEC_EXAMPLE);
    assert.deepEqual(run(eng, pushes), [], name);
  }
});

test('spec example: two rounds fire twice; the failures of one round are not reused', () => {
  const { eng } = load(SPEC_EXAMPLE);
  const round = (start: number): [string, Event][] => [...Array.from({ length: 10 }, (_, i) => failed(start + i * S, 'bob')), success(start + 20 * S, 'bob')];
  const pushes = [...round(0), success(40 * S, 'bob'), ...round(60 * S)];
  assert.deepEqual(
    run(eng, pushes).map((f) => f.after),
    [10, 22],
  );
});

test('a window-mode inner correlation feeds its outer correlation without being "late"', () => {
  // Inner: exactly 2 hits in 1 minute (judged when the window closes). Outer: inner then rule z.
  const yaml = `title: outer
correlation: {type: temporal_ordered, rules: [pair, z], group-by: [Host], timespan: 5m}
---
title: pair
name: pair
correlation: {type: event_count, rules: [y], group-by: [Host], timespan: 1m, condition: {eq: 2}}`;
  const problems = new ProblemList();
  const corrs = yaml.split(/^---$/m).map((d, i) => parseCorrelation(parseAllDocuments(d)[0]!.toJS(), { file: 'c.yml', line: i }));
  const rules: RuleInfo[] = ['y', 'z'].map((id) => ({ id, name: id, title: id, level: 'low', status: '', author: '', tags: [], references: [] }));
  const eng = new CorrelationEngine(resolveCorrelations(corrs, rules, problems), { outOfOrderToleranceMs: 0, problems });
  const y1 = ev(0, { Host: 'h' });
  const y2 = ev(10 * S, { Host: 'h' });
  const z1 = ev(30 * S, { Host: 'h' });
  const z2 = ev(2 * MIN, { Host: 'h' });
  // The pair window [0, 60 s] closes only at 60 s, after z1 (30 s) was seen, but the pair
  // completed at 10 s: in event time z1 follows it, so the chain fires (at z1's time).
  const fired = run(eng, [
    ['y', y1],
    ['y', y2],
    ['z', z1],
    ['z', z2],
  ]);
  assert.deepEqual(problems.problems, []);
  assert.deepEqual(
    fired.map((f) => [f.after, f.d.rule.title, f.d.timestamp, f.d.evidence!.map((o) => o.record)]),
    [[3, 'outer', T0 + 30 * S, [y1, y2, z1].map((e) => e.origin.record)]],
  );
  assert.equal(eng.stats().late, 0);
});

test('a count of counts: bursts of failures make a campaign; generate decides whether bursts are reported too', () => {
  // 3 failures in 1 minute = burst; 2 bursts in 10 minutes = campaign.
  const yaml = (generate: boolean): string => `title: campaign
correlation: {type: event_count, rules: [burst], group-by: [User], timespan: 10m, condition: {gte: 2}, generate: ${generate}}
---
title: burst
name: burst
correlation: {type: event_count, rules: [f], group-by: [User], timespan: 1m, condition: {gte: 3}}`;
  for (const generate of [false, true]) {
    const corrs = yaml(generate)
      .split(/^---$/m)
      .map((d, i) => parseCorrelation(parseAllDocuments(d)[0]!.toJS(), { file: 'c.yml', line: i }));
    const eng = new CorrelationEngine(
      resolveCorrelations(corrs, [{ id: 'f', name: 'f', title: 'f', level: 'low', status: '', author: '', tags: [], references: [] }], new ProblemList()),
      { outOfOrderToleranceMs: 0 },
    );
    const fails = [0, 1, 2, 3, 4, 5 * 60, 5 * 60 + 1, 5 * 60 + 2].map((s) => ['f', ev(s * S, { User: 'u' })] as [string, Event]);
    const fired = run(eng, fails);
    const campaign: [number, string, Fields] = [7, 'campaign', { count: 2, User: 'u' }];
    assert.deepEqual(
      fired.map((f) => [f.after, f.d.rule.title, f.d.event]),
      generate ? [[2, 'burst', { count: 3, User: 'u' }], [7, 'burst', { count: 3, User: 'u' }], campaign] : [campaign],
    );
    // Failures 3 and 4 (after the first burst fired and reset) belong to no burst.
    const c = fired.find((f) => f.d.rule.title === 'campaign')!.d;
    assert.deepEqual(
      c.evidence!.map((o) => o.record),
      [0, 1, 2, 5, 6, 7].map((i) => fails[i]![1].origin.record),
    );
    assert.deepEqual([...eng.suppressedRuleIds], ['f']);
  }
});
