/**
 * The PHP analyzer's shortcuts (issue #15) must find exactly what the forms they replace found:
 * code-unit tests in the tokenizer instead of regex calls, one backslash search per text
 * instead of one per string, a walk over `$_` instead of a regex at every offset, the
 * data-flow size gate's sink test without its leading lookbehind, a function definition looked up once per name, the upload-check pruning
 * worked out only when an upload is stored. Each is checked against the old form on seeded
 * random strings over the characters that matter to it, or on small files with exact results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizePhp } from '../../src/scan/analyzers/php/tokens.js';
import { underscoreCall } from '../../src/scan/analyzers/php/obfuscation.js';
import { sinkCall } from '../../src/scan/analyzers/php/dataflow.js';
import { prng } from '../helpers/prng.js';
import { findingOf, reasons } from './helpers.js';
import { Taint } from '../../src/scan/flow.js';
import { PHP_FLOW } from '../../src/scan/analyzers/php/signatures.js';
import { phpAssignStarts } from '../../src/scan/analyzers/php/assign-starts.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = 1 + Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

const toks = (t: string): string[] => tokenizePhp(t).map((k) => `${k.k}:${k.v}${k.vars?.length ? `[${k.vars.join(',')}]` : ''}`);

test('php tokens: spaces of every kind the regex class knew, names with non-ASCII letters, numbers, qualified names', () => {
  // a run of spaces opened by an ASCII one takes NBSP, LINE SEPARATOR and the BOM with it
  assert.deepEqual(toks('<?php $a \u00a0\u2028\ufeff= 1;\n\u00a0$b;'), ['var:a', 'op:=', 'num:1', 'op:;', 'var:b', 'op:;']);
  // on its own a character past ASCII is a name character (PHP reads bytes 0x80-0xff so), NBSP included
  assert.deepEqual(toks('<?php $a =\u00a01; $\u00e9x = 0x1F.5e3; \\Foo\\Bar_2(); $_ = 7_000; $b\u00a0= 2;'), [
    'var:a',
    'op:=',
    'id:\u00a01',
    'op:;',
    'var:\u00e9x',
    'op:=',
    'num:0x1F.5e3',
    'op:;',
    'id:bar_2',
    'op:(',
    'op:)',
    'op:;',
    'var:_',
    'op:=',
    'num:7_000',
    'op:;',
    'var:b\u00a0',
    'op:=',
    'num:2',
    'op:;',
  ]);
  // `$` before something that is no name is an operator; a digit cannot start a name
  assert.deepEqual(toks('<?php $$b; $1; ${"c"}; "x$\u00e9t {$d}";'), [
    'op:$',
    'var:b',
    'op:;',
    'op:$',
    'num:1',
    'op:;',
    'op:$',
    'op:{',
    'str:c',
    'op:}',
    'op:;',
    'str:x$\u00e9t {$d}[\u00e9t,d]',
    'op:;',
  ]);
});

test('php tokens: single-quoted strings decode their escapes whether or not a backslash comes later in the file', () => {
  // many plain strings before the first backslash, one escaped string, plain strings after the last one
  const plain = "'a', ".repeat(200);
  const t = `<?php f(${plain}'it\\'s', 'c:\\\\d', ${plain}'z');`;
  const strs = tokenizePhp(t)
    .filter((k) => k.k === 'str')
    .map((k) => k.v);
  assert.equal(strs.length, 403);
  assert.deepEqual([strs[199], strs[200], strs[201], strs[202], strs[402]], ['a', "it's", 'c:\\d', 'a', 'z']);
  // a backslash that is not an escape stays, and an unterminated string runs to the end
  assert.deepEqual(toks("<?php $a = 'x\\y'; $b = 'open"), ['var:a', 'op:=', 'str:x\\y', 'op:;', 'var:b', 'op:=', 'str:open']);
});

test('php `$_(`-style calls found by walking `$_` are the ones the regex finds', () => {
  const next = prng(99);
  const alphabet = ['$', '_', '__', '______', ' ', '\u00a0', '\n', '(', 'GET', '[', '$_', 'x'];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 16);
    assert.equal(underscoreCall(s), /\$_{1,12}\s*\(/.test(s), JSON.stringify(s));
  }
  assert.equal(underscoreCall(`$${'_'.repeat(12)} (1)`), true);
  assert.equal(underscoreCall(`$${'_'.repeat(13)}(1)`), false);
});

test('php data-flow size gate: the sink test without the leading lookbehind answers as the lookbehind form did', () => {
  const old = /(?<![\w>:$])(?:eval|assert|create_function|system|exec|shell_exec|passthru|popen|proc_open|preg_replace)\s*\(/;
  const next = prng(4242);
  const alphabet = ['eval', 'exec', 'shell_', 'system', 'preg_replace', 'x', '_', '>', '-', ':', '$', ' ', '\n', '(', '\u00e9'];
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, alphabet, 12);
    assert.equal(sinkCall(s), old.test(s), JSON.stringify(s));
  }
});

test("php decoder-named callee: the decoder's definition is found however often the file assigns from the same helper", () => {
  const dec = `function unhex($s) { $o = ''; for ($i = 0; $i < strlen($s); $i += 2) { $o .= chr(hexdec(substr($s, $i, 2))); } return $o; }`;
  // the helper a page assigns from all the time (not a decoder) comes first, several times
  const lines = "$t = label('first title');\n$u = label('other title');\n$v = label('third title');\n";
  const code = `<?php\nfunction label($s) { return ucfirst($s); }\n${dec}\n${lines}$f = unhex('73797374656d');\n$f('id');\n`;
  const f = findingOf('h.php', code);
  assert.deepEqual([f?.verdict, reasons(f)], ['suspicious', ["function name produced by the file's own decoder unhex() and then called"]]);
});

test('php upload stores: the type-check pruning is worked out at the first store and holds for the ones after', () => {
  const up = `<?php\nmove_uploaded_file($_FILES['f']['tmp_name'], $_FILES['f']['name']);\ncopy($_FILES['g']['tmp_name'], $_FILES['g']['name']);\n`;
  assert.deepEqual(reasons(findingOf('up.php', up)), ['small script stores an upload under the client-chosen name with no type or extension check (uploader)']);
  // a checked extension: the weaker finding, for both stores
  const checked = `<?php\nif (pathinfo($_FILES['f']['name'], PATHINFO_EXTENSION) !== 'jpg') exit;\n${up.slice(6)}`;
  assert.deepEqual(reasons(findingOf('up2.php', checked)), [
    'move_uploaded_file() stores an upload under a name the client chose',
    'copy() stores an upload under a name the client chose',
  ]);
});

test('php register_globals: whether a variable is only reset is worked out once per name, for every sink and file operation that reads it', () => {
  // cleared, and saved and restored from its own backup: still the request's value, in all three commands
  const rg = `<?php\n$cmd = '';\nif ($go) { $bk = $cmd; $cmd = $bk; }\necho "<pre>";\nsystem($cmd);\npassthru($cmd);\nexec($cmd . $go);\n`;
  assert.deepEqual(reasons(findingOf('rg.php', rg)), [
    'system() runs a variable that is never assigned (register_globals request variable $cmd)',
    'runs OS commands (system, passthru, exec)',
  ]);
  // a default for the empty variable, and a path read by two file operations
  const rg2 = `<?php\nif (!$cmd) { $cmd = 'id'; }\nsystem($cmd . ' ' . $arg);\nunlink($target);\nrmdir($target);\n`;
  assert.deepEqual(reasons(findingOf('rg2.php', rg2)), [
    'system() runs a variable that is never assigned (register_globals request variable $cmd)',
    'file operations (unlink, rmdir) on paths from never-assigned register_globals request variables (file manager)',
    'runs OS commands (system)',
  ]);
});

test('php variable functions: a name assigned a plain function name is looked up once and holds for every call through it', () => {
  // `$fmt` is a fixed callback however often it is called; `$other` is chosen at runtime
  const code = `<?php\n$fmt = 'strtoupper';\necho $fmt($_GET['a']);\necho $fmt($_GET['b']);\n$other($_GET['c']);\n$other($_GET['d']);\n`;
  const f = findingOf('vf.php', code);
  assert.deepEqual([f?.verdict, reasons(f)], ['malicious', ['tiny script hands request input to a function whose name it computes at runtime (one-line loader)']]);
  assert.equal(f?.evidence[0]?.line, 5);
});

/** What a Taint read: assignments, tainted and directly tainted variables. */
const taintOf = (t: Taint): string => JSON.stringify([[...t.assignments], [...t.vars], [...t.direct]]);

