/**
 * CorrelationEngine semantics for every correlation type and option, with hand-built event
 * streams and exact expected detections. Rule YAML is from the Sigma specification's examples
 * where the specification has one (public domain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ProblemList } from '../../src/errors.js';
import type { Event, Fields } from '../../src/event/event.js';
import type { Detection, RuleInfo } from '../../src/event/detection.js';
import { parseCorrelation, resolveCorrelations } from '../../src/sigma/correlations.js';
import { CorrelationEngine, type CorrelationOptions } from '../../src/engine/correlate.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const S = 1000;
const MIN = 60 * S;

function info(id: string, name?: string): RuleInfo {
  const r: RuleInfo = { id, title: `rule ${id}`, level: 'low', status: 'test', author: 'tester', tags: [], references: [] };
  if (name) r.name = name;
  return r;
}

let record = 0;
function ev(offsetMs: number | undefined, fields: Fields, host = 'web01'): Event {
  record++;
  const e: Event = { fields, logsource: { product: 'windows' }, host, origin: { file: 'stream.jsonl', record, format: 'json' } };
  if (offsetMs !== undefined) e.timestamp = T0 + offsetMs;
  return e;
}

function engine(yamlText: string, rules: RuleInfo[], opts: CorrelationOptions = {}): { eng: CorrelationEngine; problems: ProblemList } {
  const problems = new ProblemList();
  const corrs = yamlText.split(/^---$/m).map((d, i) => parseCorrelation(parseYaml(d), { file: 'mr.yml', line: i + 1 }));
  const resolved = resolveCorrelations(corrs, rules, problems);
  assert.deepEqual(problems.problems, []);
  return { eng: new CorrelationEngine(resolved, { outOfOrderToleranceMs: 0, problems, ...opts }), problems };
}

/** Compact view of a detection: when (offset), what (fields), from which records. */
interface Fired {
  rule: string;
  at: number | undefined;
  record: number;
  event: Fields;
  evidence: number[];
}
function view(d: Detection): Fired {
  return {
    rule: d.rule.title,
    at: d.timestamp === undefined ? undefined : d.timestamp - T0,
    record: d.origin.record,
    event: d.event,
    evidence: (d.evidence ?? []).map((o) => o.record),
  };
}

/** Pushes [rule, event] pairs; returns what fired after each push (index) and at flush (-1). */
function run(eng: CorrelationEngine, pushes: [string, Event][]): { after: number; d: Fired }[] {
  const out: { after: number; d: Fired }[] = [];
  pushes.forEach(([r, e], i) => {
    for (const d of eng.pushEvent(r, e)) out.push({ after: i, d: view(d) });
  });
  for (const d of eng.flush()) out.push({ after: -1, d: view(d) });
  return out;
}

function recs(events: Event[]): number[] {
  return events.map((e) => e.origin.record);
}

const FAILED = '5638f7c0-ac70-491d-8465-2a65075e0d86';
const SPEC_EVENT_COUNT = `
title: Many failed logins
id: 0e95725d-7320-415d-80f7-004da920fc11
correlation:
    type: event_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
    timespan: 1h
    condition:
        gte: 100
`;

test('event_count (spec example): fires at the 100th failed login within the hour, per ComputerName', () => {
  const { eng } = engine(SPEC_EVENT_COUNT, [info(FAILED)]);
  const dc = Array.from({ length: 100 }, (_, i) => ev(i * 35 * S, { ComputerName: 'DC01', EventID: 4625 }));
  const other = Array.from({ length: 99 }, (_, i) => ev(i * 35 * S + 1, { ComputerName: 'DC02', EventID: 4625 }));
  const pushes: [string, Event][] = [];
  for (let i = 0; i < 100; i++) {
    pushes.push([FAILED, dc[i]!]);
    if (i < 99) pushes.push([FAILED, other[i]!]);
  }
  const fired: Fired[] = [];
  pushes.forEach(([r, e], i) => {
    for (const d of eng.pushEvent(r, e)) {
      assert.equal(i, 198, 'fires on the 100th DC01 event');
      fired.push(view(d));
    }
  });
  assert.equal(eng.stats().groups, 1, 'the DC01 group was reset when it fired; DC02 is still open');
  assert.deepEqual(eng.flush(), []);
  assert.equal(eng.stats().groups, 0, 'flush releases all state');
  assert.deepEqual(fired, [{ rule: 'Many failed logins', at: 99 * 35 * S, record: dc[99]!.origin.record, event: { count: 100, ComputerName: 'DC01' }, evidence: recs(dc) }]);
});

test('window edge: exactly the timespan apart counts, one millisecond more never does', () => {
  const yaml = 'title: two\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 10s, condition: {gte: 2}}';
  const a = engine(yaml, [info('r')]).eng;
  const e1 = ev(0, { Host: 'x' });
  const e2 = ev(10 * S, { Host: 'x' });
  assert.deepEqual(
    run(a, [
      ['r', e1],
      ['r', e2],
    ]).map((f) => f.d.evidence),
    [recs([e1, e2])],
  );
  const b = engine(yaml, [info('r')]).eng;
  assert.deepEqual(
    run(b, [
      ['r', ev(0, { Host: 'x' })],
      ['r', ev(10 * S + 1, { Host: 'x' })],
    ]),
    [],
  );
  // Same edge for window-mode (upper-bounded) conditions.
  const c = engine('title: two\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 10s, condition: {eq: 2}}', [info('r')]).eng;
  const f1 = ev(0, { Host: 'x' });
  const f2 = ev(10 * S, { Host: 'x' });
  const f3 = ev(20 * S + 1, { Host: 'x' });
  assert.deepEqual(
    run(c, [
      ['r', f1],
      ['r', f2],
      ['r', f3],
    ]),
    [{ after: 2, d: { rule: 'two', at: 10 * S, record: f2.origin.record, event: { count: 2, Host: 'x' }, evidence: recs([f1, f2]) } }],
  );
});

