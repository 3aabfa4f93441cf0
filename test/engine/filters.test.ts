/** Sigma filters (filters spec v2.1): rule AND NOT filter, where ids/names and logsource match. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../sigma/helpers.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { sysmon } from './helpers.js';

const RULES = `title: Rar
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\rar.exe'
    condition: selection
---
title: Named
name: named_rule
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\7z.exe'
    condition: selection
---
title: Unfiltered
id: 00000000-0000-4000-8000-000000000000
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\rar.exe'
    condition: selection
`;

const FILTERS = `title: Filter Administrator account
description: The valid administrator account start with adm_
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 6f3e2987-db24-4c78-a860-b4f4095a7095
        - named_rule
    selection:
        User|startswith: 'adm_'
    condition: selection
---
title: Filter for another logsource
logsource:
    category: file_event
    product: windows
filter:
    rules: any
    selection:
        Image|endswith: '\\rar.exe'
    condition: selection
`;

test('a filter excludes matches of the rules it names, by id or name', () => {
  const { col } = loadText(RULES);
  const f = loadText(FILTERS);
  assert.equal(f.problems.count, 0);
  assert.equal(f.col.filters.length, 2);
  const rs = compileRuleSet(col.rules, { filters: f.col.filters });
  const titles = (fields: Record<string, string>) => rs.match(sysmon(1, fields)).map((r) => r.info.title);
  assert.deepEqual(titles({ Image: 'C:\\x\\rar.exe', User: 'bob' }), ['Rar', 'Unfiltered']);
  assert.deepEqual(titles({ Image: 'C:\\x\\rar.exe', User: 'adm_bob' }), ['Unfiltered']);
  assert.deepEqual(titles({ Image: 'C:\\x\\7z.exe', User: 'ADM_alice' }), []);
  assert.deepEqual(titles({ Image: 'C:\\x\\7z.exe', User: 'alice' }), ['Named']);
  assert.deepEqual(
    rs.rules.map((r) => [r.info.title, r.filters]),
    [
      ['Rar', ['Filter Administrator account']],
      ['Named', ['Filter Administrator account']],
      ['Unfiltered', []],
    ],
  );
});

test('filter documents are validated like rules', () => {
  const bad = loadText(`title: Broken filter
logsource:
    product: windows
filter:
    rules: []
    selection:
        A: 1
    condition: selection
---
title: Broken condition
logsource:
    product: windows
filter:
    rules: any
    selection:
        A: 1
    condition: selection and other
`);
  assert.deepEqual(
    bad.problems.problems.map((p) => [p.line, p.message]),
    [
      [5, "filter 'rules' must be a list of rule ids or names, or 'any'"],
      [17, "unknown search identifier 'other' in condition 'selection and other' at 'other' (offset 14)"],
    ],
  );
});
