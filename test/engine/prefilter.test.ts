/** The literal prefilter: Aho–Corasick scanner, literal windows, regex literals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteralScanner } from '../../src/engine/prefilter.js';
import { MAX_SCAN_LITERAL, scanWindow } from '../../src/engine/ruleset.js';
import { requiredLiteral } from '../../src/sigma/regex.js';
import { sel } from '../sigma/helpers.js';

test('the scanner reports every literal a text contains, case-insensitively (never misses)', () => {
  const patterns = ['\\cmd.exe', 'powershell', ' -enc ', 'wmic', 'mimikatz', 'ab', 'b', 'aab', '\u2013exec', 'привет', '😀', 'x?y', 'é'];
  const scanner = new LiteralScanner(patterns);
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['C:\\Windows\\System32\\CMD.EXE', 'PowerShell', ' -ENC ', 'WMIC', 'a', 'b', 'x', 'y', '?', '\u2013EXEC', 'ПРИВЕТ', '😀', 'É', ' ', '-', 'z'];
  for (let i = 0; i < 2000; i++) {
    let text = '';
    const n = 1 + rnd(8);
    for (let j = 0; j < n; j++) text += pieces[rnd(pieces.length)];
    const found = new Set<number>();
    scanner.scan(text, (id) => found.add(id));
    const lower = text.toLowerCase();
    patterns.forEach((p, id) => {
      if (lower.includes(p)) assert.ok(found.has(id), `missed '${p}' in '${text}'`);
    });
  }
  const exact = new Set<number>();
  scanner.scan('run MIMIKATZ now', (id) => exact.add(id));
  assert.deepEqual([...exact], [4]);
});

test('the skipping search reports exactly what the automaton reports', () => {
  const patterns = ['sekurlsa::', 'mimidrv.sys', '\\mimilib.dll', 'kerberos::ptt', 'lsadump::', 'privilege::debug', 'привет мир', '😀😀😀😀😀', 'aaaaab', 'abababab', 'b?b?b?'];
  const skip = new LiteralScanner(patterns, 'skip');
  const dfa = new LiteralScanner(patterns, 'automaton');
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = [
    'SEKURLSA::',
    'sekurlsa:',
    'MimiDrv.SYS',
    '\\mimilib.dll',
    'Kerberos::PTT',
    'LSADUMP:',
    ':',
    'a',
    'b',
    'ab',
    '?',
    'ПРИВЕТ',
    ' МИР',
    '😀',
    ' ',
    'x',
    'privilege::debu',
    'g',
  ];
  const ids = (sc: LiteralScanner, text: string) => {
    const out = new Set<number>();
    sc.scan(text, (id) => out.add(id));
    return [...out].sort((a, b) => a - b);
  };
  for (let i = 0; i < 3000; i++) {
    let text = '';
    const n = 1 + rnd(12);
    for (let j = 0; j < n; j++) text += pieces[rnd(pieces.length)];
    const got = ids(skip, text);
    assert.deepEqual(got, ids(dfa, text), text);
    const lower = text.toLowerCase();
    patterns.forEach((p, id) => {
      if (lower.includes(p)) assert.ok(got.includes(id), `missed '${p}' in '${text}'`);
    });
  }
  assert.deepEqual(ids(skip, 'run SEKURLSA::logonpasswords'), [0]);
  assert.deepEqual(ids(skip, 'sekurlsa:'), []);
});

test('scan windows: long literals are cut to a part that is not common text', () => {
  assert.equal(MAX_SCAN_LITERAL, 12);
  assert.equal(scanWindow('\\cmd.exe'), '\\cmd.exe');
  assert.equal(scanWindow('\\appdata\\local\\temp\\evil.exe'), 'emp\\evil.exe');
  // the last window is common text: the one before it is taken
  assert.equal(scanWindow('\\evil\\c:\\windows\\system32\\'), '\\c:\\windows\\');
  assert.equal(scanWindow('c:\\windows \\system32\\'), 's \\system32\\');
});

test('regexes give their required literal to the prefilter when one is certain', () => {
  assert.equal(requiredLiteral('abc'), 'abc');
  assert.equal(requiredLiteral('x|y'), '');
  assert.equal(requiredLiteral('a(b|c)def'), 'def');
  assert.equal(requiredLiteral('(?i)PowerShell.*-enc'), 'powershell');
  assert.equal(requiredLiteral('ab+cde'), 'cde');
  assert.equal(requiredLiteral('abc?de'), '');
  assert.equal(requiredLiteral('[a-z]+hello[0-9]'), 'hello');
  assert.equal(requiredLiteral('foo{2,3}barbaz'), 'barbaz');
  assert.equal(requiredLiteral('\\\\cmd\\.exe'), '\\cmd.exe');
  assert.equal(requiredLiteral('\\p{L}{3}xyz'), 'xyz');
  // escape operands are not literal text: \x2f is '/', not "2f"
  assert.equal(requiredLiteral('\\x41bcd'), 'bcd');
  assert.equal(requiredLiteral('abc\\x2f'), 'abc');
  assert.equal(requiredLiteral('\\u0041bcde'), 'bcde');
  assert.equal(requiredLiteral('\\x2f', 1), '');
  assert.equal(requiredLiteral('\\cAxyz'), 'xyz');
  // short literals on request (regex rules are gated by them)
  assert.equal(requiredLiteral('a`b+', 1), 'a`');
  assert.equal(requiredLiteral('a`b+'), '');
  // a regex rule gated by its literal still matches case variants when |i is set
  assert.deepEqual(sel(`CommandLine|re|i: 'invoke-expression\\s+\\('`, { CommandLine: 'INVOKE-EXPRESSION (x)' }, { CommandLine: 'invoke-expr' }), [true, false]);
});