test('a window that slides past old events forgets them (sliding, not fixed buckets)', () => {
  const { eng } = engine('title: three\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 10s, condition: {gte: 3}}', [info('r')]);
  const e = [ev(0, { Host: 'x' }), ev(5 * S, { Host: 'x' }), ev(12 * S, { Host: 'x' }), ev(14 * S, { Host: 'x' })];
  const fired = run(
    eng,
    e.map((x) => ['r', x] as [string, Event]),
  );
  // At 12 s the event at 0 s has left the window (2 remain); at 14 s there are 3 within 9 s.
  assert.deepEqual(fired, [{ after: 3, d: { rule: 'three', at: 14 * S, record: e[3]!.origin.record, event: { count: 3, Host: 'x' }, evidence: recs(e.slice(1)) } }]);
});

test('re-firing: a group fires, resets, and needs a fresh set of matches', () => {
  const { eng } = engine('title: three\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 1m, condition: {gte: 3}}', [info('r')]);
  const e = Array.from({ length: 7 }, (_, i) => ev(i * S, { Host: 'x' }));
  const fired = run(
    eng,
    e.map((x) => ['r', x] as [string, Event]),
  );
  assert.deepEqual(
    fired.map((f) => [f.after, f.d.evidence]),
    [
      [2, recs(e.slice(0, 3))],
      [5, recs(e.slice(3, 6))],
    ],
  );
});

test('group-by: several fields are AND-ed; a missing group-by field keeps the event out; no group-by is one group', () => {
  const { eng } = engine('title: g\ncorrelation: {type: event_count, rules: [r], group-by: [Host, User], timespan: 1m, condition: {gte: 2}}', [info('r')]);
  const a1 = ev(0, { Host: 'x', User: 'alice' });
  const b1 = ev(1 * S, { Host: 'x', User: 'bob' });
  const n1 = ev(2 * S, { Host: 'x' });
  const z1 = ev(3 * S, { Host: 'x', User: null });
  const a2 = ev(4 * S, { host: 'x', user: 'alice' }); // field names match case-insensitively
  assert.deepEqual(
    run(eng, [
      ['r', a1],
      ['r', b1],
      ['r', n1],
      ['r', z1],
      ['r', a2],
    ]).map((f) => f.d),
    [{ rule: 'g', at: 4 * S, record: a2.origin.record, event: { count: 2, Host: 'x', User: 'alice' }, evidence: recs([a1, a2]) }],
  );
  const all = engine('title: all\ncorrelation: {type: event_count, rules: [r], timespan: 1m, condition: {gte: 2}}', [info('r')]).eng;
  assert.deepEqual(
    run(all, [
      ['r', ev(0, { Host: 'x' })],
      ['r', ev(S, {})],
    ]).map((f) => f.d.event),
    [{ count: 2 }],
  );
  const num = engine('title: n\ncorrelation: {type: event_count, rules: [r], group-by: [Port], timespan: 1m, condition: {gte: 2}}', [info('r')]).eng;
  assert.deepEqual(
    run(num, [
      ['r', ev(0, { Port: 445 })],
      ['r', ev(S, { Port: '445' })],
    ]).map((f) => f.d.event),
    [{ count: 2, Port: 445 }],
  );
});

test('an event matched by two referenced rules counts once for event_count', () => {
  const { eng } = engine('title: c\ncorrelation: {type: event_count, rules: [r1, r2], group-by: [Host], timespan: 1m, condition: {gte: 2}}', [info('r1'), info('r2')]);
  const e1 = ev(0, { Host: 'x' });
  const e2 = ev(S, { Host: 'x' });
  assert.deepEqual(
    run(eng, [
      ['r1', e1],
      ['r2', e1],
      ['r2', e2],
    ]).map((f) => [f.after, f.d.evidence]),
    [[2, recs([e1, e2])]],
  );
});

test('range, eq, neq, lt: judged once per window when it closes', () => {
  const yaml = (cond: string): string => `title: w\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 10s, condition: ${cond}}`;
  const burst = (n: number, host: string, start: number): Event[] => Array.from({ length: n }, (_, i) => ev(start + i * S, { Host: host }));
  const cases: [string, number[]][] = [
    ['{gt: 2, lte: 4}', [3, 4]],
    ['{eq: 2}', [2]],
    ['{neq: 2}', [1, 3, 4, 5]],
    ['{lt: 3}', [1, 2]],
  ];
  for (const [cond, firingSizes] of cases) {
    const { eng } = engine(yaml(cond), [info('r')]);
    const pushes: [string, Event][] = [];
    for (let n = 1; n <= 5; n++) for (const e of burst(n, `h${n}`, n * 100)) pushes.push(['r', e]);
    pushes.sort((x, y) => x[1].timestamp! - y[1].timestamp!);
    const fired = run(eng, pushes);
    assert.deepEqual(
      fired.map((f) => f.d.event),
      firingSizes.map((n) => ({ count: n, Host: `h${n}` })),
      cond,
    );
    assert.ok(
      fired.every((f) => f.after === -1),
      `${cond}: all windows are still open until flush`,
    );
  }
  // A window closes as soon as event time passes its end, not only at flush.
  const { eng } = engine(yaml('{lt: 3}'), [info('r')]);
  const a = ev(0, { Host: 'a' });
  const later = ev(10 * S + 1, { Host: 'b' });
  assert.deepEqual(
    run(eng, [
      ['r', a],
      ['r', later],
    ]).map((f) => [f.after, f.d.event]),
    [
      [1, { count: 1, Host: 'a' }],
      [-1, { count: 1, Host: 'b' }],
    ],
  );
});

