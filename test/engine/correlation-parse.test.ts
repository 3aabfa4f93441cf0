/**
 * Parsing and resolving Sigma correlation rules: the specification's own examples (public
 * domain, quoted inline) and every violation parseCorrelation must reject.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { WardenError, ProblemList } from '../../src/errors.js';
import type { RuleInfo } from '../../src/event/detection.js';
import { parseCorrelation, parseCorrelations, resolveCorrelations, type CorrelationRule } from '../../src/sigma/correlations.js';
import { parseTimespan } from '../../src/sigma/correlation-timespan.js';
import { parseRuleExpr } from '../../src/sigma/correlation-condition.js';

const where = { file: 'mr_test.yml', line: 3 };

function parse(yamlText: string): CorrelationRule {
  return parseCorrelation(parseYaml(yamlText), where);
}

function info(id: string, name?: string, level: RuleInfo['level'] = 'medium'): RuleInfo {
  const r: RuleInfo = { id, title: `rule ${id}`, level, status: 'test', author: 'tester', tags: [], references: [] };
  if (name) r.name = name;
  return r;
}

function rejects(yamlText: string, fragment: string): void {
  assert.throws(
    () => parse(yamlText),
    (e: unknown) => {
      assert.ok(e instanceof WardenError, `expected WardenError, got ${String(e)}`);
      assert.equal(e.kind, 'rule');
      assert.equal(e.file, 'mr_test.yml');
      assert.equal(e.line, 3);
      assert.ok(e.message.includes(fragment), `message '${e.message}' should contain '${fragment}'`);
      return true;
    },
  );
}

test('spec example: event_count', () => {
  const r = parse(`
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
`);
  assert.equal(r.type, 'event_count');
  assert.deepEqual(r.rules, ['5638f7c0-ac70-491d-8465-2a65075e0d86']);
  assert.deepEqual(r.groupBy, ['ComputerName']);
  assert.equal(r.timespanMs, 3_600_000);
  assert.deepEqual(r.condition, { kind: 'threshold', bounds: [{ op: 'gte', value: 100 }] });
  assert.equal(r.generate, false);
  assert.equal(r.info.id, '0e95725d-7320-415d-80f7-004da920fc11');
  assert.equal(r.info.title, 'Many failed logins');
  assert.equal(r.info.file, 'mr_test.yml');
  assert.equal(r.levelSet, false);
});

test('spec example: value_count with field and two group-by fields', () => {
  const r = parse(`
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
        gte: 100
`);
  assert.equal(r.type, 'value_count');
  assert.deepEqual(r.groupBy, ['ComputerName', 'WorkstationName']);
  assert.deepEqual(r.field, ['User']);
  assert.equal(r.timespanMs, 86_400_000);
});

test('spec example: temporal without condition defaults to all rules', () => {
  const r = parse(`
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
`);
  assert.deepEqual(r.condition, { kind: 'threshold', bounds: [{ op: 'gte', value: 3 }] });
  assert.equal(r.timespanMs, 300_000);
  assert.match(r.info.id, /^correlation-[0-9a-f]{16}$/, 'a rule without id gets a stable derived id');
  assert.equal(
    parse(`
title: Recon
correlation: {type: temporal, rules: [recon_cmd_a, recon_cmd_b, recon_cmd_c], group-by: [ComputerName, User], timespan: 5m}
`).info.id,
    r.info.id,
  );
});

test('spec examples: value_sum, value_avg, value_percentile', () => {
  const sum = parse(`
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
`);
  assert.deepEqual(sum.field, ['bytes_sent']);
  assert.deepEqual(sum.condition, { kind: 'threshold', bounds: [{ op: 'gt', value: 1000000 }] });
  const avg = parse(`
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
`);
  assert.equal(avg.timespanMs, 86_400_000);
  const pct = parse(`
title: A computer spawned a processes name in the last 24h than 1% of all the processes.
correlation:
    type: value_percentile
    rules: 
        - process_creation
    group-by:
        - ComputerName
    timespan: 24h
    condition:
        field: image
        lte: 1
`);
  assert.equal(pct.percentile, 50, 'percentile defaults to 50 (the median)');
  const pct95 = parse(`
title: p95
correlation: {type: value_percentile, rules: [r], group-by: [Host], timespan: 1h, condition: {field: ms, percentile: 95, gt: 2000}}
`);
  assert.equal(pct95.percentile, 95);
  const med = parse(`
title: median
correlation: {type: value_median, rules: [r], group-by: [Host], timespan: 1h, condition: {field: ms, gt: 2000}}
`);
  assert.equal(med.type, 'value_median');
  assert.equal(med.percentile, 50);
});

test('spec example: aliases, metadata, generate', () => {
  const r = parse(`
title: internal error then connection
id: 7c7b1a52-3e7e-4f6e-9d38-2f1c7c8f0a11
status: experimental
description: d
author: Someone
references: [https://example.org]
tags: [attack.t1505.003, attack.persistence]
falsepositives: Unlikely
level: high
correlation:
    type: temporal
    rules:
        - internal_error
        - new_network_connection
    group-by:
        - internal_ip
        - remote_ip
    timespan: 10s
    generate: true
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_network_connection: source.ip
        remote_ip:
            internal_error: source.ip
            new_network_connection: destination.ip
`);
  assert.deepEqual(r.aliases, {
    internal_ip: { internal_error: 'destination.ip', new_network_connection: 'source.ip' },
    remote_ip: { internal_error: 'source.ip', new_network_connection: 'destination.ip' },
  });
  assert.equal(r.generate, true);
  assert.equal(r.timespanMs, 10_000);
  assert.deepEqual(
    { ...r.info },
    {
      id: '7c7b1a52-3e7e-4f6e-9d38-2f1c7c8f0a11',
      title: 'internal error then connection',
      level: 'high',
      status: 'experimental',
      author: 'Someone',
      tags: ['attack.t1505.003', 'attack.persistence'],
      references: ['https://example.org'],
      description: 'd',
      falsepositives: ['Unlikely'],
      file: 'mr_test.yml',
    },
  );
});

test('extended temporal condition: expression over rule names, rules optional', () => {
  const r = parse(`
title: a without c
correlation:
    type: temporal
    condition: rule_a and not rule_c
    group-by: [Host]
    timespan: 5m
`);
  assert.deepEqual(r.rules, ['rule_a', 'rule_c']);
  assert.equal(r.condition.kind, 'expression');
  assert.deepEqual(parseRuleExpr('a or b and not (c or d)'), {
    kind: 'or',
    args: [
      { kind: 'ref', ref: 'a' },
      {
        kind: 'and',
        args: [
          { kind: 'ref', ref: 'b' },
          {
            kind: 'not',
            arg: {
              kind: 'or',
              args: [
                { kind: 'ref', ref: 'c' },
                { kind: 'ref', ref: 'd' },
              ],
            },
          },
        ],
      },
    ],
  });
});

test('timespan: every unit, and bad ones', () => {
  assert.deepEqual(parseTimespan('30s'), { ms: 30_000 });
  assert.deepEqual(parseTimespan('90m'), { ms: 5_400_000 });
  assert.deepEqual(parseTimespan('2h'), { ms: 7_200_000 });
  assert.deepEqual(parseTimespan('1d'), { ms: 86_400_000 });
  assert.deepEqual(parseTimespan('1w'), { ms: 604_800_000 });
  assert.deepEqual(parseTimespan('1M'), { ms: 2_629_746_000 });
  assert.deepEqual(parseTimespan('1y'), { ms: 31_556_952_000 });
  for (const bad of ['0m', '5', 'm', '5H', '5 minutes', '1.5h', '-1h', '5ms']) assert.ok('error' in parseTimespan(bad), bad);
  assert.ok('error' in parseTimespan(5));
});

test('spec violations are rejected with the reason', () => {
  const base = (c: string): string => `title: t\ncorrelation:\n${c}`;
  rejects('correlation: {type: event_count, rules: [a], timespan: 1h, condition: {gte: 1}}', 'title is mandatory');
  rejects('title: t\ncorrelation: 5', 'correlation must be a mapping');
  rejects(base('  type: event_cnt\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 1}'), 'unknown correlation type "event_cnt"');
  rejects(base('  rules: [a]\n  timespan: 1h\n  condition: {gte: 1}'), 'type is mandatory');
  rejects(base('  type: event_count\n  timespan: 1h\n  condition: {gte: 1}'), 'rules is mandatory');
  rejects(base('  type: event_count\n  rules: a\n  timespan: 1h\n  condition: {gte: 1}'), 'rules must be a list');
  rejects(base('  type: event_count\n  rules: []\n  timespan: 1h\n  condition: {gte: 1}'), 'at least one rule');
  rejects(base('  type: event_count\n  rules: [a, a]\n  timespan: 1h\n  condition: {gte: 1}'), 'rules lists a rule twice');
  rejects(base('  type: event_count\n  rules: [a]\n  condition: {gte: 1}'), 'timespan is mandatory');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1x\n  condition: {gte: 1}'), "invalid timespan '1x'");
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 0s\n  condition: {gte: 1}'), 'must be greater than zero');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h'), 'condition is mandatory for event_count');
  rejects(base('  type: value_sum\n  rules: [a]\n  timespan: 1h'), 'condition is mandatory for value_sum');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {greater: 1}'), "unknown condition operator 'greater'");
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: many}'), 'condition gte needs a number');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {}'), 'needs at least one of');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gt: 10, lt: 5}'), 'can never be true');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 1, field: User}'), 'only valid for value_*');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: a and b'), 'only valid for temporal');
  rejects(base('  type: value_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 3}'), 'value_count needs condition.field');
  rejects(base('  type: value_sum\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 3, field: [x, y]}'), 'aggregates one numeric field');
  rejects(base('  type: value_percentile\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 3, field: x, percentile: 101}'), 'percentile must be a number from 0 to 100');
  rejects(base('  type: value_avg\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 3, field: x, percentile: 5}'), 'only valid for value_percentile');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  group-by: User\n  condition: {gte: 1}'), 'group-by must be a list');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  group-by: [User, User]\n  condition: {gte: 1}'), 'group-by lists a field twice');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  generate: yes please\n  condition: {gte: 1}'), 'generate must be true or false');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  aliases: [x]\n  condition: {gte: 1}'), 'aliases must be a mapping');
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  aliases: {ip: {a: 5}}\n  condition: {gte: 1}'), "alias 'ip': field for rule 'a' must be a string");
  rejects(base('  type: event_count\n  rules: [a]\n  timespan: 1h\n  groupby: [x]\n  condition: {gte: 1}'), "unknown correlation attribute 'groupby'");
  rejects(base('  type: temporal\n  rules: [a, b, c]\n  timespan: 1h\n  condition: a and not b'), 'rules not used in the condition expression: c');
  rejects(base('  type: temporal\n  rules: [a]\n  timespan: 1h\n  condition: a or z'), 'names rules that are not in rules: z');
  rejects(base('  type: temporal\n  rules: [a, b]\n  timespan: 1h\n  condition: a and (b'), "missing ')'");
  rejects(base('  type: temporal\n  rules: [a, b]\n  timespan: 1h\n  condition: a and and b'), "unexpected 'and'");
  rejects(base(`  type: temporal\n  rules: [${Array.from({ length: 31 }, (_, i) => `r${i}`).join(', ')}]\n  timespan: 1h`), 'temporal supports at most 30 rules, got 31');
  rejects('title: t\nlevel: severe\ncorrelation: {type: temporal, rules: [a, b], timespan: 1h}', 'level must be one of');
});

test('resolve: by id and by name, chains in dependency order, level inherited', () => {
  const problems = new ProblemList();
  const outer = parse(`
title: outer
name: outer
correlation: {type: temporal_ordered, rules: [inner, r_ok], group-by: [User], timespan: 10m}
`);
  const inner = parse(`
title: inner
name: inner
correlation: {type: event_count, rules: [11111111-2222-3333-4444-555555555555], group-by: [User], timespan: 10m, condition: {gte: 3}}
`);
  const res = resolveCorrelations([outer, inner], [info('11111111-2222-3333-4444-555555555555', 'r_fail', 'low'), info('r-ok-id', 'r_ok', 'high')], problems);
  assert.deepEqual(problems.problems, []);
  assert.deepEqual(
    res.map((r) => r.rule.info.title),
    ['inner', 'outer'],
  );
  assert.deepEqual(res[0]!.refs, [
    { ref: '11111111-2222-3333-4444-555555555555', kind: 'rule', id: '11111111-2222-3333-4444-555555555555', groupFields: ['User'], valueFields: [] },
  ]);
  assert.deepEqual(
    res[1]!.refs.map((r) => [r.kind, r.id]),
    [
      ['correlation', inner.info.id],
      ['rule', 'r-ok-id'],
    ],
  );
  assert.equal(res[0]!.rule.info.level, 'low', 'no level: the highest referenced level');
  assert.equal(res[1]!.rule.info.level, 'high');
});

test('resolve: aliases become per-rule fields', () => {
  const problems = new ProblemList();
  const c = parse(`
title: t
correlation:
  type: temporal
  rules: [internal_error, new_network_connection]
  group-by: [internal_ip, Host]
  timespan: 10s
  aliases:
    internal_ip: {internal_error: destination.ip, new_network_connection: source.ip}
`);
  const [r] = resolveCorrelations([c], [info('e1', 'internal_error'), info('n1', 'new_network_connection')], problems);
  assert.deepEqual(problems.problems, []);
  assert.deepEqual(
    r!.refs.map((x) => x.groupFields),
    [
      ['destination.ip', 'Host'],
      ['source.ip', 'Host'],
    ],
  );
});

test('resolve: unknown references, unknown alias rules, ambiguity, cycles and their dependants are problems', () => {
  const problems = new ProblemList();
  const unknown = parse('title: unknown\ncorrelation: {type: event_count, rules: [nope], timespan: 1h, condition: {gte: 1}}');
  const badAlias = parse('title: bad alias\ncorrelation: {type: temporal, rules: [r1, r2], timespan: 1h, group-by: [ip], aliases: {ip: {r1: a, r9: b}}}');
  const ambiguous = parse('title: ambiguous\ncorrelation: {type: event_count, rules: [dup], timespan: 1h, condition: {gte: 1}}');
  const a = parse('title: A\nname: ca\ncorrelation: {type: event_count, rules: [cb], timespan: 1h, condition: {gte: 1}}');
  const b = parse('title: B\nname: cb\ncorrelation: {type: event_count, rules: [ca], timespan: 1h, condition: {gte: 1}}');
  const dependant = parse('title: D\ncorrelation: {type: event_count, rules: [ca], timespan: 1h, condition: {gte: 1}}');
  const good = parse('title: good\ncorrelation: {type: event_count, rules: [r1], timespan: 1h, condition: {gte: 1}}');
  const res = resolveCorrelations([unknown, badAlias, ambiguous, a, b, dependant, good], [info('i1', 'r1'), info('i2', 'r2'), info('i3', 'dup'), info('i4', 'dup')], problems);
  assert.deepEqual(
    res.map((r) => r.rule.info.title),
    ['good'],
  );
  assert.deepEqual(
    problems.problems.map((p) => p.message),
    [
      "correlation 'unknown': references unknown rule 'nope' (no rule or correlation has this id or name)",
      "correlation 'bad alias': alias 'ip' maps rule 'r9', which this correlation does not reference",
      "correlation 'ambiguous': reference 'dup' is ambiguous: 2 rules have this name",
      "correlation 'A': correlation chain has a cycle: ca -> cb -> ca",
      "correlation 'B': depends on correlation 'A', which cannot be used",
      "correlation 'D': depends on correlation 'A', which cannot be used",
    ],
  );
  assert.ok(problems.problems.every((p) => p.kind === 'rule' && p.file === 'mr_test.yml' && p.line === 3));
});

test('parseCorrelations turns bad documents into problems and keeps the good ones', () => {
  const problems = new ProblemList();
  const rules = parseCorrelations(
    [
      { file: 'a.yml', line: 1, doc: parseYaml('title: ok\ncorrelation: {type: temporal, rules: [a, b], timespan: 5m}') },
      { file: 'a.yml', line: 9, doc: parseYaml('title: bad\ncorrelation: {type: temporal, rules: [a, b], timespan: 5 minutes}') },
    ],
    problems,
  );
  assert.equal(rules.length, 1);
  assert.deepEqual(problems.problems, [
    {
      kind: 'rule',
      file: 'a.yml',
      line: 9,
      column: undefined,
      message: 'correlation: invalid timespan \'5 minutes\': expected a number followed by one unit letter s, m, h, d, w, M or y (e.g. "90m")',
    },
  ]);
});

test('every correlation example shipped with the specification parses', (t) => {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/test/engine -> repo root is three levels up; ../shared sits beside the repo.
  const dir = resolve(here, '../../..', '../shared/sigma/spec/examples/schema/correlation');
  if (!existsSync(dir)) {
    t.skip(`specification examples not found at ${dir}`);
    return;
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  assert.ok(files.length >= 8);
  const types = files.map((f) => parseCorrelation(parseYaml(readFileSync(join(dir, f), 'utf8')), { file: f }).type);
  assert.deepEqual([...new Set(types)].sort(), ['event_count', 'temporal', 'temporal_ordered', 'value_avg', 'value_count', 'value_percentile', 'value_sum']);
});

test('generate is read at the top level (JSON schema) and inside correlation (pySigma); both must agree', () => {
  const body = 'title: t\nid: 0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 1}\n';
  assert.equal(parse(body).generate, false);
  assert.equal(parse(body + 'generate: true\n').generate, true);
  assert.equal(parse(body.replace('  timespan: 1h\n', '  timespan: 1h\n  generate: true\n')).generate, true);
  assert.equal(parse(body.replace('  timespan: 1h\n', '  timespan: 1h\n  generate: true\n') + 'generate: true\n').generate, true);
  rejects(body.replace('  timespan: 1h\n', '  timespan: 1h\n  generate: true\n') + 'generate: false\n', 'generate is set twice');
  rejects(body + 'generate: maybe\n', 'generate must be true or false');
});
