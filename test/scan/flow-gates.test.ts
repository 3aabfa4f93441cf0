/**
 * Gates that skip a whole pass when the text lacks what the pass needs (the PHP token data
 * flow, ASP Execute/Eval sinks, start-anchored language cues): each must answer exactly as the
 * pass would. Every trigger the gates know is shown opening it (in each spelling the pass
 * reads), and snippets the pass reports on are checked never to be skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizePhp } from '../../src/scan/analyzers/php/tokens.js';
import { flowCanReport } from '../../src/scan/analyzers/php/dataflow-gate.js';
import { Flow } from '../../src/scan/analyzers/php/dataflow.js';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import type { AnalyzerContext } from '../../src/scan/context.js';
import { detectLanguage, startAnchored } from '../../src/scan/language.js';
import { findingOf, reasons } from './helpers.js';

const gate = (php: string): boolean => flowCanReport(tokenizePhp(php));

/** What the data flow pass reports on `php` when it runs unconditionally: evidence reasons and layer descriptions. */
function flowOutput(php: string): string[] {
  const ctx: AnalyzerContext = { text: php, code: php, lower: php.toLowerCase(), ev: new EvidenceCollector(php, 'php', 0), layers: [], size: php.length };
  new Flow(ctx, tokenizePhp(php)).run();
  return [...ctx.ev.list().map((e) => e.reason), ...ctx.layers.map((l) => `layer: ${l.how}`)];
}

test('php flow gate: pages without a request source, a character-making step or a sink reported without taint are skipped', () => {
  const plain = [
    '<?php\nfunction add($a, $b) { return $a + $b; }\necho add(1, 2);\n',
    "<?php\nrequire_once __DIR__ . '/wp-load.php';\n$posts = array_map('intval', $ids);\nusort($posts, 'cmp');\ninclude $file;\n",
    "<?php\nclass A { public function run($x) { return strtolower(trim($x)); } }\n$a = new A();\necho $a->run('Hello');\n",
    '<html><body><?php echo htmlspecialchars($title); ?></body></html>',
  ];
  for (const p of plain) {
    assert.equal(gate(p), false, p);
    assert.deepEqual(flowOutput(p), [], p);
  }
});

test('php flow gate: every taint seed opens it with a sink that reports taint, in each spelling the flow reads', () => {
  const seeds = [
    '<?php echo $_GET["a"];',
    '<?php echo $_POST["a"];',
    '<?php echo $_REQUEST["a"];',
    '<?php echo $_COOKIE["a"];',
    '<?php echo $_FILES["a"];',
    '<?php echo $HTTP_GET_VARS["a"];',
    '<?php echo $HTTP_RAW_POST_DATA;',
    "<?php echo $_SERVER['HTTP_X'];",
    "<?php echo $GLOBALS['_GET']['a'];",
    '<?php echo "x{$_GET[\'a\']}";',
    '<?php echo "x$_POST[a]";',
    '<?php $v = "_GET"; echo $$v;',
    "<?php echo ${'_G' . 'ET'}['a'];",
    '<?php $h = getallheaders();',
    '<?php $h = apache_request_headers();',
    "<?php $h = getenv('HTTP_X');",
    "<?php $f = 'php://input';",
    '<?php $f = "php\\x3a//input";',
    "<?php $f = 'php' . chr(58) . '//input';",
    "<?php $f = base64_decode('cGhwOi8vaW5wdXQ=');",
    "<?php $f = hex2bin('7068703a2f2f696e707574');",
    "<?php $f = urldecode('php%3A//input');",
    "<?php $f = rawurldecode('php%3A//input');",
    '<?php $f = gzinflate($z);',
    '<?php $f = gzuncompress($z);',
    '<?php $f = gzdecode($z);',
    "<?php $f = ~'abc';",
    "<?php $f = 'abc' ^ 'def';",
  ];
  for (const s of seeds) {
    // a seed the page never hands to a sink reports nothing
    assert.equal(gate(s), false, s);
    assert.deepEqual(flowOutput(s), [], s);
    assert.equal(gate(`${s}\nsystem($x);`), true, s);
  }
  // a backtick command is both a sink and, interpolating a superglobal, a seed
  assert.equal(gate('<?php echo `ls $_GET[a]`;'), true);
});