test('value_count: distinct values in the sliding window', () => {
  const { eng } = engine(
    `
title: Failed login
id: 0e95725d-7320-415d-80f7-004da920fc12
correlation:
    type: value_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
        - WorkstationName
    timespan: 1d
    condition:
        field: User
        gte: 3
`,
    [info(FAILED)],
  );
  const e = [
    ev(0, { ComputerName: 'DC01', WorkstationName: 'WS1', User: 'a' }),
    ev(1 * MIN, { ComputerName: 'DC01', WorkstationName: 'WS1', User: 'a' }),
    ev(2 * MIN, { ComputerName: 'DC01', WorkstationName: 'WS2', User: 'b' }),
    ev(3 * MIN, { ComputerName: 'DC01', WorkstationName: 'WS1', User: 'b' }),
    ev(4 * MIN, { ComputerName: 'DC01', WorkstationName: 'WS1' }),
    ev(25 * 60 * MIN, { ComputerName: 'DC01', WorkstationName: 'WS1', User: 'c' }),
    ev(25 * 60 * MIN + 1, { ComputerName: 'DC01', WorkstationName: 'WS1', User: 'd' }),
    ev(25 * 60 * MIN + 2, { ComputerName: 'DC01', WorkstationName: 'WS1', User: 'e' }),
  ];
  // a, a, b in the first day make 2 distinct values; a day later the window forgot them.
  assert.deepEqual(
    run(
      eng,
      e.map((x) => [FAILED, x] as [string, Event]),
    ).map((f) => f.d),
    [
      {
        rule: 'Failed login',
        at: 25 * 60 * MIN + 2,
        record: e[7]!.origin.record,
        event: { value_count: 3, count: 3, ComputerName: 'DC01', WorkstationName: 'WS1' },
        evidence: recs(e.slice(5)),
      },
    ],
  );
});

test('value_count over several fields counts distinct combinations', () => {
  const { eng } = engine('title: combos\ncorrelation: {type: value_count, rules: [r], group-by: [Host], timespan: 1h, condition: {field: [User, Port], gte: 3}}', [info('r')]);
  const e = [
    ev(0, { Host: 'x', User: 'a', Port: 1 }),
    ev(1, { Host: 'x', User: 'a', Port: 2 }),
    ev(2, { Host: 'x', User: 'a', Port: 1 }),
    ev(3, { Host: 'x', User: 'b', Port: 1 }),
  ];
  assert.deepEqual(
    run(
      eng,
      e.map((x) => ['r', x] as [string, Event]),
    ).map((f) => [f.after, f.d.event]),
    [[3, { value_count: 3, count: 4, Host: 'x' }]],
  );
});

test('value_sum (spec example): fires when the sum in the sliding hour passes the limit', () => {
  const { eng } = engine(
    `
title: Possible Exfiltration to Website
correlation:
    type: value_sum
    rules:
        - website_access
    group-by:
        - SourceIP
        - User
    timespan: 1h
    condition:
        field: bytes_sent
        gt: 1000000
`,
    [info('w1', 'website_access')],
  );
  const e = [
    ev(0, { SourceIP: '10.0.0.5', User: 'bob', bytes_sent: 400000 }),
    ev(10 * MIN, { SourceIP: '10.0.0.5', User: 'bob', bytes_sent: 'n/a' }),
    ev(20 * MIN, { SourceIP: '10.0.0.5', User: 'eve', bytes_sent: 900000 }),
    ev(30 * MIN, { SourceIP: '10.0.0.5', User: 'bob', bytes_sent: '400000' }),
    ev(50 * MIN, { SourceIP: '10.0.0.5', User: 'bob', bytes_sent: 200000 }),
    ev(55 * MIN, { SourceIP: '10.0.0.5', User: 'bob', bytes_sent: 1 }),
  ];
  assert.deepEqual(
    run(
      eng,
      e.map((x) => ['w1', x] as [string, Event]),
    ).map((f) => f.d),
    [
      {
        rule: 'Possible Exfiltration to Website',
        at: 55 * MIN,
        record: e[5]!.origin.record,
        event: { sum: 1000001, count: 4, SourceIP: '10.0.0.5', User: 'bob' },
        evidence: recs([e[0]!, e[3]!, e[4]!, e[5]!]),
      },
    ],
  );
});

