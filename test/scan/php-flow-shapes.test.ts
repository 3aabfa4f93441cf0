/**
 * The PHP token data flow after its tokens became one class and its sink and statement loops
 * were split into one function per kind (for V8's sake, not for behaviour): exact tokens,
 * with `vars` only on interpolating strings, and every kind of sink still reported as before,
 * including the first token of a text being a call and snippets where the kinds mix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tok, tokenizePhp } from '../../src/scan/analyzers/php/tokens.js';
import { Flow } from '../../src/scan/analyzers/php/dataflow.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import type { AnalyzerContext } from '../../src/scan/context.js';

function flowReasons(php: string): string[] {
  const ctx: AnalyzerContext = { text: php, code: php, lower: php.toLowerCase(), ev: new EvidenceCollector(php, 'php', 0), layers: [], size: php.length };
  new Flow(ctx, tokenizePhp(php)).run();
  return [...ctx.ev.list().map((e) => e.reason), ...ctx.layers.map((l) => `layer: ${l.how}`)];
}

test('php tokens: one class, vars only on strings that interpolate, exact kinds, values and offsets', () => {
  const toks = tokenizePhp("<?php $a = \"x$b{$c}\"; `ls $d`; 'q\\'r'; 0x1F; \\Foo\\bar(); <<<E\nh$e\nE;\n?>t<?= $f ?>");
  for (const t of toks) assert.ok(t instanceof Tok);
  assert.deepEqual(
    toks.map((t) => [t.k, t.v, t.at, t.vars]),
    [
      ['var', 'a', 6, undefined],
      ['op', '=', 9, undefined],
      ['str', 'x$b{$c}', 11, ['b', 'c']],
      ['op', ';', 20, undefined],
      ['bt', 'ls $d', 22, ['d']],
      ['op', ';', 29, undefined],
      ['str', "q'r", 31, undefined],
      ['op', ';', 37, undefined],
      ['num', '0x1F', 39, undefined],
      ['op', ';', 43, undefined],
      ['id', 'bar', 45, undefined],
      ['op', '(', 53, undefined],
      ['op', ')', 54, undefined],
      ['op', ';', 55, undefined],
      ['str', 'h$e', 57, ['e']],
      ['op', ';', 67, undefined],
      ['op', ';', 69, undefined],
      ['var', 'f', 76, undefined],
      ['op', ';', 79, undefined],
    ],
  );
});

test('php flow sinks: each kind of sink, alone and mixed in one script', () => {
  assert.deepEqual(flowReasons('<?php $p = $_GET["p"]; include $p;'), ['data flow: request chooses the file include runs']);
  // a string with a fixed head is a fixed folder and name pattern
  assert.deepEqual(flowReasons('<?php $p = $_GET["p"]; include "l10n_$p.php";'), []);
  assert.deepEqual(flowReasons('<?php $c = $_POST["c"]; new $c($_GET["a"]);'), ['data flow: request chooses the class the page instantiates and its arguments']);
  assert.deepEqual(flowReasons('<?php $f = $_GET["f"]; $f($_GET["a"]);'), ['data flow: request chooses the function the page calls and its arguments']);
  assert.deepEqual(flowReasons('<?php $c = $_GET["c"]; echo `$c`;'), ['data flow: request input reaches a backtick shell command']);
  assert.deepEqual(flowReasons('<?php $c = $_GET["c"]; preg_replace("/x/e", $c, "x");'), ['data flow: request input reaches preg_replace() with the /e (evaluate) modifier']);
  assert.deepEqual(flowReasons('<?php $n = $_GET["n"]; $r = new ReflectionFunction($n);'), ['data flow: request chooses a function called through reflection']);
  assert.deepEqual(flowReasons('<?php array_map($_GET["f"], $_GET["a"]);'), ['data flow: request chooses the callback array_map() runs and its arguments']);
  assert.deepEqual(flowReasons("<?php $f = 'sys' . 'tem'; $f($_POST['c']);"), ['data flow: request input reaches system() called through a variable']);
  assert.deepEqual(flowReasons("<?php Closure::fromCallable('system')->__invoke($_GET['c']);"), ['data flow: request input reaches system() through Closure::fromCallable()']);
  // a call as the very first token (a decoded payload): nothing before it to read
  assert.deepEqual(flowReasons('system($_GET["c"]);'), ['data flow: request input reaches system()']);
  // a method named like a sink is not the sink
  assert.deepEqual(flowReasons('<?php $o->system($_GET["c"]);'), []);
  assert.deepEqual(flowReasons('<?php $p = $_GET["p"]; include $p; $c = $_POST["c"]; new $c(); echo `$c`; $f = $_GET["f"]; $f(); system($_GET["x"]);'), [
    'data flow: request input reaches a backtick shell command',
    'data flow: request input reaches system()',
    'data flow: request chooses the file include runs',
    'data flow: request chooses the function the page calls',
    'data flow: request chooses the class the page instantiates',
  ]);
});

test('php flow statements: globals, foreach targets, returns and by-reference outputs still carry taint', () => {
  assert.deepEqual(flowReasons('<?php function r() { global $q; system($q); } $q = $_GET["q"]; r();'), ['data flow: request input reaches system()']);
  assert.deepEqual(flowReasons('<?php foreach ($_POST as $k => $v) { system($v); }'), ['data flow: request input reaches system()']);
  assert.deepEqual(flowReasons('<?php function g() { return $_GET["c"]; } system(g());'), ['data flow: request input reaches system()']);
  assert.deepEqual(flowReasons('<?php parse_str($_SERVER["QUERY_STRING"], $o); system($o["c"]);'), ['data flow: request input reaches system()']);
  assert.deepEqual(flowReasons('<?php [$a, $b] = $_POST["x"]; system($b);'), ['data flow: request input reaches system()']);
});
