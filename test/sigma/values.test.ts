/** Plain values, wildcards and escaping, lists/maps, null/empty, numbers, keywords. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, matches, sel, loadError } from './helpers.js';
import { parseSigmaString, ANY, ONE } from '../../src/sigma/strings.js';

test('plain values match the whole value, case-insensitively', () => {
  assert.deepEqual(
    sel(String.raw`Image: 'C:\Windows\System32\whoami.exe'`, { Image: 'c:\\windows\\system32\\WHOAMI.EXE' }, { Image: 'C:\\Windows\\System32\\whoami.exe.bak' }, {}),
    [true, false, false],
  );
});

test('wildcards * and ? (spec "String Wildcard" examples)', () => {
  assert.deepEqual(sel(`Image: 'prog?.exe'`, { Image: 'progA.exe' }, { Image: 'progAB.exe' }, { Image: 'prog.exe' }), [true, false, false]);
  assert.deepEqual(sel(`Image: 'antivirus_V*.exe'`, { Image: 'antivirus_V1.exe' }, { Image: 'antivirus_V21.2.1.exe' }, { Image: 'antivirus_X.exe' }), [true, true, false]);
  assert.deepEqual(sel(`F: 'a*b?c*d'`, { F: 'aXXbYcZZd' }, { F: 'abYcd' }, { F: 'abcd' }, { F: 'a*b?c*d' }), [true, true, false, true]);
  assert.deepEqual(sel(`F: '*'`, { F: '' }, { F: 'x' }, {}), [true, true, false]);
});

test('escaping: \\* \\? \\\\ and a backslash before other characters (spec "Escape Character")', () => {
  assert.deepEqual(parseSigmaString(String.raw`a\*b`).parts, ['a*b']);
  assert.deepEqual(parseSigmaString(String.raw`a\?b`).parts, ['a?b']);
  assert.deepEqual(parseSigmaString(String.raw`C:\Windows\*`).parts, ['C:\\Windows*']);
  assert.deepEqual(parseSigmaString(String.raw`C:\Windows\\*`).parts, ['C:\\Windows\\', ANY]);
  assert.deepEqual(parseSigmaString(String.raw`C:\Windows\\\*`).parts, ['C:\\Windows\\*']);
  assert.deepEqual(parseSigmaString(String.raw`a\\\\b`).parts, ['a\\\\b']);
  assert.deepEqual(parseSigmaString(String.raw`a\\\b`).parts, ['a\\\\b']);
  assert.deepEqual(parseSigmaString('x?').parts, ['x', ONE]);
  assert.deepEqual(sel(String.raw`F: 'what\?'`, { F: 'what?' }, { F: 'whatx' }), [true, false]);
  assert.deepEqual(sel(String.raw`F: 'a\\*'`, { F: 'a\\anything' }, { F: 'a*' }), [true, false]);
  assert.deepEqual(sel(String.raw`F: 'a\\\*'`, { F: 'a\\*' }, { F: 'a\\x' }), [true, false]);
});

test('numbers match numeric and string values; quoted numbers too', () => {
  assert.deepEqual(sel(`EventID: 4688`, { EventID: 4688 }, { EventID: '4688' }, { EventID: 46880 }, { EventID: '4689' }), [true, true, false, false]);
  assert.deepEqual(sel(`EventID: '4688'`, { EventID: 4688 }), [true]);
  // 0x17 written unquoted stays the text "0x17" (logs carry it as text)
  assert.deepEqual(sel(`TicketEncryption: 0x17`, { TicketEncryption: '0x17' }, { TicketEncryption: '23' }), [true, false]);
});

test('booleans compare with the text true/false', () => {
  assert.deepEqual(sel(`Signed: true`, { Signed: 'true' }, { Signed: true }, { Signed: 'false' }), [true, true, false]);
});

test("null means absent or null; '' means the empty string", () => {
  assert.deepEqual(sel(`F: null`, {}, { F: null }, { F: '' }, { F: 'x' }), [true, true, false, false]);
  assert.deepEqual(sel(`F: ''`, { F: '' }, {}, { F: null }, { F: 'x' }), [true, false, false, false]);
});

test('lists are OR, maps are AND, lists of maps are OR', () => {
  assert.deepEqual(sel(`F:\n    - a\n    - b`, { F: 'a' }, { F: 'B' }, { F: 'c' }), [true, true, false]);
  assert.deepEqual(sel(`A: 1\nB: 2`, { A: 1, B: 2 }, { A: 1, B: 3 }, { A: 1 }), [true, false, false]);
  const r = compile(String.raw`
selection:
    - Image|endswith: '\example.exe'
    - Description|contains: 'Test executable'
condition: selection`);
  assert.deepEqual(
    [{ Image: 'C:\\x\\example.exe' }, { Description: 'A Test Executable file' }, { Image: 'C:\\x\\other.exe', Description: 'nope' }].map((e) => matches(r, e)),
    [true, true, false],
  );
});

test('field lookup: exact name, then case-insensitive, then without spaces', () => {
  assert.deepEqual(sel(`CommandLine: x`, { commandline: 'x' }, { COMMANDLINE: 'x' }), [true, true]);
  assert.deepEqual(sel(`ThreatName: x`, { 'Threat Name': 'x' }), [true]);
  // exact name wins over a case variant
  assert.deepEqual(sel(`Foo: a`, { Foo: 'b', foo: 'a' }), [false]);
});

test('array values match when any element matches; |all needs every value somewhere', () => {
  assert.deepEqual(sel(`Data: b`, { Data: ['a', 'b'] }, { Data: ['a', 'c'] }, { Data: [] }), [true, false, false]);
  assert.deepEqual(sel(`Data|all:\n    - a\n    - b`, { Data: ['a', 'b'] }, { Data: ['a'] }), [true, false]);
  assert.deepEqual(sel(`Data: 5`, { Data: [4, 5] }), [true]);
});

test('keywords: any value of the event contains the keyword (spec "Keywords search")', () => {
  const r = compile(`
keywords:
    - 'event::clear'
    - 'event::drop'
condition: keywords`);
  assert.deepEqual(
    [{ Message: 'mimikatz # event::clear done' }, { CommandLine: 'EVENT::DROP' }, { Message: 'event: clear' }, { N: 1 }].map((e) => matches(r, e)),
    [true, true, false, false],
  );
  const all = compile(`
keywords_cmdlet:
    '|all':
        - 'OabVirtualDirectory'
        - ' -ExternalUrl '
condition: keywords_cmdlet`);
  assert.deepEqual(
    [{ Payload: 'Set-OabVirtualDirectory -ExternalUrl http://x' }, { A: 'Set-OabVirtualDirectory', B: 'x -ExternalUrl y' }, { Payload: 'Set-OabVirtualDirectory' }].map((e) =>
      matches(all, e),
    ),
    [true, true, false],
  );
  const num = compile(`
keywords: 4711
condition: keywords`);
  assert.deepEqual(
    [{ A: 'x4711y' }, { A: 47110 }, { A: 471 }].map((e) => matches(num, e)),
    [true, true, false],
  );
});

test('invalid values are load errors', () => {
  assert.match(loadError(`selection:\n    F: []\ncondition: selection`) ?? '', /empty value list/);
  assert.match(loadError(`selection:\n    F:\n        a: b\ncondition: selection`) ?? '', /nested list or map/);
  assert.match(loadError(`selection:\ncondition: selection`) ?? '', /has no value/);
  assert.match(loadError(`selection:\n    - a\n    - F: b\ncondition: selection`) ?? '', /mixes keywords and field maps/);
});