test('php flow gate: each sink that reports taint opens it after a seed, and not without one', () => {
  const sinks = [
    'system($x);',
    'exec($x);',
    '\\shell_exec($x);',
    'pcntl_exec($x);',
    'preg_replace($p, $x, $s);',
    'array_map($x, $a);',
    'call_user_func($x);',
    'usort($a, $x);',
    '$r = new ReflectionFunction($x);',
    '$r->invoke($x);',
    '$r->invokeArgs([$x]);',
    "Closure::fromCallable('system')->__invoke($x);",
    'include $x;',
    'require_once($x);',
    '$o = new $x;',
    'echo `ls $y`;',
  ];
  for (const s of sinks) {
    assert.equal(gate(`<?php $x = $_GET['a']; ${s}`), true, s);
    assert.equal(gate(`<?php $x = $y; ${s}`), false, s);
  }
  // not sinks the flow reads: methods of the same names, declarations, choosers in an application-sized script
  const padding = 'echo 1;\n'.repeat(600);
  const others = [
    "<?php $x = $_GET['a']; $db->exec($x);",
    "<?php $x = $_GET['a']; $o?->system($x);",
    "<?php $x = $_GET['a']; C::passthru($x);",
    "<?php $x = $_GET['a']; function array_map($x) { return 1; }",
    "<?php $x = $_GET['a']; $q = new ReflectionClass($x);",
    `<?php $x = $_GET['a']; include $x;\n${padding}`,
    `<?php $x = $_GET['a']; $o = new $x;\n${padding}`,
  ];
  for (const p of others) {
    assert.equal(gate(p), false, p);
    assert.deepEqual(flowOutput(p), [], p);
  }
});

test('php flow gate: sinks reported without taint, and computed callees, open it', () => {
  const sinks = [
    "<?php eval('echo 1;');",
    "<?php \\eval('echo 1;');",
    "<?php ASSERT('echo 1;');",
    "<?php create_function('', 'echo 1;');",
    "<?php session_set_save_handler('a', 'b');",
    "<?php $ffi = FFI::cdef('int system(const char *c);');",
    "<?php $s->fetchAll(PDO::FETCH_FUNC, 'f');",
    "<?php $f('x');",
    "<?php $a['k']('x');",
    "<?php $s{0}('x');",
    "<?php ('str' . 'rev')('x');",
    "<?php 'strrev'('x');",
    "<?php f()('x');",
  ];
  for (const s of sinks) assert.equal(gate(s), true, s);
});

test('php flow gate: never skips a page the flow reports on', () => {
  const shells = [
    "<?php $c = $_GET['c']; eval($c);",
    "<?php $f = 'ass' . 'ert'; $f('echo \"hello world\";');",
    '<?php eval(str_rot13(\'rpub "uryyb jbeyq";\'));',
    "<?php $u = 'php:/' . '/input'; include $u;",
    "<?php $n = strrev('TEG_'); $x = $$n['c']; system($x);",
    "<?php session_set_save_handler('assert', 'assert', 'assert', 'assert', 'assert', 'assert');",
    "<?php $s->fetchAll(PDO::FETCH_FUNC, 'assert');",
    "<?php $ffi = FFI::cdef('int system(const char *c);'); $ffi->system('id');",
    "<?php $p = getenv('HTTP_CMD'); passthru($p);",
    "<?php function g() { return $_POST['z']; } $v = g(); exec($v);",
    "<?php $k = base64_decode('cGhwOi8vaW5wdXQ='); eval(file_get_contents($k));",
    "<?php include $_GET['p'];",
    "<?php $c = $_POST['c']; echo `$c`;",
    "<?php $f = $_GET['f']; $o = new $f();",
    "<?php array_map('system', $_POST['a']);",
    "<?php $r = new ReflectionFunction('system'); $r->invoke($_GET['c']);",
    "<?php preg_replace('/x/e', $_REQUEST['c'], 'x');",
    // the request body's name made by a decoder called through a computed name: no other seed
    "<?php $d = 'base' . '64_decode'; $u = $d('cGhwOi8vaW5wdXQ='); eval(file_get_contents($u));",
  ];
  for (const s of shells) {
    const out = flowOutput(s);
    assert.ok(out.length > 0, `${s} should be reported by the flow: the test needs a page it reports on`);
    assert.equal(gate(s), true, `${s}: ${JSON.stringify(out)}`);
  }
});