const PHP_ALPHABET = ['$a', '$b1', '$_GET', "['x']", '[', ']', '[0]', ' ', '\n', '\t', '=', '==', '=>', '.=', '??=', '?', '.', ';', "'s'", '$', 'x', '$$c', '(', ')'];

test('php assignments read from the starts walked back from each `=` are the ones the global scan reads', () => {
  const next = prng(20261207);
  const globalSpec = { ...PHP_FLOW, assignStarts: undefined };
  for (let t = 0; t < 20000; t++) {
    const s = randomText(next, PHP_ALPHABET, 30);
    assert.equal(taintOf(new Taint(s, PHP_FLOW)), taintOf(new Taint(s, globalSpec)), JSON.stringify(s));
  }
  // a name of 41 characters starts nothing; groups of 60 characters do, 61 do not; every `[` in reach counts
  const long = `$${'n'.repeat(41)} = 1; $b[${'k'.repeat(60)}] = 2; $c[${'k'.repeat(61)}] = 3; $d[x[y] = 4; $e ['a'] [0] .= 5; $f ??= 6;`;
  assert.deepEqual(
    phpAssignStarts(long).map((i) => long.slice(i, i + 2)),
    ['$b', '$d', '$e', '$f'],
  );
  // brackets without end: the walk stays linear and the answer is the global scan's
  const hostile = `$a${'[x]'.repeat(20000)}=1;${'[=]'.repeat(20000)}`;
  assert.equal(taintOf(new Taint(hostile, PHP_FLOW)), taintOf(new Taint(hostile, globalSpec)));
});
