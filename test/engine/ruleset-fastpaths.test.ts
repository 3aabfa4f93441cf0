/**
 * The index's shortcuts (keyword groups scanning the fields directly, numbers skipped when no
 * literal can occur in them, long values never lower-cased for whole-value literals) give the
 * same matches as evaluating every rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../sigma/helpers.js';
import { compileRuleSet, scalarsCanHold } from '../../src/engine/ruleset.js';
import type { Event } from '../../src/event/event.js';
import { sysmon, winEvent, naiveMatches } from './helpers.js';

const rule = (title: string, logsource: string, detection: string): string =>
  `title: ${title}\nlogsource:\n${logsource
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\ndetection:\n${detection
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;

const RULES = [
  rule('keyword tools', 'product: windows', "keywords:\n    - 'sekurlsa::'\n    - 'kerberos::golden'\n    - 'mimidrv.sys'\n    - 'lsadump::'\ncondition: keywords"),
  rule('keyword number', 'product: windows', "keywords:\n    - '31337'\n    - 'backdoor-one'\n    - 'backdoor-two'\n    - 'backdoor-three'\ncondition: keywords"),
  rule('keyword boolean', 'product: windows', "keywords:\n    - 'rue'\n    - 'zzzz-one'\n    - 'zzzz-two'\n    - 'zzzz-three'\ncondition: keywords"),
  ...['cmd.exe', 'powershell.exe', 'whoami.exe', 'net.exe', 'i\u0307x.exe'].map((n, i) =>
    rule(`exact ${i}`, 'product: windows\ncategory: process_creation', `sel:\n    OriginalFileName: '${n}'\ncondition: sel`),
  ),
  rule('inherited name', 'product: windows', "sel:\n    toString|contains: 'evil one'\ncondition: sel"),
  rule('other spelling', 'product: windows', "sel:\n    CommandLine|contains: 'evil'\ncondition: sel"),
].join('---\n');

const EVENTS: Event[] = [
  winEvent({ Channel: 'Application', EventID: 1000, Message: 'mimikatz # SEKURLSA::logonpasswords' }),
  winEvent({ Channel: 'Application', EventID: 1000, Data: ['x', 'privilege::debug', 'Kerberos::Golden /user:x'] }),
  winEvent({ Channel: 'Application', EventID: 1000, Data: [1, [2, 'c:\\mimidrv.sys']] }),
  winEvent({ Channel: 'Application', EventID: 1000, Port: 31337 }),
  winEvent({ Channel: 'Application', EventID: 1000, Ports: [80, 31337] }),
  winEvent({ Channel: 'Application', EventID: 1000, Port: 3133 }),
  winEvent({ Channel: 'Application', EventID: 1000, Enabled: true }),
  winEvent({ Channel: 'Application', EventID: 1000, Enabled: false, Other: null }),
  sysmon(1, { OriginalFileName: 'CMD.EXE', Image: 'C:\\Windows\\System32\\cmd.exe' }),
  sysmon(1, { OriginalFileName: 'cmd.exe.mui' }),
  sysmon(1, { OriginalFileName: 'C:\\a\\very\\long\\path\\that\\is\\longer\\than\\every\\literal\\cmd.exe' }),
  // Lower-casing 'İ' gives two characters: the value is shorter than the literal it equals.
  sysmon(1, { OriginalFileName: '\u0130X.EXE' }),
  sysmon(1, { OriginalFileName: 31337 }),
  // Object.prototype.toString is no field of the event: the rule's toString is found as spelled otherwise.
  winEvent({ Channel: 'Application', EventID: 1000, Message: 'x' }),
  winEvent({ Channel: 'Application', EventID: 1000, tostring: 'an evil one' }),
  // A field spelled otherwise than the rule spells it.
  winEvent({ Channel: 'Application', EventID: 1000, commandline: 'run evil' }),
];

for (const scannerAfter of [0, undefined]) {
  test(`keyword and whole-value groups match as evaluating every rule does (scanner ${scannerAfter === 0 ? 'built at once' : 'not built'})`, () => {
    const { col, problems } = loadText(RULES);
    assert.equal(problems.count, 0);
    const rs = compileRuleSet(col.rules, { scannerAfter });
    const got = EVENTS.map((e) => rs.match(e).map((r) => r.info.title));
    assert.deepEqual(
      got,
      EVENTS.map((e) => naiveMatches(rs, e)),
    );
    assert.deepEqual(got, [
      ['keyword tools'],
      ['keyword tools'],
      ['keyword tools'],
      ['keyword number'],
      ['keyword number'],
      [],
      ['keyword boolean'],
      [],
      ['exact 0'],
      [],
      [],
      ['exact 4'],
      ['keyword number'],
      [],
      ['inherited name'],
      ['other spelling'],
    ]);
    if (scannerAfter === 0) assert.ok(rs.stats().scanners > 0, 'the scanner path was not taken');
  });
}

test('numbers and booleans are scanned by keyword groups only when a literal could occur in their text', () => {
  assert.equal(scalarsCanHold(['sekurlsa::', 'mimidrv.sys']), false);
  assert.equal(scalarsCanHold(['sekurlsa::', '31337']), true);
  assert.equal(scalarsCanHold(['rue']), true);
  assert.equal(scalarsCanHold(['NaN']), true);
  assert.equal(scalarsCanHold(['-Infinity']), true);
  assert.equal(scalarsCanHold(['1e+21']), true);
  assert.equal(scalarsCanHold(['undefined']), true);
  // '#' has no class of its own: it may be reported where '+' stands.
  assert.equal(scalarsCanHold(['1#2']), true);
  assert.equal(scalarsCanHold(['1b2']), false);
});

test('lower-casing never shortens a string (whole-value literals skip longer values on it)', () => {
  for (let c = 0; c <= 0x10ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    assert.ok(s.toLowerCase().length >= s.length, `U+${c.toString(16)}`);
  }
  // Final sigma depends on context, and keeps the length.
  assert.equal('ΟΔΟΣ'.toLowerCase().length, 4);
});
