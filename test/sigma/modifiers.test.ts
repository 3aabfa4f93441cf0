/** Every value modifier of the Sigma modifiers appendix v2.1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, matches, sel, loadError } from './helpers.js';
import { base64offset, windash, utf16le, utf16be, utf16, base64 } from '../../src/sigma/encoding.js';
import { literalString, parseSigmaString, toSigmaNotation } from '../../src/sigma/strings.js';
import { parseIp } from '../../src/sigma/cidr.js';

const lit = (s: string) => ({ s: literalString(s), bytes: false });
const text = (v: { s: { parts: unknown[] } }) => v.s.parts.join('');

test('contains / startswith / endswith, also with wildcards inside', () => {
  assert.deepEqual(sel(`CommandLine|contains: ' -enc '`, { CommandLine: 'powershell.exe -ENC abc' }, { CommandLine: 'powershell -encodedcommand' }), [true, false]);
  assert.deepEqual(sel(String.raw`Image|endswith: '\cmd.exe'`, { Image: 'C:\\Windows\\System32\\CMD.EXE' }, { Image: 'C:\\cmd.exe.bak' }), [true, false]);
  assert.deepEqual(sel(`Image|startswith: 'C:\\Users\\'`, { Image: 'c:\\users\\bob\\a.exe' }, { Image: 'D:\\Users\\a.exe' }), [true, false]);
  assert.deepEqual(sel(`CommandLine|contains: 'net*user'`, { CommandLine: 'x net  localgroup user y' }, { CommandLine: 'user net' }), [true, false]);
  assert.deepEqual(sel(`F|startswith: 'a?c'`, { F: 'abcdef' }, { F: 'acdef' }), [true, false]);
});

test('all: every value must match', () => {
  assert.deepEqual(sel(`CommandLine|contains|all:\n    - 'vssadmin'\n    - 'delete'`, { CommandLine: 'vssadmin.exe Delete Shadows' }, { CommandLine: 'vssadmin list' }), [
    true,
    false,
  ]);
});

test('exists: true / false (spec "Field Existence")', () => {
  assert.deepEqual(sel(`PasswordLastSet|exists: true`, { PasswordLastSet: '' }, { PasswordLastSet: null }, {}), [true, true, false]);
  assert.deepEqual(sel(`PasswordLastSet|exists: false`, { PasswordLastSet: 'x' }, {}), [false, true]);
  assert.match(loadError(`selection:\n    F|exists: yes please\ncondition: selection`) ?? '', /needs true or false/);
});

test('cased: case-sensitive comparison', () => {
  assert.deepEqual(sel(`F|cased: 'AbC'`, { F: 'AbC' }, { F: 'abc' }), [true, false]);
  assert.deepEqual(sel(`F|contains|cased: 'Evil'`, { F: 'xEvily' }, { F: 'xevily' }), [true, false]);
});

test('neq: the field differs from every value', () => {
  assert.deepEqual(sel(`F|neq: a`, { F: 'b' }, { F: 'A' }, {}), [true, false, true]);
  assert.deepEqual(sel(`F|neq:\n    - a\n    - b`, { F: 'c' }, { F: 'b' }), [true, false]);
  assert.deepEqual(sel(`Port|neq: 443`, { Port: 80 }, { Port: 443 }), [true, false]);
});

test('windash: the five dash characters at option starts, like pySigma', () => {
  const v = windash(lit('-foo -bar'));
  assert.equal(v.length, 25);
  const texts = v.map(text);
  assert.ok(texts.includes('-foo -bar'));
  assert.ok(texts.includes('/foo \u2013bar'));
  assert.ok(texts.includes('\u2015foo \u2014bar'));
  // a dash inside a word is not an option dash
  assert.deepEqual(windash(lit('a-b')).map(text), ['a-b']);
  assert.deepEqual(windash(lit('x /y')).map(text), ['x -y', 'x /y', 'x \u2013y', 'x \u2014y', 'x \u2015y']);
  assert.deepEqual(
    sel(
      `CommandLine|windash|contains: ' -exec bypass'`,
      { CommandLine: 'powershell /exec bypass' },
      { CommandLine: 'powershell \u2013exec bypass' },
      { CommandLine: 'powershell +exec bypass' },
    ),
    [true, true, false],
  );
});

test('all joins the values, not the variants a modifier expands a value into', () => {
  assert.deepEqual(
    sel(
      `CommandLine|windash|contains|all:\n    - ' -a'\n    - ' -b'`,
      { CommandLine: 'x /a /b' },
      { CommandLine: 'x -a \u2013b' },
      { CommandLine: 'x -a' },
      { CommandLine: 'x /b' },
    ),
    [true, true, false, false],
  );
  const enc = (s: string) => Buffer.from(s).toString('base64');
  assert.deepEqual(sel(`F|base64offset|contains|all:\n    - 'alpha'\n    - 'omega'`, { F: enc('xx alpha yy omega') }, { F: enc('xx alpha yy') }), [true, false]);
});

test('base64 and base64offset (pySigma vectors)', () => {
  assert.equal(text(base64(lit('foobar'))), 'Zm9vYmFy');
  assert.deepEqual(base64offset(lit('foobar')).map(text), ['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
  assert.deepEqual(base64offset(lit('ping')).map(text), ['cGluZ', 'Bpbm', 'waW5n']);
  const enc = Buffer.from('xx http://evil/ yy').toString('base64');
  assert.deepEqual(sel(`CommandLine|base64offset|contains: 'http://'`, { CommandLine: `powershell -e ${enc}` }, { CommandLine: 'http://' }), [true, false]);
  assert.deepEqual(sel(`F|base64: 'foobar'`, { F: 'Zm9vYmFy' }, { F: 'Zm9vYmFyCg==' }), [true, false]);
  assert.match(loadError(`selection:\n    F|base64: 'foo*'\ncondition: selection`) ?? '', /cannot encode a value containing wildcards/);
});

test('utf16le / wide / utf16be / utf16 (with BOM), then base64', () => {
  assert.equal(text(utf16le(lit('cmd'))), 'c\0m\0d\0');
  assert.equal(text(utf16be(lit('cmd'))), '\0c\0m\0d');
  assert.equal(text(utf16(lit('cmd'))), '\xff\xfec\0m\0d\0');
  assert.deepEqual(sel(`F|wide|base64: 'cmd'`, { F: 'YwBtAGQA' }), [true]);
  const ps = Buffer.from('IEX (New-Object Net.WebClient)', 'utf16le').toString('base64');
  assert.deepEqual(sel(`CommandLine|wide|base64offset|contains: 'New-Object'`, { CommandLine: `powershell -enc ${ps}` }, { CommandLine: 'New-Object' }), [true, false]);
  assert.deepEqual(sel(`F|utf16|base64: 'a'`, { F: Buffer.from([0xff, 0xfe, 0x61, 0]).toString('base64') }), [true]);
});

test('re: unanchored, case-sensitive by default, i/m/s sub-modifiers, inline flags', () => {
  assert.deepEqual(sel(`F|re: 'ab+c'`, { F: 'xxabbbcxx' }, { F: 'ABC' }), [true, false]);
  assert.deepEqual(sel(`F|re|i: 'ab+c'`, { F: 'ABBC' }), [true]);
  assert.deepEqual(sel(`F|re: '(?i)^powershell'`, { F: 'PowerShell.exe' }), [true]);
  assert.deepEqual(sel(`F|re|m: '^b$'`, { F: 'a\nb\nc' }, { F: 'abc' }), [true, false]);
  assert.deepEqual(sel(`F|re: 'a.c'`, { F: 'a\nc' }), [false]);
  assert.deepEqual(sel(`F|re|s: 'a.c'`, { F: 'a\nc' }), [true]);
  assert.deepEqual(sel(`F|re: 'end\\Z'`, { F: 'the end' }), [true]);
  assert.match(loadError(`selection:\n    F|re: 'a(?=b)'\ncondition: selection`) ?? '', /: lookahead \(\?=…\)\/\(\?!…\) is not supported by the linear-time regex engine/);
  assert.match(loadError(`selection:\n    F|re: '(a'\ncondition: selection`) ?? '', /invalid or unsupported regular expression/);
  assert.match(loadError(`selection:\n    F|i: 'a'\ncondition: selection`) ?? '', /only valid after 're'/);
});

test('re: catastrophic patterns run in linear time', () => {
  const r = compile(`selection:\n    F|re: '(a+)+$'\ncondition: selection`);
  const value = 'a'.repeat(100_000) + '!';
  // CPU time, not wall time: a busy machine must not fail this. A backtracking engine needs
  // about 2^100000 steps here, so any bound of seconds tells linear from catastrophic.
  const t0 = process.cpuUsage();
  assert.equal(matches(r, { F: value }), false);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < 1000, `took ${ms} CPU-ms`);
});

test('cidr: IPv4 and IPv6', () => {
  assert.deepEqual(
    sel(`DestinationIp|cidr: 10.0.0.0/8`, { DestinationIp: '10.1.2.3' }, { DestinationIp: '11.0.0.1' }, { DestinationIp: '::ffff:10.9.9.9' }, { DestinationIp: 'x' }),
    [true, false, true, false],
  );
  assert.deepEqual(sel(`Ip|cidr:\n    - '192.168.0.0/16'\n    - '172.16.0.0/12'`, { Ip: '172.31.255.255' }, { Ip: '172.32.0.0' }), [true, false]);
  assert.deepEqual(sel(`Ip|cidr: '2001:db8::/32'`, { Ip: '2001:0DB8:0:1::5' }, { Ip: '2001:db9::1' }, { Ip: '10.0.0.1' }), [true, false, false]);
  assert.deepEqual(sel(`Ip|cidr: '::1/128'`, { Ip: '0:0:0:0:0:0:0:1' }, { Ip: '::2' }), [true, false]);
  assert.deepEqual(sel(`Ip|cidr: 'fe80::/10'`, { Ip: 'fe80::1%eth0' }, { Ip: 'febf::1' }, { Ip: 'fec0::1' }), [true, true, false]);
  assert.deepEqual(parseIp('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  assert.match(loadError(`selection:\n    Ip|cidr: 10.0.0.0/33\ncondition: selection`) ?? '', /invalid CIDR/);
});

test('expand: placeholders from the placeholder map; \\% is a plain percent', () => {
  const r = compile(`selection:\n    ComputerName|expand: '%Servers%'\ncondition: selection`, { Servers: ['srv*', 'dc01'] });
  assert.deepEqual(
    [{ ComputerName: 'SRV-7' }, { ComputerName: 'dc01' }, { ComputerName: 'ws1' }].map((e) => matches(r, e)),
    [true, true, false],
  );
  const esc = compile(
    String.raw`selection:
    F|expand: '\%plain%name%'
condition: selection`,
    { name: ['x'] },
  );
  assert.deepEqual(
    [{ F: '%plainx' }, { F: '%plain%name%' }].map((e) => matches(esc, e)),
    [true, false],
  );
  // without expand a placeholder is literal text
  assert.deepEqual(sel(`F: '%name%'`, { F: '%NAME%' }), [true]);
  assert.match(loadError(`selection:\n    F|expand: '%Workstations%'\ncondition: selection`) ?? '', /unresolvable placeholder '%Workstations%'/);
});

test('fieldref: compare with another field, also with contains/startswith/endswith/neq', () => {
  assert.deepEqual(
    sel(
      `TargetUserName|fieldref: SubjectUserName`,
      { TargetUserName: 'Bob', SubjectUserName: 'bob' },
      { TargetUserName: 'bob', SubjectUserName: 'alice' },
      { TargetUserName: 'bob' },
    ),
    [true, false, false],
  );
  assert.deepEqual(sel(`CommandLine|fieldref|contains: User`, { CommandLine: 'run as alice now', User: 'Alice' }, { CommandLine: 'x', User: 'alice' }), [true, false]);
  assert.deepEqual(sel(`Image|fieldref|endswith: OriginalFileName`, { Image: 'C:\\x\\cmd.exe', OriginalFileName: 'Cmd.Exe' }), [true]);
  assert.deepEqual(sel(`Image|fieldref|startswith: Dir`, { Image: 'C:\\x\\cmd.exe', Dir: 'C:\\x' }), [true]);
  assert.deepEqual(sel(`A|fieldref|neq: B`, { A: '1', B: '2' }, { A: '1', B: '1' }), [true, false]);
});

test('lt / lte / gt / gte on numbers and numeric strings', () => {
  assert.deepEqual(sel(`Size|gt: 100`, { Size: 101 }, { Size: '100' }, { Size: 'big' }), [true, false, false]);
  assert.deepEqual(sel(`Size|gte: 100`, { Size: '100' }), [true]);
  assert.deepEqual(sel(`Size|lt: 10`, { Size: '9.5' }, { Size: 10 }), [true, false]);
  assert.deepEqual(sel(`Size|lte: -1`, { Size: -1 }, { Size: 0 }), [true, false]);
  assert.match(loadError(`selection:\n    Size|gt: many\ncondition: selection`) ?? '', /needs a number/);
});

test('minute / hour / day / week / month / year on timestamps (UTC)', () => {
  const ev = { UtcTime: '2024-03-07 23:45:12.123' };
  assert.deepEqual(sel(`UtcTime|hour: 23`, ev, { UtcTime: '2024-03-07T01:00:00Z' }), [true, false]);
  assert.deepEqual(sel(`UtcTime|minute: 45`, ev), [true]);
  assert.deepEqual(sel(`UtcTime|day: 7`, ev), [true]);
  assert.deepEqual(sel(`UtcTime|week: 10`, ev), [true]);
  assert.deepEqual(sel(`UtcTime|month: 3`, ev), [true]);
  assert.deepEqual(sel(`UtcTime|year: 2024`, ev), [true]);
  assert.deepEqual(sel(`UtcTime|hour|gte: 22`, ev, { UtcTime: '2024-03-07T08:00:00+00:00' }), [true, false]);
  assert.deepEqual(sel(`UtcTime|hour: 23`, { UtcTime: 'not a time' }), [false]);
});

test('unknown and conflicting modifiers are load errors', () => {
  assert.match(loadError(`selection:\n    F|contain: a\ncondition: selection`) ?? '', /unknown modifier 'contain'/);
  assert.match(loadError(`selection:\n    F|re|cidr: a\ncondition: selection`) ?? '', /cannot be combined/);
  assert.match(loadError(`selection:\n    F|contains|re: a\ncondition: selection`) ?? '', /cannot be combined/);
});

test('sigma strings round-trip to notation', () => {
  for (const s of ['a*b?c', String.raw`a\*b`, String.raw`x\\`, 'plain']) assert.equal(toSigmaNotation(parseSigmaString(s)), s === String.raw`x\\` ? String.raw`x\\` : s);
});

test('four or more plain values become one set lookup, read from the values as compiled (empty value, escapes, numbers, wildcards)', () => {
  const set = compile(`
sel:
    Image:
        - 'C:\\A.exe'
        - ''
        - 'x\\*y'
        - 'MiXeD'
condition: sel`);
  assert.deepEqual(set.detection.op, { k: 'in', field: 'Image', lits: ['c:\\a.exe', '', 'x*y', 'mixed'] });
  assert.equal(matches(set, { Image: 'X*Y' }), true);
  assert.equal(matches(set, { Image: '' }), true);
  assert.equal(matches(set, { Image: 'xzy' }), false);
  // A wildcard, a number or a modifier keeps the general form.
  for (const values of ["['a', 'b', 'c', 'd*']", "['a', 'b', 'c', 4]"]) {
    const r = compile(`
sel:
    Image: ${values}
condition: sel`);
    assert.notEqual(r.detection.op.k, 'in', values);
  }
});
