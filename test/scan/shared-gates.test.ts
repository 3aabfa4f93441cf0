/**
 * The skipping word search (word-scan.ts) answers what the case-blind alternation it replaces
 * answers, and the `<` walk of serverMarker finds the markers the regexes found: hand-written
 * inputs with exact expected results, plus seeded random texts built from the words' own
 * characters in both cases (and the non-ASCII units whose case folding touches ASCII letters)
 * checked against the regexes, kept here as the reference. CallLookup's one walk over the `(`
 * signs answers what the call index and the per-name searches it replaces answer, and
 * aspDotStarts' one walk over the dots what dotNameStarts gives for each name list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallIndex, gateOf, type AnalyzerContext } from '../../src/scan/context.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import { aspDotStarts, dotNameStarts } from '../../src/scan/analyzers/admin-tools.js';
import { CallLookup } from '../../src/scan/analyzers/obfuscation.js';
import { CaseBlindWords } from '../../src/scan/analyzers/word-scan.js';
import { OPERATION_WORDS } from '../../src/scan/analyzers/tool-traits.js';
import { serverMarker } from '../../src/scan/analyzers/writers.js';
import { callsAnyOf, containsWord } from '../../src/scan/words.js';
import { prng } from '../helpers/prng.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

/** Each character of the words in both cases, and units a fold could confuse with them. */
function alphabetOf(words: readonly string[]): string[] {
  const set = new Set<string>();
  for (const w of words) for (const c of w) set.add(c).add(c.toUpperCase());
  for (const c of ['\u212a', '\u0130', '\u0131', '\u017f', '\u00df', '\u0000', '\u0100', '\u0145', '\u2160', '\n', 'Q']) set.add(c);
  return [...set];
}

test('CaseBlindWords: the operation words in any case, where the window falls', () => {
  const g = new CaseBlindWords(OPERATION_WORDS);
  assert.equal(g.test(''), false);
  assert.equal(g.test('net'), false);
  assert.equal(g.test('3389'), true);
  assert.equal(g.test('x3389'), true);
  assert.equal(g.test('338'), false);
  assert.equal(g.test('SeRvU'), true);
  assert.equal(g.test('serv'), false);
  assert.equal(g.test('Serv-U'), true);
  assert.equal(g.test('<b>NET USER</b>'), true);
  assert.equal(g.test('net  user'), false);
  assert.equal(g.test('net\tuser'), false);
  assert.equal(g.test('cmd.exe /C dir'), true);
  assert.equal(g.test('cmd.exe  /c'), false);
  assert.equal(g.test('a'.repeat(1000) + 'whoam'), false);
  assert.equal(g.test('a'.repeat(1000) + 'whoami'), true);
  assert.equal(g.test('WhoAmI' + 'a'.repeat(1000)), true);
  assert.equal(g.test('/ETC/PASSWD'), true);
  assert.equal(g.test('/etc/passw'), false);
  // the KELVIN SIGN and the long s fold to ASCII letters under Unicode rules, not for a regex without `u`
  assert.equal(g.test('tas\u212alist'), false);
  assert.equal(g.test('\u017fystemInfo'), false);
  assert.equal(g.test('systemInfo'), true);
  // a unit above 0xff whose low byte is an ASCII letter is not that letter
  assert.equal(g.test('whoam\u0169'), false);
  assert.equal(g.test('NET LOCALGROU'), false);
  assert.equal(g.test('NET LOCALGROUP'), true);
});

test('CaseBlindWords answers what the case-blind alternation answers (seeded random texts)', () => {
  const sets: string[][] = [
    OPERATION_WORDS,
    ['tables', 'sysobjects', 'getoledbschematable', 'getschema', 'openschema', '_tab_comments', '_objects', 'table_name'],
    ['ab', 'abcdef', 'bcdefg', 'x', 'aaaaaa', 'aaab'],
    ['zzzzzzzzzzzz', 'zz', 'z z z'],
  ];
  const next = prng(11);
  for (const words of sets) {
    const g = new CaseBlindWords(words);
    const ci = gateOf(words, 'i');
    const plain = gateOf(words, '');
    const alphabet = alphabetOf(words);
    for (let round = 0; round < 3000; round++) {
      let t = randomText(next, alphabet, 60);
      // plant a word now and then, in a random case, at a random place
      if (next() < 0.3) {
        const w = [...words[Math.floor(next() * words.length)]!].map((c) => (next() < 0.5 ? c.toUpperCase() : c)).join('');
        const at = Math.floor(next() * (t.length + 1));
        t = t.slice(0, at) + w + t.slice(at);
      }
      assert.equal(g.test(t), ci.test(t), JSON.stringify(t));
      // on lower-cased text it is the plain search the lower-cased code's gates make
      const lower = t.toLowerCase();
      assert.equal(g.test(lower), plain.test(lower), JSON.stringify(lower));
    }
  }
});

test('CaseBlindWords stays linear on a long page of near misses', () => {
  const g = new CaseBlindWords(OPERATION_WORDS);
  const t = 'net usenet localgrouxp_cmdshelsys_evanullevwinstationwhoamserv3388'.repeat(40000);
  const t0 = Date.now();
  assert.equal(g.test(t), false);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(g.test(t + 'Net User'), true);
});

/** The searches serverMarker replaces, kept as the reference. */
function markerByRegex(code: string, from: number, echo: boolean): number {
  const i = code.slice(from).search(echo ? /<\?php|<%|<\?=/i : /<\?php|<%/i);
  return i === -1 ? -1 : from + i;
}

