/**
 * The skips scanBytes takes from a file's bytes (prescreen.ts) must be the ones it takes from
 * the text: each byte test is compared with the text test it stands for, on hand-written
 * edge cases and on generated files made of the pieces those tests look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markerPossible, serverSideJsBytes, unreadSkip } from '../../src/scan/prescreen.js';
import { detectLanguage, isServerExtension, serverMarkerAt, serverSideJs } from '../../src/scan/language.js';
import { bytesToText } from '../../src/scan/text.js';
import { NEVER_CODE, scanBytes } from '../../src/scan/scan-bytes.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';

/** language.ts's SERVER_MARKERS, written out again: the byte matcher is checked against the regex. */
const MARKER_AT =
  /<\?(?:php|=|[ \t\r\n]+(?:\$|@?[a-z_]\w*\s*\())|<%[@=\s!]|runat\s*=\s*["']?server|<script\s+language\s*=\s*["']?php|<cf(?:set|execute|file|output|script|component|function)\b/iy;
const BINARY = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;

/** Whether some offset of `text` starts a marker followed by text: what markerPossible answers. */
function markerAnywhere(text: string): boolean {
  for (let s = 0; s < text.length; s++) {
    MARKER_AT.lastIndex = s;
    const m = MARKER_AT.exec(text);
    if (m && !BINARY.test(text.slice(s + m[0].length, s + m[0].length + 24))) return true;
  }
  return false;
}

/** scanBytes's decisions before analysis, on the text, as they were before prescreen.ts. */
function textDecision(buf: Buffer, ext: string): 'no-marker' | 'not-server-js' | 'read' {
  const text = bytesToText(buf);
  const serverExt = isServerExtension(ext);
  if (ext === 'xml') return 'read';
  if (!serverExt && serverMarkerAt(text) === -1) return 'no-marker';
  if (!serverExt) return 'read';
  let language = detectLanguage(text, NEVER_CODE.has(ext) ? '' : ext).language;
  if (language === 'unknown') {
    const at = serverMarkerAt(text);
    if (at > 0) language = detectLanguage(text.slice(at, at + 65536), ext).language;
  }
  return language === 'unknown' ? 'not-server-js' : 'read';
}

const PIECES = [
  '<?',
  '<?php',
  '<?PhP',
  '<?=',
  '<? ',
  '<?\t\n',
  '<?\x0b',
  ' ',
  '\t',
  '\r\n',
  '\n',
  '\x0b',
  '\x0c',
  '\xa0',
  '$',
  '@',
  'abc',
  'Z_9',
  'eval',
  '(',
  ')',
  '<%',
  '<%@',
  '<%=',
  '<%!',
  '<%\x0b',
  '<%\xa0',
  '<%x',
  'runat',
  'RunAt',
  'rUNAT',
  'run',
  '=',
  ' = ',
  '"',
  "'",
  'server',
  'SERVER',
  'serve',
  'serverx',
  '<script',
  '<SCRIPT',
  '<scrip',
  ' language',
  'LANGUAGE',
  'php',
  'PHP',
  '<cf',
  '<CF',
  'set',
  'setting',
  'output',
  'Component',
  'function',
  'fun',
  'file',
  'execute',
  'script',
  '\x00',
  '\x01',
  '\x08',
  '\x0e',
  '\x1f',
  '\x7f',
  '\x80',
  '\xff',
  'x',
  '_',
  '9',
  '<',
  '?',
  '%',
  'req',
  'request',
  'requ',
  '.',
  ' . ',
  'query',
  'body',
  'params',
  'headers',
  'url',
  'urls',
  'url_',
  'Function',
  'vm.',
  'child_process',
  'net.',
  "require('net')",
  'require("net")',
  '#!',
  '<%@ Page',
  '<jsp:',
  '<cfx',
  'Xreq',
  '0req',
  'a'.repeat(30),
];

/** A small deterministic generator (xorshift), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function generated(count: number, seed: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    let s = '';
    const parts = 1 + Math.floor(r() * 14);
    for (let k = 0; k < parts; k++) s += r() < 0.15 ? String.fromCharCode(Math.floor(r() * 256)) : PIECES[Math.floor(r() * PIECES.length)]!;
    out.push(Buffer.from(s, 'latin1'));
  }
  return out;
}

const EDGES = [
  '',
  '<',
  '<?',
  '<?=',
  '<?php',
  '<?ph',
  '<? $x',
  '<? \n  foo (',
  '<? @foo(',
  '<? @ foo(',
  '<? 9x(',
  '<?\xa0$x',
  '<%',
  '<%@',
  '<%\x0b',
  '<%\x0bx',
  '<%=\x00',
  `<%=${' '.repeat(23)}\x00`,
  `<%=${' '.repeat(24)}\x00`,
  'runat=server',
  'RUNAT \xa0=\t"SERVER',
  "runat='server",
  'runat="\'server',
  'runat = serve',
  '<script language=php',
  '<Script\nLanguage = "PHP"',
  '<scriptlanguage=php',
  '<script language=\'"php',
  '<cfset',
  '<cfsetting',
  '<CFSET_',
  '<cfset9',
  '<cfset-',
  '<cfcomponent>',
  '<cffunc',
  '\x00\x01<?=\x01',
  '\x00\x01<?=abc',
];

test('markerPossible: true exactly where some offset starts a marker followed by text; false means serverMarkerAt finds none', () => {
  const cases = [...EDGES.map((s) => Buffer.from(s, 'latin1')), ...generated(20000, 7)];
  for (const buf of cases) {
    const text = buf.toString('latin1');
    const possible = markerPossible(buf);
    assert.equal(possible, markerAnywhere(text), JSON.stringify(text));
    if (!possible) assert.equal(serverMarkerAt(text), -1, JSON.stringify(text));
  }
  // `runat` across the edge of the 64 KiB windows the regex reads
  for (let at = 65530; at <= 65540; at++) {
    const buf = Buffer.from(`${'x'.repeat(at)}runat=server;`, 'latin1');
    assert.equal(markerPossible(buf), true, String(at));
    assert.equal(markerPossible(Buffer.from(`${'x'.repeat(at)}runat=serve`, 'latin1')), false, String(at));
  }
});

test('serverSideJsBytes: the same answer as serverSideJs on the text', () => {
  const hand = [
    'Function req.query',
    'Function xreq.query',
    'Function _req.query',
    'Function request . body',
    'Function request\xa0.\nparams',
    'Function req.urls',
    'Function req.url_',
    'Function req.url',
    'Function requ.url',
    'net. req.headers(',
    "require('net') req.params",
    'eval req.bodyguard',
    'child_process',
    'req.query',
    'vm.req\t.\x0bquery',
  ];
  const cases = [...hand.map((s) => Buffer.from(s, 'latin1')), ...generated(20000, 11)];
  for (const buf of cases) assert.equal(serverSideJsBytes(buf), serverSideJs(buf.toString('latin1')), JSON.stringify(buf.toString('latin1')));
});

test('unreadSkip: a skip only where the text path skips the same way, for every kind of file', () => {
  const exts = ['txt', 'css', '', 'html', 'dat', 'js', 'mjs', 'cjs', 'php', 'xml', 'asp'];
  const r = rng(3);
  const bufs = [...EDGES.map((s) => Buffer.from(s, 'latin1')), ...generated(6000, 5)];
  // PHP and shebang openings, ahead of what follows, and UTF-16 pages
  bufs.push(Buffer.from('<?php echo 1; ?> Function req.query', 'latin1'), Buffer.from('#!/usr/bin/env node\nx', 'latin1'));
  bufs.push(Buffer.from([0xff, 0xfe, 0x3c, 0, 0x25, 0, 0x40, 0]), Buffer.from([0xfe, 0xff, 0, 0x3c, 0, 0x3f, 0, 0x3d]));
  let skipped = 0;
  for (const buf of bufs) {
    const ext = exts[Math.floor(r() * exts.length)]!;
    const got = unreadSkip(buf, ext, isServerExtension(ext));
    const want = textDecision(buf, ext);
    if (got !== undefined) {
      skipped++;
      assert.equal(got, want, `${ext} ${JSON.stringify(buf.toString('latin1'))}`);
    }
    // where the bytes leave no doubt they say so (not only the cases a marker look-alike keeps)
    if (want === 'no-marker' && !markerAnywhere(buf.toString('latin1')) && buf[0] !== 0xff && buf[0] !== 0xfe) assert.equal(got, 'no-marker');
  }
  assert.ok(skipped > 1000, String(skipped));
});

test('scanBytes: a file skipped from its bytes gets the outcome it got from its text', () => {
  const ctx = { limits: DEFAULT_LIMITS };
  const skip = (path: string, s: string) => scanBytes(path, Buffer.from(s, 'latin1'), ctx)[0];
  assert.deepEqual(skip('a/b.css', 'body { color: red }'), { path: 'a/b.css', bytes: 19, analyzed: false, skipped: 'not server-executable', problems: [], entry: false });
  assert.deepEqual(skip('a/b.dat', '\x00\x01<?=\x01'), { path: 'a/b.dat', bytes: 6, analyzed: false, skipped: 'no server-side code', problems: [], entry: false });
  assert.deepEqual(skip('a/README', 'plain'), { path: 'a/README', bytes: 5, analyzed: false, skipped: 'not server-executable', problems: [], entry: false });
  assert.deepEqual(skip('a/b.js', 'var x = document.body;'), { path: 'a/b.js', bytes: 22, analyzed: false, skipped: 'no server-side code recognised', problems: [], entry: false });
  // a marker keeps the file for the text path: a .txt page of PHP is analyzed
  assert.equal(skip('a/b.txt', '<?php system($_GET["c"]); ?>')?.analyzed, true);
  assert.equal(skip('a/b.js', "const cp = require('child_process'); cp.exec(req.query.c);")?.analyzed, true);
});
