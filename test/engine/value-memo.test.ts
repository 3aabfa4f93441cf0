/**
 * The value memo (event/value-memo.ts) as the rule index and linked rules use it: a value is remembered on its second
 * sighting, replayed only for the very same text, and matching with it gives what evaluating
 * every rule gives — for repeated values, values that share a signature, and long values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../sigma/helpers.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { MEMO_MAX_CHARS, MemoBudget, signature, ValueMemo } from '../../src/event/value-memo.js';
import type { Event } from '../../src/event/event.js';
import { sysmon, naiveMatches } from './helpers.js';

/** Two texts of one length that share the middle character and the last dozen: one signature. */
const TWIN_A = 'evil-tool.exe --run C:\\Windows\\System32\\cmd.exe';
const TWIN_B = 'good-tool.exe --run C:\\Windows\\System32\\cmd.exe';

test('signature: equal for the twins, so only the comparison of the whole text tells them apart', () => {
  assert.equal(TWIN_A.length, TWIN_B.length);
  assert.equal(signature(TWIN_A), signature(TWIN_B));
  assert.notEqual(signature('tmp12345.tmp'), signature('tmp12346.tmp'));
});

test('ValueMemo: stored on the second sighting, replayed for the same text only', () => {
  const m = new ValueMemo<Int32Array>();
  const slots = Int32Array.from([3, 5]);
  assert.equal(m.get(TWIN_A), undefined);
  assert.equal(m.wants(TWIN_A), false, 'first sighting: noted only');
  assert.equal(m.get(TWIN_A), undefined);
  assert.equal(m.wants(TWIN_A), true, 'second sighting: stored');
  m.set(TWIN_A, slots);
  // A copy of the text (another string object) finds it too.
  assert.deepEqual(m.get(`${TWIN_A.slice(0, 4)}${TWIN_A.slice(4)}`), slots);
  assert.equal(m.get(TWIN_B), undefined, 'a text with the same signature is not replayed');
  const long = 'x'.repeat(MEMO_MAX_CHARS + 1);
  m.get(long);
  assert.equal(m.wants(long), false);
  m.get(long);
  assert.equal(m.wants(long), false, 'a long value is never stored');
});

/** Looks `v` up twice (noting it, then storing it when wanted); the answer remembered after. */
function twice(m: ValueMemo<number>, v: string, answer: number): number | undefined {
  for (let i = 0; i < 2; i++) if (m.get(v) === undefined && m.wants(v)) m.set(v, answer);
  return m.get(v);
}

test('MemoBudget: memos of one owner hold at most its bytes; past it they stop taking texts, and replaced texts give theirs back', () => {
  // 8 entries: noted signatures 32 bytes, tables 128, a 10-character text 52.
  const budget = new MemoBudget(32 + 128 + 52);
  const a = new ValueMemo<number>(8, 64, budget);
  assert.equal(a.get('aaaaaaaaaa'), undefined);
  assert.equal(budget.used, 0, 'nothing is allocated by a lookup');
  assert.equal(twice(a, 'aaaaaaaaaa', 1), 1);
  assert.equal(budget.used, 32 + 128 + 52);
  // A second memo on the same budget cannot even note signatures: it never stores.
  const b = new ValueMemo<number>(8, 64, budget);
  assert.equal(twice(b, 'bbbbbbbbbb', 2), undefined);
  assert.equal(budget.used, 32 + 128 + 52);
  // A longer text does not fit: the first memo keeps what it has.
  assert.equal(twice(a, 'cccccccccccc', 3), undefined);
  assert.equal(a.get('aaaaaaaaaa'), 1);
  const all = new MemoBudget(Number.POSITIVE_INFINITY);
  const c = new ValueMemo<number>(1, 64, all);
  assert.equal(twice(c, 'first', 1), 1);
  assert.equal(twice(c, 'second', 2), 2, 'one place: the second text replaces the first');
  assert.equal(c.get('first'), undefined);
  assert.equal(all.used, 4 + 16 + (2 * 'second'.length + 32));
});

const RULES = [
  "title: evil tool\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        CommandLine|contains: 'evil-tool'\n    condition: sel\n",
  "title: cmd child\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: ' /c '\n    condition: sel\n",
  "title: exact image\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image: 'C:\\Windows\\System32\\whoami.exe'\n    condition: sel\n",
  "title: long value\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        CommandLine|endswith: 'tail-marker'\n    condition: sel\n",
].join('---\n');

for (const scannerAfter of [0, undefined]) {
  test(`repeated values, signature twins and long values match as evaluating every rule does (scanner ${scannerAfter === 0 ? 'built at once' : 'not built'})`, () => {
    const { col, problems } = loadText(RULES);
    assert.equal(problems.count, 0);
    const rs = compileRuleSet(col.rules, { scannerAfter });
    const long = `${'a'.repeat(MEMO_MAX_CHARS)} tail-marker`;
    const rounds: Event[] = [];
    for (let i = 0; i < 4; i++) {
      rounds.push(
        sysmon(1, { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: TWIN_A }),
        sysmon(1, { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: TWIN_B }),
        sysmon(1, { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami' }),
        sysmon(1, { Image: 'C:\\WINDOWS\\system32\\WHOAMI.EXE', CommandLine: 'whoami' }),
        sysmon(1, { Image: 'C:\\Windows\\System32\\whoami.exe.mui', CommandLine: long }),
      );
    }
    const got = rounds.map((e) => rs.match(e).map((r) => r.info.title));
    assert.deepEqual(
      got,
      rounds.map((e) => naiveMatches(rs, e)),
    );
    const once = [['evil tool'], [], ['cmd child'], ['exact image'], ['long value']];
    assert.deepEqual(got, [...once, ...once, ...once, ...once]);
  });
}