test('serverMarker finds the first server-code marker the regexes find', () => {
  assert.equal(serverMarker('', 0, false), -1);
  assert.equal(serverMarker('<?php echo 1; ?>', 0, false), 0);
  assert.equal(serverMarker('<?PhP', 0, false), 0);
  assert.equal(serverMarker('<?ph', 0, false), -1);
  assert.equal(serverMarker('<?= $x ?>', 0, false), -1);
  assert.equal(serverMarker('<?= $x ?>', 0, true), 0);
  assert.equal(serverMarker('a < b <% x %>', 0, false), 6);
  assert.equal(serverMarker('<%', 1, false), -1);
  assert.equal(serverMarker('<?php "<%"', 2, true), 7);
  assert.equal(serverMarker('<?p\u0168p', 0, false), -1);
  const next = prng(5);
  const alphabet = ['<', '?', '%', '=', 'p', 'P', 'h', 'H', 'x', ' ', '\n', '"', '\u0150', '\u0148', '\u0170'];
  for (let round = 0; round < 5000; round++) {
    const t = randomText(next, alphabet, 40);
    const from = Math.floor(next() * (t.length + 2));
    for (const echo of [false, true]) assert.equal(serverMarker(t, from, echo), markerByRegex(t, from, echo), JSON.stringify([t, from, echo]));
  }
});

const DECODER_LISTS = [
  ['gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'base64_decode', 'strrev', 'convert_uudecode', 'hex2bin'],
  ['atob', 'b64decode', 'decodebytes', 'frombase64string', 'decode_base64', 'unhex', 'base64decode'],
  ['hex2bin', 'pack', 'unhex', 'fromhex'],
  // a name outside the lists the walk collects
  ['eval', 'pack'],
];

/** The lookup CallLookup replaces: one search for each name, skipped when a word it holds is missing. */
function callsByWords(lower: string, names: readonly string[]): boolean {
  return callsAnyOf(
    lower,
    names.filter((n) => {
      const w = ['decode', 'hex', 'gz'].find((p) => n.includes(p));
      return w === undefined || containsWord(lower, w);
    }),
  );
}

test('CallLookup answers what the call index and the per-name searches answer', () => {
  const cases: Array<[string, boolean[]]> = [
    ['', [false, false, false, false]],
    ['x = strrev ( "abc" )', [true, false, false, false]],
    ['x = $strrev("abc")', [false, false, false, false]],
    ['x = mystrrev("abc")', [false, false, false, false]],
    ['x = a.atob\n\t(s); pack (x)', [false, true, true, true]],
    ['eval(frombase64string(s))', [false, true, false, true]],
    ['hex2bin', [false, false, false, false]],
    ['hex2bin\u00a0(', [true, false, true, false]],
    ['\u00e9hex2bin(', [false, false, false, false]],
  ];
  for (const [lower, want] of cases) {
    const got = DECODER_LISTS.map((names) => new CallLookup(lower).hasAnyOf(names));
    assert.deepEqual(got, want, lower);
  }
  const next = prng(23);
  const alphabet = ['(', ')', ' ', '\t', '\n', '\u00a0', '$', '.', '_', 'x', '9', '\u00e9', ...DECODER_LISTS.flat()];
  for (let round = 0; round < 3000; round++) {
    const lower = randomText(next, alphabet, 30);
    const lookup = new CallLookup(lower);
    for (const names of DECODER_LISTS) {
      const want = new CallIndex(lower).hasAnyOf(names);
      assert.equal(lookup.hasAnyOf(names), want, JSON.stringify(lower));
      assert.equal(callsByWords(lower, names), want, JSON.stringify(lower));
    }
  }
});

const ASP_FS_NAMES = ['getfolder', 'getfile', 'deletefile', 'deletefolder', 'copyfile', 'movefile', 'copyfolder', 'movefolder', 'opentextfile', 'createfolder', 'loadfromfile'];

function aspContext(code: string): AnalyzerContext {
  return { text: code, code, lower: code.toLowerCase(), ev: new EvidenceCollector(code, 'asp', 0), layers: [], size: code.length };
}

test('aspDotStarts gives the two lists dotNameStarts gives, from one walk', () => {
  const code = 'fso.GetFile (p)\nrs . Open sql, conn : x.OpenTextFile(f) : y.\tMoveFolder a';
  const ctx = aspContext(code);
  assert.deepEqual(aspDotStarts(ctx), { fs: [3, 39, 59], open: [19, 39] });
  // the same lists again, not walked again
  assert.equal(aspDotStarts(ctx), aspDotStarts(ctx));
  assert.deepEqual(aspDotStarts(aspContext('\u0130.open.getfile')), { fs: null, open: null });
  const many = aspContext('.open'.repeat(100001));
  assert.deepEqual(aspDotStarts(many).open, null);
  assert.equal(aspDotStarts(many).fs?.length, 0);
  const next = prng(31);
  const alphabet = ['.', ' ', '\t', '\n', '\u00a0', 'x', 'O', 'open', 'OPEN', 'getfile', 'GetFolder', 'opentextfile', 'deletefol', 'copyFile', 'loadfromfile', '\u0130'];
  for (let round = 0; round < 3000; round++) {
    const ctx = aspContext(randomText(next, alphabet, 30));
    const got = aspDotStarts(ctx);
    assert.deepEqual(got.fs, dotNameStarts(ctx.code, ctx.lower, ASP_FS_NAMES), JSON.stringify(ctx.code));
    assert.deepEqual(got.open, dotNameStarts(ctx.code, ctx.lower, ['open']), JSON.stringify(ctx.code));
  }
});
