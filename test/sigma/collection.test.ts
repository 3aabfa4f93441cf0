/** Loading: attributes, multi-document files, collection actions, positions of errors, selection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadText } from './helpers.js';
import { loadRuleCollection, selectRules } from '../../src/sigma/collection.js';
import { ProblemList } from '../../src/errors.js';

const RULE = `title: Whoami Execution
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
name: whoami_exec
related:
    - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9
      type: derived
status: test
description: Detects a whoami.exe execution
license: DRL-1.1
references:
    - https://example.org/a
author: Florian Roth
date: 2019-10-23
modified: 2024-01-02
logsource:
    category: Process_Creation
    product: windows
detection:
    selection:
        Image: 'C:\\Windows\\System32\\whoami.exe'
    condition: selection
fields:
    - CommandLine
falsepositives:
    - Admins
level: high
tags:
    - attack.discovery
    - attack.t1033
scope:
    - server
taxonomy: sigma
custom_field: kept
`;

test('all rule attributes of spec v2.1 are read', () => {
  const { col, problems } = loadText(RULE);
  assert.equal(problems.count, 0);
  const r = col.rules[0]!;
  assert.deepEqual(r.info, {
    id: '929a690e-bef0-4204-a928-ef5e620d6fcc',
    title: 'Whoami Execution',
    name: 'whoami_exec',
    level: 'high',
    status: 'test',
    author: 'Florian Roth',
    tags: ['attack.discovery', 'attack.t1033'],
    references: ['https://example.org/a'],
    description: 'Detects a whoami.exe execution',
    falsepositives: ['Admins'],
    file: 'test.yml',
  });
  assert.deepEqual(r.logsource, { category: 'process_creation', product: 'windows' });
  assert.deepEqual(r.related, [{ id: '08fbc97d-0a2f-491c-ae21-8ffcfd3174e9', type: 'derived' }]);
  assert.equal(r.license, 'DRL-1.1');
  assert.equal(r.date, '2019-10-23');
  assert.equal(r.modified, '2024-01-02');
  assert.deepEqual(r.fields, ['CommandLine']);
  assert.deepEqual(r.scope, ['server']);
  assert.equal(r.taxonomy, 'sigma');
  assert.equal(r.doc['custom_field'], 'kept');
  assert.equal(r.line, 1);
});

test('multi-document files; action global / reset / repeat', () => {
  const text = `action: global
title: Shared
logsource:
    product: windows
detection:
    condition: sel
level: low
---
id: r1
detection:
    sel:
        A: 1
---
action: repeat
id: r2
detection:
    sel:
        A: 2
---
action: reset
---
id: r3
title: Alone
logsource:
    product: linux
detection:
    sel:
        B: 1
    condition: sel
`;
  const { col, problems } = loadText(text);
  assert.deepEqual(problems.problems, []);
  assert.deepEqual(
    col.rules.map((r) => [r.info.id, r.info.title, r.info.level, r.logsource.product, r.line]),
    [
      ['r1', 'Shared', 'low', 'windows', 9],
      ['r2', 'Shared', 'low', 'windows', 14],
      ['r3', 'Alone', 'medium', 'linux', 22],
    ],
  );
});

test('correlation documents are kept raw; filter documents become filters', () => {
  const text = `title: Base
id: base-1
name: base_rule
logsource:
    product: windows
detection:
    sel:
        A: 1
    condition: sel
---
title: Many
correlation:
    type: event_count
    rules: base_rule
    group-by: [Computer]
    timespan: 5m
    condition:
        gte: 10
---
title: Filter admins
logsource:
    product: windows
filter:
    rules:
        - base-1
    selection:
        User|startswith: 'adm_'
    condition: selection
`;
  const { col, problems } = loadText(text);
  assert.equal(problems.count, 0);
  assert.equal(col.rules.length, 1);
  assert.equal(col.correlationDocs.length, 1);
  assert.equal(col.correlationDocs[0]!.line, 11);
  assert.equal(col.correlationDocs[0]!.doc['title'], 'Many');
  assert.equal(col.filters.length, 1);
  assert.deepEqual(col.filters[0]!.rules, ['base-1']);
});

test('errors carry file, line and column; bad rules are skipped, loading goes on', () => {
  const text = `title: Bad modifier
logsource:
    product: windows
detection:
    selection:
        Image|endswit: 'x'
    condition: selection
---
title: Good
logsource:
    product: windows
detection:
    selection:
        Image: 'x'
    condition: selection
---
title: Bad condition
logsource:
    product: windows
detection:
    selection:
        Image: 'x'
    condition: selection and filter
---
title: No detection
logsource:
    product: windows
---
title: Bad level
level: severe
logsource:
    product: windows
detection:
    selection:
        A: 1
    condition: selection
---
title: Other taxonomy
taxonomy: ocsf
logsource:
    product: windows
detection:
    selection:
        A: 1
    condition: selection
---
title: [unclosed
`;
  const { col, problems } = loadText(text);
  assert.deepEqual(
    col.rules.map((r) => r.info.title),
    ['Good'],
  );
  assert.equal(col.failed, 6);
  assert.deepEqual(
    problems.problems.map((p) => [p.kind, p.file, p.line, p.column, p.message]),
    [
      ['rule', 'test.yml', 6, 9, "selection: 'Image|endswit': unknown modifier 'endswit'"],
      ['rule', 'test.yml', 23, 5, "unknown search identifier 'filter' in condition 'selection and filter' at 'filter' (offset 14)"],
      ['rule', 'test.yml', 25, 1, "missing 'detection'"],
      ['rule', 'test.yml', 30, 1, "invalid level 'severe' (expected one of informational, low, medium, high, critical)"],
      ['rule', 'test.yml', 39, 1, "taxonomy 'ocsf' is not supported (Warden matches the default 'sigma' taxonomy)"],
      ['rule', 'test.yml', 48, 1, problems.problems[5]!.message],
    ],
  );
  assert.match(problems.problems[5]!.message, /^YAML syntax error/);
});

test('folders are read recursively (.yml and .yaml); selection by level, status, tags, ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-rules-'));
  try {
    mkdirSync(join(dir, 'sub'));
    const mk = (id: string, level: string, status: string, tags: string[]) =>
      `title: ${id}\nid: ${id}\nstatus: ${status}\nlevel: ${level}\ntags: [${tags.join(', ')}]\nlogsource:\n    product: windows\ndetection:\n    s:\n        A: 1\n    condition: s\n`;
    writeFileSync(join(dir, 'a.yml'), mk('a', 'low', 'test', ['attack.t1505.003']));
    writeFileSync(join(dir, 'sub', 'b.yaml'), mk('b', 'high', 'stable', ['attack.t1059']));
    writeFileSync(join(dir, 'sub', 'c.yml'), mk('c', 'critical', 'experimental', ['attack.t1505']));
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    const problems = new ProblemList();
    const col = loadRuleCollection([dir, join(dir, 'missing.yml')], {}, problems);
    assert.deepEqual(
      col.rules.map((r) => r.info.id),
      ['a', 'b', 'c'],
    );
    assert.equal(problems.count, 1);
    assert.match(problems.problems[0]!.message, /cannot read/);
    assert.deepEqual(
      selectRules(col, { minLevel: 'high' }).map((r) => r.info.id),
      ['b', 'c'],
    );
    assert.deepEqual(
      selectRules(col, { status: ['test', 'stable'] }).map((r) => r.info.id),
      ['a', 'b'],
    );
    assert.deepEqual(
      selectRules(col, { tags: ['attack.t1505*'] }).map((r) => r.info.id),
      ['a', 'c'],
    );
    assert.deepEqual(
      selectRules(col, { ids: ['C'] }).map((r) => r.info.id),
      ['c'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