test('value_avg (spec example): the average over the window opened by the first match', () => {
  const { eng } = engine(
    `
title: Suspicious average network traffic
correlation:
    type: value_avg
    rules: 
        - rule_a_id
    group-by:
        - SourceIP
        - User
    timespan: 24h
    condition:
        field: BytesOut
        gt: 500
`,
    [info('rule_a_id')],
  );
  const hi = [
    ev(0, { SourceIP: '1.1.1.1', User: 'u', BytesOut: 400 }),
    ev(MIN, { SourceIP: '1.1.1.1', User: 'u', BytesOut: 700 }),
    ev(2 * MIN, { SourceIP: '1.1.1.1', User: 'u', BytesOut: 800 }),
  ];
  const lo = [ev(0, { SourceIP: '2.2.2.2', User: 'u', BytesOut: 600 }), ev(MIN, { SourceIP: '2.2.2.2', User: 'u', BytesOut: 300 })];
  const fired = run(
    eng,
    [...hi, ...lo].sort((a, b) => a.timestamp! - b.timestamp!).map((x) => ['rule_a_id', x] as [string, Event]),
  );
  assert.deepEqual(fired, [
    {
      after: -1,
      d: {
        rule: 'Suspicious average network traffic',
        at: 2 * MIN,
        record: hi[2]!.origin.record,
        event: { avg: 633.3333333333334, count: 3, SourceIP: '1.1.1.1', User: 'u' },
        evidence: recs(hi),
      },
    },
  ]);
});

test('value_percentile and value_median', () => {
  const { eng } = engine('title: p90\ncorrelation: {type: value_percentile, rules: [r], group-by: [Host], timespan: 1h, condition: {field: ms, percentile: 90, gte: 910}}', [
    info('r'),
  ]);
  const e = Array.from({ length: 11 }, (_, i) => ev(i * S, { Host: 'x', ms: (10 - i) * 100 }));
  // Values 0..1000 step 100: the 90th percentile is 900, so gte 910 does not hold...
  assert.deepEqual(
    run(
      eng,
      e.map((x) => ['r', x] as [string, Event]),
    ),
    [],
  );
  const { eng: e2 } = engine('title: p95\ncorrelation: {type: value_percentile, rules: [r], group-by: [Host], timespan: 1h, condition: {field: ms, percentile: 95, gte: 910}}', [
    info('r'),
  ]);
  // ...and the 95th is 950 (interpolated between 900 and 1000).
  assert.deepEqual(
    run(
      e2,
      e.map((x) => ['r', x] as [string, Event]),
    ).map((f) => f.d.event),
    [{ percentile: 950, percentile_rank: 95, count: 11, Host: 'x' }],
  );
  const { eng: m } = engine('title: med\ncorrelation: {type: value_median, rules: [r], group-by: [Host], timespan: 1h, condition: {field: ms, gte: 5}}', [info('r')]);
  const odd = [ev(0, { Host: 'a', ms: 100 }), ev(1, { Host: 'a', ms: 1 }), ev(2, { Host: 'a', ms: 5 })];
  const even = [ev(3, { Host: 'b', ms: 1 }), ev(4, { Host: 'b', ms: 4 }), ev(5, { Host: 'b', ms: 5 }), ev(6, { Host: 'b', ms: 100 })];
  assert.deepEqual(
    run(
      m,
      [...odd, ...even].map((x) => ['r', x] as [string, Event]),
    ).map((f) => f.d.event),
    [{ median: 5, count: 3, Host: 'a' }],
  );
  // The spec's own value_percentile example aggregates Image, which is not a number: such
  // values are ignored, so that rule cannot fire here.
  const { eng: img } = engine('title: rare\ncorrelation: {type: value_percentile, rules: [r], group-by: [ComputerName], timespan: 24h, condition: {field: Image, lte: 1}}', [
    info('r'),
  ]);
  assert.deepEqual(run(img, [['r', ev(0, { ComputerName: 'a', Image: 'C:\\x.exe' })]]), []);
});

const RECON = `
title: Recon
correlation:
    type: temporal
    rules:
        - recon_cmd_a
        - recon_cmd_b
        - recon_cmd_c
    group-by:
        - ComputerName
        - User
    timespan: 5m
`;
const reconRules = [info('ra', 'recon_cmd_a'), info('rb', 'recon_cmd_b'), info('rc', 'recon_cmd_c')];

test('temporal (spec example): all three recon rules in any order within 5 minutes, same host and user', () => {
  const { eng } = engine(RECON, reconRules);
  const f = { ComputerName: 'SRV', User: 'adm' };
  const c = ev(0, f);
  const a = ev(MIN, f);
  const b = ev(4 * MIN, f);
  assert.deepEqual(
    run(eng, [
      ['rc', c],
      ['ra', a],
      ['rb', b],
    ]),
    [
      {
        after: 2,
        d: {
          rule: 'Recon',
          at: 4 * MIN,
          record: b.origin.record,
          event: { count: 3, rules: ['recon_cmd_a', 'recon_cmd_b', 'recon_cmd_c'], ComputerName: 'SRV', User: 'adm' },
          evidence: recs([c, a, b]),
        },
      },
    ],
  );
});

test('temporal: matches whose group-by values differ never fire', () => {
  const { eng } = engine(RECON, reconRules);
  assert.deepEqual(
    run(eng, [
      ['ra', ev(0, { ComputerName: 'SRV', User: 'adm' })],
      ['rb', ev(S, { ComputerName: 'SRV', User: 'bob' })],
      ['rc', ev(2 * S, { ComputerName: 'SRV2', User: 'adm' })],
      ['rb', ev(3 * S, { ComputerName: 'SRV', User: 'ADM' })],
    ]),
    [],
  );
});

test('temporal: a step outside the timespan never counts', () => {
  const { eng } = engine(RECON, reconRules);
  const f = { ComputerName: 'SRV', User: 'adm' };
  assert.deepEqual(
    run(eng, [
      ['ra', ev(0, f)],
      ['rb', ev(2 * MIN, f)],
      ['rc', ev(5 * MIN + 1, f)],
    ]),
    [],
  );
  const { eng: e2 } = engine(RECON, reconRules);
  const x = [ev(0, f), ev(2 * MIN, f), ev(5 * MIN + 1, f), ev(5 * MIN + 2, f)];
  // ...but a new a after the old one expired completes b, c, a within 5 minutes.
  assert.deepEqual(
    run(e2, [
      ['ra', x[0]!],
      ['rb', x[1]!],
      ['rc', x[2]!],
      ['ra', x[3]!],
    ]).map((r) => r.d.evidence),
    [recs(x.slice(1))],
  );
});

