/**
 * Rules that read one field remember their answer per text (engine/rule-memo.ts): only those,
 * and with the same answers as running them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../sigma/helpers.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { soleField } from '../../src/engine/rule-memo.js';
import { signature } from '../../src/event/value-memo.js';
import type { Event } from '../../src/event/event.js';
import type { MatchOp } from '../../src/sigma/program.js';
import { security, sysmon, naiveMatches } from './helpers.js';

const glob = (s: string): { k: 'glob'; parts: string[]; cased: boolean } => ({ k: 'glob', parts: [s], cased: false });

test('soleField: one field read by every test, else null', () => {
  const image: MatchOp = { k: 'any', field: 'Image', tests: [glob('a')] };
  assert.equal(soleField(image), 'Image');
  assert.equal(soleField({ k: 'and', of: [image, { k: 'not', of: { k: 'null', field: 'Image' } }, { k: 'in', field: 'Image', lits: ['x'] }] }), 'Image');
  assert.equal(soleField({ k: 'or', of: [image, { k: 'exists', field: 'Image', want: true }] }), 'Image');
  assert.equal(soleField({ k: 'and', of: [image, { k: 'any', field: 'ParentImage', tests: [glob('b')] }] }), null);
  // Field names are compared as written: another spelling may resolve to another key.
  assert.equal(soleField({ k: 'and', of: [image, { k: 'any', field: 'image', tests: [glob('b')] }] }), null);
  assert.equal(soleField({ k: 'any', field: '', tests: [glob('a')] }), null, 'keywords read every value');
  assert.equal(soleField({ k: 'any', field: 'Image', tests: [{ k: 'ref', field: 'ParentImage', mode: 'eq', cased: false }] }), null);
  assert.equal(soleField({ k: 'const', v: true }), null);
});

/** Two image paths with one signature: only comparing the whole text tells them apart. */
const TWIN_A = 'C:\\Temp\\evil\\Windows\\System32\\svchost.exe';
const TWIN_B = 'C:\\Temp\\good\\Windows\\System32\\svchost.exe';

const RULES = [
  // One field (Image) with a negation, a null test and a list: remembered.
  "title: svchost outside system32\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|endswith: '\\svchost.exe'\n    filter:\n        Image|startswith:\n            - 'C:\\Windows\\System32\\'\n            - 'C:\\Windows\\SysWOW64\\'\n    filter_null:\n        Image: null\n    condition: sel and not filter and not filter_null\n",
  "title: evil folder\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|contains: '\\evil\\'\n    condition: sel\n",
  // Two fields: run every time.
  "title: svchost by cmd\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|endswith: '\\svchost.exe'\n        ParentImage|endswith: '\\cmd.exe'\n    condition: sel\n",
].join('---\n');

test('remembered answers are the answers: repeated texts, signature twins, other parents, aliased fields, non-text values', () => {
  assert.equal(signature(TWIN_A), signature(TWIN_B));
  const { col, problems } = loadText(RULES);
  assert.equal(problems.count, 0);
  const rs = compileRuleSet(col.rules);
  const round: Event[] = [
    sysmon(1, { Image: TWIN_A, ParentImage: 'C:\\Windows\\System32\\cmd.exe' }),
    sysmon(1, { Image: TWIN_B, ParentImage: 'C:\\Windows\\explorer.exe' }),
    sysmon(1, { Image: 'C:\\Windows\\System32\\svchost.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe' }),
    sysmon(1, { Image: 'C:\\Windows\\System32\\svchost.exe', ParentImage: 'C:\\Windows\\explorer.exe' }),
    sysmon(1, { Image: 'c:\\windows\\SYSWOW64\\SVCHOST.EXE' }),
    sysmon(1, { Image: 12345 }),
    sysmon(1, { CommandLine: 'no image' }),
    // Security 4688 names the image NewProcessName: the rules' Image reads it there.
    security(4688, { NewProcessName: TWIN_A, ParentProcessName: 'C:\\Windows\\System32\\cmd.exe' }),
    security(4688, { NewProcessName: TWIN_B }),
  ];
  const events = [...round, ...round, ...round, ...round];
  const got = events.map((e) => rs.match(e).map((r) => r.info.title));
  assert.deepEqual(
    got,
    events.map((e) => naiveMatches(rs, e)),
  );
  const once = [
    ['svchost outside system32', 'evil folder', 'svchost by cmd'],
    ['svchost outside system32'],
    ['svchost by cmd'],
    [],
    [],
    [],
    [],
    ['svchost outside system32', 'evil folder', 'svchost by cmd'],
    ['svchost outside system32'],
  ];
  assert.deepEqual(got, [...once, ...once, ...once, ...once]);
});