test('asp Execute/Eval sinks: skipped without the words, still found in any letter case', () => {
  assert.ok(reasons(findingOf('a.asp', '<%\nEXECUTE Request("c")\n%>')).includes('request input reaches EXECUTE'));
  assert.ok(reasons(findingOf('b.asp', '<%\neVaL(Request.Form("c"))\n%>')).includes('request input reaches eVaL'));
  assert.ok(reasons(findingOf('c.asp', '<%\nx = Request("c")\nExecuteGlobal x\n%>')).includes('request-derived variable reaches ExecuteGlobal'));
  assert.equal(findingOf('d.asp', '<%\nx = Request("c")\nResponse.Write x\n%>'), undefined);
});

test('language cues: start-anchored cues are tried at the start only, with the same answers', () => {
  assert.equal(startAnchored(/^#!\s*\S*perl/), true);
  assert.equal(startAnchored(/^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]{0,2000}?-->\s*)*<(?:beans|web-app)\b/), true);
  assert.equal(startAnchored(/^a|b/), false);
  assert.equal(startAnchored(/^\(|b/), false);
  assert.equal(startAnchored(/^[|(]b/), true);
  assert.equal(startAnchored(/^a/m), false);
  assert.equal(startAnchored(/a^/), false);
  assert.deepEqual(detectLanguage('#!/usr/bin/perl\nprint "hi";\n', ''), { language: 'perl', confidence: 12 });
  assert.deepEqual(detectLanguage('#!/usr/bin/python3\nprint(1)\n', ''), { language: 'python', confidence: 12 });
  assert.deepEqual(detectLanguage('#!/bin/bash\necho hi\n', ''), { language: 'shell', confidence: 12 });
  // not at the start: the shebang cue does not count
  assert.deepEqual(detectLanguage('x\n#!/usr/bin/perl\n', ''), { language: 'unknown', confidence: 0 });
  assert.deepEqual(detectLanguage('  \n<?xml version="1.0"?>\n<!-- c -->\n<beans>\n</beans>\n', 'xml'), { language: 'xml', confidence: 11 });
  assert.equal(detectLanguage('<a/>\n<beans>\n</beans>\n', 'xml').language, 'unknown');
});

test('xml cue: a comment ends at its first -->, so a head of many comments is read in one pass', { timeout: 20000 }, () => {
  // 60 comments before a JSP page's code: the cue fails at `<%`; with comments that could run on to
  // a later `-->` there were 2^60 ways to fail (the scan hit its time cap and skipped the file)
  const page = `${'<!-- c -->\n'.repeat(60)}<% Runtime.getRuntime().exec(request.getParameter("c")); %>`;
  assert.equal(detectLanguage(page, 'jsp').language, 'jsp');
  assert.equal(findingOf('c.jsp', page)?.verdict, 'malicious');
  // the same comments before a Spring descriptor: still one
  assert.deepEqual(detectLanguage(`${'<!-- c -->\n'.repeat(60)}<beans>\n</beans>\n`, 'xml'), { language: 'xml', confidence: 11 });
  // a comment ends at its first -->: what follows must be the next comment or the element
  assert.equal(detectLanguage('<!-- a --> b --> <beans></beans>', 'xml').language, 'unknown');
  assert.deepEqual(detectLanguage('<!-- a - b -- c ---><beans></beans>', 'xml'), { language: 'xml', confidence: 11 });
});

test('asp regions: `<script` and `</script>` are found in any ASCII letter case, and only there', async () => {
  const { stripComments, VB_LEX } = await import('../../src/scan/lexer.js');
  const spec = { ...VB_LEX, regions: [['<%', '%>'] as [string, string], ['<script', '</script>'] as [string, string]] };
  // `<ſcript` (a long s folds to S only with the u flag) and `< script` open no region
  const page = '<p>a</p><SCRIPT runat=server>x = 1</ScRiPt><p>b</p><\u017Fcript>y = 2</script>< script>z</script><%w%>';
  // (the output of the case-blind regex search this replaced)
  assert.equal(stripComments(page, spec), `<p>a<     CRIPT runat=server>x = 1</ScR${' '.repeat(50)}pt><%w%>`);
});