test('temporal with a count condition: any 2 of the 3 rules', () => {
  const { eng } = engine(
    'title: two of three\ncorrelation: {type: temporal, rules: [recon_cmd_a, recon_cmd_b, recon_cmd_c], group-by: [ComputerName], timespan: 5m, condition: {gte: 2}}',
    reconRules,
  );
  const a1 = ev(0, { ComputerName: 'S' });
  const a2 = ev(S, { ComputerName: 'S' });
  const c = ev(2 * S, { ComputerName: 'S' });
  assert.deepEqual(
    run(eng, [
      ['ra', a1],
      ['ra', a2],
      ['rc', c],
    ]).map((r) => [r.after, r.d.event]),
    [[2, { count: 2, rules: ['recon_cmd_a', 'recon_cmd_c'], ComputerName: 'S' }]],
  );
});

const ORDERED = `
title: Recon ordered
correlation:
    type: temporal_ordered
    rules:
        - recon_cmd_a
        - recon_cmd_b
        - recon_cmd_c
    group-by:
        - ComputerName
        - User
    timespan: 5m
`;

test('temporal_ordered (spec example): fires only when every step follows the one before', () => {
  const f = { ComputerName: 'SRV', User: 'adm' };
  const seqs: [string, string[], boolean][] = [
    ['a b c', ['ra', 'rb', 'rc'], true],
    ['b a c (first step out of order)', ['rb', 'ra', 'rc'], false],
    ['a c b (last step out of order)', ['ra', 'rc', 'rb'], false],
    ['c b a', ['rc', 'rb', 'ra'], false],
    ['b a c b c (a, b, c embedded)', ['rb', 'ra', 'rc', 'rb', 'rc'], true],
  ];
  for (const [name, order, fires] of seqs) {
    const { eng } = engine(ORDERED, reconRules);
    const events = order.map((_, i) => ev(i * S, f));
    const fired = run(
      eng,
      order.map((r, i) => [r, events[i]!] as [string, Event]),
    );
    assert.equal(fired.length, fires ? 1 : 0, name);
    if (fires) assert.deepEqual(fired[0]!.d.event, { count: 3, rules: ['recon_cmd_a', 'recon_cmd_b', 'recon_cmd_c'], ComputerName: 'SRV', User: 'adm' }, name);
  }
});

test('temporal_ordered: one event matching two steps is not a sequence; equal times keep arrival order', () => {
  const f = { ComputerName: 'SRV', User: 'adm' };
  const { eng } = engine(ORDERED, reconRules);
  const a = ev(0, f);
  const bc = ev(S, f);
  assert.deepEqual(
    run(eng, [
      ['ra', a],
      ['rb', bc],
      ['rc', bc],
    ]),
    [],
  );
  const { eng: e2 } = engine(ORDERED, reconRules);
  const x = [ev(0, f), ev(0, f), ev(0, f)];
  assert.equal(
    run(e2, [
      ['ra', x[0]!],
      ['rb', x[1]!],
      ['rc', x[2]!],
    ]).length,
    1,
  );
});

test('temporal_ordered: the whole sequence must fit in the timespan', () => {
  const f = { ComputerName: 'SRV', User: 'adm' };
  const { eng } = engine(ORDERED, reconRules);
  assert.deepEqual(
    run(eng, [
      ['ra', ev(0, f)],
      ['rb', ev(4 * MIN, f)],
      ['rc', ev(5 * MIN + 1, f)],
    ]),
    [],
  );
});

test('extended temporal condition: "a and not c" waits for the window to close', () => {
  const yaml = 'title: a not c\ncorrelation: {type: temporal, condition: rule_a and not rule_c, group-by: [Host], timespan: 5m}';
  const rules = [info('A', 'rule_a'), info('C', 'rule_c')];
  const { eng } = engine(yaml, rules);
  const x1 = ev(0, { Host: 'x' });
  const x2 = ev(MIN, { Host: 'x' });
  const y1 = ev(2 * MIN, { Host: 'y' });
  const late = ev(10 * MIN, { Host: 'z' });
  assert.deepEqual(
    run(eng, [
      ['A', x1],
      ['C', x2],
      ['A', y1],
      ['C', late],
    ]),
    [
      // x: a then c within 5 min: no. y: a alone; its window closes at 7 min, seen at 10 min.
      { after: 3, d: { rule: 'a not c', at: 2 * MIN, record: y1.origin.record, event: { count: 1, rules: ['rule_a'], Host: 'y' }, evidence: recs([y1]) } },
    ],
  );
});

