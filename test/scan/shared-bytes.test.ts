/**
 * The shared passes made cheaper must give what they gave before: comment and string blanking
 * written into a byte copy (texts of characters up to U+00FF) or joined from slices (any other
 * text) give the same result, quotes before server-code markers are found with indexOf as
 * the character walk found them, chr() runs are found from the `chr` offsets as a whole-text
 * search finds them, and the reGeorg rule's word gate passes what its first pattern needs.
 * Exact expected outputs, plus seeded random texts checked against the other path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blankStrings, CLIKE_LEX, PHP_LEX, stripComments, VB_LEX } from '../../src/scan/lexer.js';
import { quotesBeforeMarkers } from '../../src/scan/analyzers/writers.js';
import { dotNameStarts } from '../../src/scan/analyzers/admin-tools.js';
import { findingOf, reasons } from './helpers.js';
import { prng } from '../helpers/prng.js';

const ASP = { ...VB_LEX, regions: [['<%', '%>'] as [string, string]] };
const WIDE = '\u0101';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

test('stripComments blanks comments and template text the same in one-byte and wide texts', () => {
  const php = '<b class="x">\n<?php $a = "// no"; // yes\n/* a\n b */ echo \'#\'; # c ?>\n<i>"</i>';
  const want = '<b cl       >\n<?php $a = "// no";       \n    \n      echo \'#\';     ?>\n<i> </i ';
  assert.equal(stripComments(php, PHP_LEX), want);
  // one character past U+00FF anywhere: the joined slices, same blanks
  assert.equal(stripComments(php.replace('no', `n${WIDE}`), PHP_LEX), want.replace('no', `n${WIDE}`));
  // nothing to blank: the text itself comes back
  const plain = 'x = 1;\ny = "a";';
  assert.equal(stripComments(plain, CLIKE_LEX), plain);
  assert.equal(stripComments("<% a = 1 ' note\n%>", ASP), '<% a = 1       \n%>');
  // short template text between regions: quotes gone, a closing `>` not after % or ? blanked
  assert.equal(stripComments('<% a %>"b"<% c %>', ASP), '<% a %> b <% c %>');
});

test('blankStrings blanks string contents (line breaks kept) the same in one-byte and wide texts', () => {
  const code = 'f("ab\\"c", \'d\ne\') + "" + g(\'unclosed';
  const want = 'f("     ", \' \n \') + "" + g(\'        ';
  assert.equal(blankStrings(code, '\'"'), want);
  assert.equal(blankStrings(code.replace('ab', `a${WIDE}`), '\'"'), want);
  assert.equal(blankStrings(`${WIDE}${code}`, '\'"'), `${WIDE}${want}`);
  assert.equal(blankStrings('a "b" \'c\'', '"'), 'a " " \'c\'');
  assert.equal(blankStrings('no strings here', '\'"'), 'no strings here');
});

test('the byte copy and the joined slices agree on random texts', () => {
  const next = prng(11);
  // `x` means nothing to any lexer: made wide, it sends the same text down the other path
  const alphabet = ['x', 'a', ' ', '\n', '"', "'", '`', '/', '*', '#', '\\', '<?php ', '?>', '<%', '%>', '<script language="php">', '</script>', '\xe9'];
  for (let t = 0; t < 3000; t++) {
    const s = randomText(next, alphabet, 60);
    const w = s.replace(/x/g, WIDE);
    for (const spec of [PHP_LEX, ASP, CLIKE_LEX, { ...CLIKE_LEX, regions: [['<%', '%>'] as [string, string]] }]) {
      const narrow = stripComments(s, spec);
      assert.equal(stripComments(w, spec), narrow.replace(/x/g, WIDE), JSON.stringify(s));
      assert.equal(blankStrings(w, '\'"'), blankStrings(s, '\'"').replace(/x/g, WIDE), JSON.stringify(s));
    }
  }
});

/** The reference: per line, every quote before the line's last `<?` or `<%`. */
function quotesByWalk(code: string): number[] {
  const out: number[] = [];
  let start = 0;
  for (const line of code.split('\n')) {
    const last = Math.max(line.lastIndexOf('<?'), line.lastIndexOf('<%'));
    for (let i = 0; i < last; i++) if (line[i] === '"' || line[i] === "'") out.push(start + i);
    start += line.length + 1;
  }
  return out;
}

test('quotesBeforeMarkers gives every quote before the last marker of its line, in order', () => {
  assert.deepEqual(quotesBeforeMarkers('a = "x<?php" . \'<%\'\nb = "q"\n"\'<?='), [4, 11, 15, 28, 29]);
  assert.deepEqual(quotesBeforeMarkers('"no marker" \'here\''), []);
  assert.deepEqual(quotesBeforeMarkers('<% "after" %>'), []);
  const next = prng(5);
  for (let t = 0; t < 3000; t++) {
    const s = randomText(next, ['a', ' ', '\n', '"', "'", '<', '<?', '<%', '?', '%'], 50);
    assert.deepEqual(quotesBeforeMarkers(s), quotesByWalk(s), JSON.stringify(s));
  }
});

test('a chr() run is found wherever its first chr stands, in any case', () => {
  const run = (prefix: string) => `<%\n${prefix}x = CHR(101) & chr(118) & Chr(97) & ChrW(108) & chrb(40) & Chr(&H41) & Chr(65) & Chr(66) & Chr(41) & ""\nResponse.Write x\n%>`;
  assert.ok(reasons(findingOf('a.asp', run(''))).includes('string built from character codes'));
  // earlier `chr` words that open no run do not hide the run after them
  assert.ok(reasons(findingOf('b.asp', run('y = Chr(1)\nzchr(2) & chr(3)\n'))).includes('string built from character codes'));
  assert.ok(!reasons(findingOf('c.asp', '<%\nx = Chr(101) & Chr(118)\n%>')).includes('string built from character codes'));
});

test('the reGeorg rule still reads its commands once the page has CONNECT or FORWARD', () => {
  const php = `<?php
$cmd = $_SERVER['HTTP_X_CMD'];
if ($cmd == "CONNECT") { $s = fsockopen($_SERVER['HTTP_X_TARGET'], 80); }
elseif ($cmd == "READ") { echo fread($s, 512); }
?>`;
  assert.ok(reasons(findingOf('t.php', php)).some((r) => r.includes('reGeorg')));
  assert.ok(!reasons(findingOf('u.php', php.replace('"CONNECT"', '"connect"'))).some((r) => r.includes('reGeorg')));
});

test('dotNameStarts gives the dots before blanks and a name, in any case, where the ASP patterns can match', () => {
  const code = 'fso.GetFile(p) : x.  OPEN "GET" : y.\u00a0Open(a) : z.opener : .\tDeleteFolder q : a.b';
  assert.deepEqual(dotNameStarts(code, code.toLowerCase(), ['getfile', 'deletefolder']), [3, 58]);
  // (`.opener` too: the pattern's own \b rules it out)
  assert.deepEqual(dotNameStarts(code, code.toLowerCase(), ['open']), [18, 35, 48]);
  // a character that grows when lower-cased: the offsets would not be the code's
  assert.equal(dotNameStarts('\u0130.open', '\u0130.open'.toLowerCase(), ['open']), null);
});