test('extended condition without not fires at once; ordered expressions respect the order', () => {
  const { eng } = engine('title: a or b\ncorrelation: {type: temporal, condition: rule_a or rule_b, group-by: [Host], timespan: 5m}', [info('A', 'rule_a'), info('B', 'rule_b')]);
  assert.deepEqual(
    run(eng, [['B', ev(0, { Host: 'x' })]]).map((r) => [r.after, r.d.event]),
    [[0, { count: 1, rules: ['rule_b'], Host: 'x' }]],
  );
  const yaml = 'title: ord\ncorrelation: {type: temporal_ordered, rules: [a, b, c], condition: a and (b or c), group-by: [Host], timespan: 5m}';
  const rules = [info('a', 'a'), info('b', 'b'), info('c', 'c')];
  const e1 = engine(yaml, rules).eng;
  assert.equal(
    run(e1, [
      ['c', ev(0, { Host: 'x' })],
      ['b', ev(1, { Host: 'x' })],
      ['a', ev(2, { Host: 'x' })],
    ]).length,
    0,
  );
  const e2 = engine(yaml, rules).eng;
  assert.deepEqual(
    run(e2, [
      ['c', ev(0, { Host: 'x' })],
      ['a', ev(1, { Host: 'x' })],
      ['c', ev(2, { Host: 'x' })],
    ]).map((r) => [r.after, r.d.event]),
    [[2, { count: 2, rules: ['a', 'c'], Host: 'x' }]],
  );
  const notYaml = 'title: ord not\ncorrelation: {type: temporal_ordered, rules: [a, b, c], condition: a and b and not c, group-by: [Host], timespan: 5m}';
  const e3 = engine(notYaml, rules).eng;
  assert.equal(
    run(e3, [
      ['a', ev(0, { Host: 'x' })],
      ['b', ev(1, { Host: 'x' })],
    ]).length,
    1,
  );
  const e4 = engine(notYaml, rules).eng;
  assert.equal(
    run(e4, [
      ['a', ev(0, { Host: 'x' })],
      ['c', ev(1, { Host: 'x' })],
      ['b', ev(2, { Host: 'x' })],
    ]).length,
    0,
  );
  const e5 = engine(notYaml, rules).eng;
  assert.equal(
    run(e5, [
      ['b', ev(0, { Host: 'x' })],
      ['a', ev(1, { Host: 'x' })],
    ]).length,
    0,
  );
});

test('aliases (spec example): different fields per rule join into one group key', () => {
  const yaml = `
title: error then connection back
correlation:
    type: temporal
    rules:
        - internal_error
        - new_network_connection
    group-by:
        - internal_ip
        - remote_ip
    timespan: 10s
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_network_connection: source.ip
        remote_ip:
            internal_error: source.ip
            new_network_connection: destination.ip
`;
  const rules = [info('err', 'internal_error'), info('conn', 'new_network_connection')];
  const { eng } = engine(yaml, rules);
  const err = ev(0, { 'source.ip': '203.0.113.9', 'destination.ip': '10.0.0.5', 'http.response.status_code': 500 });
  const wrong = ev(1 * S, { 'source.ip': '10.0.0.6', 'destination.ip': '203.0.113.9' });
  const conn = ev(2 * S, { 'source.ip': '10.0.0.5', 'destination.ip': '203.0.113.9' });
  assert.deepEqual(
    run(eng, [
      ['err', err],
      ['conn', wrong],
      ['conn', conn],
    ]),
    [
      {
        after: 2,
        d: {
          rule: 'error then connection back',
          at: 2 * S,
          record: conn.origin.record,
          event: { count: 2, rules: ['internal_error', 'new_network_connection'], internal_ip: '10.0.0.5', remote_ip: '203.0.113.9' },
          evidence: recs([err, conn]),
        },
      },
    ],
  );
});

test('out-of-order arrival within the tolerance is processed in event-time order', () => {
  const yaml = 'title: ord\ncorrelation: {type: temporal_ordered, rules: [a, b], group-by: [Host], timespan: 1m}';
  const rules = [info('a', 'a'), info('b', 'b')];
  const { eng, problems } = engine(yaml, rules, { outOfOrderToleranceMs: 10 * S });
  const b = ev(5 * S, { Host: 'x' });
  const a = ev(0, { Host: 'x' });
  const tick = ev(16 * S, { Host: 'other' });
  // b arrives first, a (5 s older) second: in event time a precedes b. The detection is due
  // once event time has moved past the tolerance.
  assert.deepEqual(
    run(eng, [
      ['b', b],
      ['a', a],
      ['a', tick],
    ]).map((r) => [r.after, r.d.evidence]),
    [[2, recs([a, b])]],
  );
  assert.deepEqual(problems.problems, []);
});

test('events later than the tolerance are left out and reported', () => {
  const yaml = 'title: c\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 1h, condition: {gte: 2}}';
  const { eng, problems } = engine(yaml, [info('r')], { outOfOrderToleranceMs: 1000 });
  const fired = run(eng, [
    ['r', ev(10 * S, { Host: 'x' })],
    ['r', ev(8 * S, { Host: 'x' })],
    ['r', ev(8999, { Host: 'x' })],
    ['r', ev(9 * S, { Host: 'x' })],
  ]);
  // 8 s and 8.999 s are more than 1 s behind 10 s; 9 s is not. The firing waits in the reorder
  // buffer until event time passes 10 s + 1 s, here: the end of input.
  assert.deepEqual(
    fired.map((f) => [f.after, f.d.event, f.d.at]),
    [[-1, { count: 2, Host: 'x' }, 10 * S]],
  );
  assert.equal(eng.stats().late, 2);
  assert.equal(problems.problems.length, 2);
  assert.equal(problems.problems[0]!.kind, 'input');
  assert.match(
    problems.problems[0]!.message,
    /^correlation: event at 2024-01-01T12:00:08\.000Z arrived after events up to 2024-01-01T12:00:10\.000Z, more than the out-of-order tolerance \(1000 ms\)/,
  );
  assert.equal(problems.problems[1]!.message, 'correlation: 2 events in all arrived too late for the out-of-order tolerance (1000 ms) and were left out of correlations');
});

test('Infinity tolerance buffers everything and sorts at flush (batch hunts over several files)', () => {
  const yaml = 'title: ord\ncorrelation: {type: temporal_ordered, rules: [a, b], group-by: [Host], timespan: 1m}';
  const { eng } = engine(yaml, [info('a', 'a'), info('b', 'b')], { outOfOrderToleranceMs: Infinity });
  const bFile = [ev(10 * MIN + 30 * S, { Host: 'x' }), ev(20 * MIN, { Host: 'x' })];
  const aFile = [ev(10 * MIN, { Host: 'x' }), ev(30 * MIN, { Host: 'x' })];
  const fired = run(eng, [
    ['b', bFile[0]!],
    ['b', bFile[1]!],
    ['a', aFile[0]!],
    ['a', aFile[1]!],
  ]);
  assert.deepEqual(
    fired.map((f) => [f.after, f.d.evidence]),
    [[-1, recs([aFile[0]!, bFile[0]!])]],
  );
});

test('events without a timestamp take the newest time seen', () => {
  const { eng } = engine('title: c\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 1m, condition: {gte: 2}}', [info('r')]);
  const a = ev(5 * S, { Host: 'x' });
  const b = ev(undefined, { Host: 'x' });
  assert.deepEqual(
    run(eng, [
      ['r', a],
      ['r', b],
    ]).map((f) => f.d.at),
    [5 * S],
  );
});

test('state is released as windows close, and maxGroups caps it with a warning', () => {
  const yaml = 'title: c\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 1m, condition: {gte: 2}}';
  const { eng } = engine(yaml, [info('r')]);
  for (let i = 0; i < 100; i++) eng.pushEvent('r', ev(i * S, { Host: `h${i}` }));
  assert.equal(eng.stats().groups, 61, 'groups idle for more than the timespan are gone');
  const capped = engine(yaml, [info('r')], { maxGroups: 2 });
  const fired = run(capped.eng, [
    ['r', ev(0, { Host: 'a' })],
    ['r', ev(1, { Host: 'b' })],
    ['r', ev(2, { Host: 'c' })],
    ['r', ev(3, { Host: 'a' })],
    ['r', ev(4, { Host: 'c' })],
  ]);
  // 'a' was dropped when 'c' arrived (the cap is 2), so its second match starts over, which
  // in turn drops 'b'; 'c' keeps its state and fires.
  assert.deepEqual(
    fired.map((f) => f.d.event),
    [{ count: 2, Host: 'c' }],
  );
  assert.equal(capped.eng.stats().evicted, 2);
  assert.deepEqual(
    capped.problems.problems.map((p) => [p.kind, p.file, p.line, p.message]),
    [
      [
        'rule',
        'mr.yml',
        1,
        "correlation 'c': more than 2 groups open at once; dropping the oldest group state, so matches that span it can be missed (raise --max-groups or shorten the timespan)",
      ],
      ['rule', 'mr.yml', 1, "correlation 'c': 2 group states were dropped in all (maxGroups)"],
    ],
  );
});

test('generate: referenced rules are suppressed by default, kept with generate: true', () => {
  const off = engine('title: c\ncorrelation: {type: event_count, rules: [r1], timespan: 1m, condition: {gte: 2}}', [info('r1'), info('r2')]).eng;
  assert.deepEqual([...off.suppressedRuleIds], ['r1']);
  assert.deepEqual([...off.referencedRuleIds], ['r1']);
  const on = engine('title: c\ncorrelation: {type: event_count, rules: [r1], timespan: 1m, generate: true, condition: {gte: 2}}', [info('r1')]).eng;
  assert.deepEqual([...on.suppressedRuleIds], []);
  const mixed = engine(
    'title: c1\ncorrelation: {type: event_count, rules: [r1], timespan: 1m, condition: {gte: 2}}\n---\ntitle: c2\ncorrelation: {type: event_count, rules: [r1], timespan: 1m, generate: true, condition: {gte: 3}}',
    [info('r1')],
  ).eng;
  assert.deepEqual([...mixed.suppressedRuleIds], [], 'one generate: true keeps the rule');
  assert.deepEqual(off.pushEvent('r2', ev(0, { Host: 'x' })), [], 'unreferenced rules are ignored');
});

test('detections carry rule info, host and source of the completing event', () => {
  const { eng } = engine(
    'title: c\nid: 9a3bd9a2-5b5e-4a07-8a3e-0c7a8e1b1f00\nauthor: Warden tests\nlevel: high\ntags: [attack.t1110]\ncorrelation: {type: event_count, rules: [r], group-by: [User], timespan: 1m, condition: {gte: 2}}',
    [info('r')],
  );
  eng.pushEvent('r', ev(0, { User: 'u' }, 'hostA'));
  const [d] = eng.pushEvent('r', ev(S, { User: 'u' }, 'hostB'));
  assert.ok(d);
  assert.equal(d.kind, 'correlation');
  assert.equal(d.rule.id, '9a3bd9a2-5b5e-4a07-8a3e-0c7a8e1b1f00');
  assert.equal(d.rule.level, 'high');
  assert.equal(d.rule.author, 'Warden tests');
  assert.equal(d.host, 'hostB');
  assert.equal(d.timestamp, Date.parse('2024-01-01T12:00:01.000Z'));
  assert.deepEqual(d.origin, { file: 'stream.jsonl', record: record, format: 'json' });
  assert.equal(d.members?.length, 2);
  assert.match(d.id, /^[0-9a-f]{32}$/);
  assert.equal(d.evidence!.length, 2);
  assert.deepEqual(d.evidence![1], { file: 'stream.jsonl', record: record, format: 'json' });
});

test('temporal_ordered agrees with a brute-force reference on random streams (incremental chains)', () => {
  let seed = 7;
  const rnd = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const rules = [info('a', 'a'), info('b', 'b'), info('c', 'c')];
  let firings = 0;
  for (const k of [2, 3]) {
    for (let round = 0; round < 40; round++) {
      const { eng } = engine(`title: o\ncorrelation: {type: temporal_ordered, rules: [a, b, c], group-by: [Host], timespan: 10s, condition: {gte: ${k}}}`, rules);
      // Reference: items since the last firing; fire when a chain of >= k steps (rule index and
      // event both strictly increasing) fits in [t - 10 s, t].
      let pending: { ref: number; ts: number; seq: number }[] = [];
      const expected: number[] = [];
      const got: number[] = [];
      let t = 0;
      let seq = 0;
      let step = 0;
      for (let i = 0; i < 60; i++) {
        t += rnd(4) * S;
        seq++;
        const e = ev(t, { Host: 'x' });
        const refs = rnd(5) === 0 ? [0, 1, 2].filter(() => rnd(2) === 0) : [rnd(3)];
        for (const ref of refs) {
          step++;
          if (got.length < 1000) for (const _ of eng.pushEvent(['a', 'b', 'c'][ref]!, e)) got.push(step);
          pending.push({ ref, ts: t, seq });
          const win = pending.filter((p) => p.ts >= t - 10 * S);
          const longest = (from: number, lastRef: number, lastSeq: number): number => {
            let best = 0;
            for (let q = from; q < win.length; q++) {
              const p = win[q]!;
              if (p.ref > lastRef && p.seq > lastSeq) best = Math.max(best, 1 + longest(q + 1, p.ref, p.seq));
            }
            return best;
          };
          if (longest(0, -1, -1) >= k) {
            expected.push(step);
            pending = [];
          } else pending = win;
        }
      }
      eng.flush();
      assert.deepEqual(got, expected, `k=${k} round ${round}`);
      firings += got.length;
    }
  }
  assert.ok(firings > 100, `the streams exercise firing (${firings} firings)`);
});

test('tick() closes ended windows without a new match; buildCorrelationEngine wires parse + resolve', async () => {
  const { buildCorrelationEngine } = await import('../../src/engine/correlate-setup.js');
  const problems = new ProblemList();
  const eng = buildCorrelationEngine(
    [
      { file: 'a.yml', line: 1, doc: parseYaml('title: few\ncorrelation: {type: event_count, rules: [r], group-by: [Host], timespan: 1m, condition: {lt: 2}}') },
      { file: 'a.yml', line: 5, doc: parseYaml('title: broken\ncorrelation: {type: event_count, rules: [r], timespan: 1m}') },
    ],
    [info('r')],
    problems,
    { outOfOrderToleranceMs: 0 },
  );
  assert.ok(eng);
  assert.deepEqual(
    problems.problems.map((p) => [p.file, p.line, p.message]),
    [['a.yml', 5, 'correlation: condition is mandatory for event_count']],
  );
  const e = ev(0, { Host: 'x' });
  assert.deepEqual(eng.pushEvent('r', e), []);
  assert.deepEqual(eng.tick(T0 + MIN), [], 'the window [0, 60 s] is still open at 60 s');
  assert.deepEqual(
    eng.tick(T0 + MIN + 1).map((d) => d.event),
    [{ count: 1, Host: 'x' }],
  );
  assert.deepEqual(eng.flush(), []);
  assert.equal(buildCorrelationEngine([], [info('r')], problems), null);
});

test('value_count with an upper bound and aliases on the aggregated field', () => {
  // Few distinct targets per source over both rules: the scanned port is DestinationPort in
  // one rule's events and dst_port in the other's.
  const yaml = `title: narrow
correlation:
  type: value_count
  rules: [fw, zeek]
  group-by: [src]
  timespan: 1m
  aliases:
    src: {fw: SourceIp, zeek: id.orig_h}
    port: {fw: DestinationPort, zeek: id.resp_p}
  condition: {field: port, lte: 2}`;
  const { eng } = engine(yaml, [info('fw', 'fw'), info('zeek', 'zeek')]);
  const a = [
    ev(0, { SourceIp: '10.0.0.1', DestinationPort: 22 }),
    ev(S, { 'id.orig_h': '10.0.0.1', 'id.resp_p': '22' }),
    ev(2 * S, { 'id.orig_h': '10.0.0.1', 'id.resp_p': 3389 }),
  ];
  const b = [
    ev(3 * S, { SourceIp: '10.0.0.2', DestinationPort: 1 }),
    ev(4 * S, { SourceIp: '10.0.0.2', DestinationPort: 2 }),
    ev(5 * S, { 'id.orig_h': '10.0.0.2', 'id.resp_p': 3 }),
  ];
  const fired = run(eng, [
    ['fw', a[0]!],
    ['zeek', a[1]!],
    ['zeek', a[2]!],
    ['fw', b[0]!],
    ['fw', b[1]!],
    ['zeek', b[2]!],
  ]);
  assert.deepEqual(fired, [{ after: -1, d: { rule: 'narrow', at: 2 * S, record: a[2]!.origin.record, event: { value_count: 2, count: 3, src: '10.0.0.1' }, evidence: recs(a) } }]);
});
