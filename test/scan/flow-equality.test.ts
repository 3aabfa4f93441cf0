/**
 * The taint engine's faster paths (guards read only once a name could be tainted, rounds that
 * cannot taint anything skipped) give the answers of the engine before them, kept in
 * flow-reference.ts: on hand-written pages with guards, chains and sanitizers, and on pages
 * generated from fragments of every language's shapes. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Taint, type FlowSpec } from '../../src/scan/flow.js';
import { RefTaint } from './flow-reference.js';
import { PHP_FLOW } from '../../src/scan/analyzers/php/signatures.js';
import { ASP_FLOW } from '../../src/scan/analyzers/asp.js';
import { JAVA_FLOW } from '../../src/scan/analyzers/java.js';
import { CFML_FLOW } from '../../src/scan/analyzers/cfml.js';
import { sessionReads } from '../../src/scan/analyzers/asp-sources.js';
import { prng } from '../helpers/prng.js';

/** The seeded generator of the test helpers: the same pages on every run. */
const rng = prng;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const PHP_PARTS = [
  "V = $_GET['x'];",
  "V = $_POST['c'] ?? '';",
  'V = W;',
  "V = W . '.php';",
  "V = 'pages/' . W . '.txt';",
  'V = trim(W);',
  "V = (int)$_GET['n'];",
  "V = md5($_COOKIE['s']);",
  'V = intval(W) + 1;',
  'V .= W;',
  "V[0] = $_REQUEST['k'];",
  'V = "text W here";',
  "V = 'literal';",
  "if (!in_array(V, ['trim', 'ucfirst'], true)) exit;",
  "if (!in_array(V, array('a', 'b'))) { die('no'); }",
  "if (!preg_match('/^[a-z0-9_-]+$/', V)) V = '404';",
  "if (preg_match('/[^a-z0-9]/', V)) die();",
  'if (!ctype_alnum(V)) exit;',
  'if (!is_numeric(V)) { return; }',
  'system(V);',
  'echo V;',
  'foreach (W as V) { echo V; }',
  "V = getenv('HTTP_X');",
  "V = $_SERVER['QUERY_STRING'];",
  '\n',
];
const PHP_NAMES = ['$a', '$b', '$cmd', '$f', '$p', '$x1', '$page'];

const ASP_PARTS = [
  'V = Request("x")',
  'V = Request.Form("c")',
  'V = W',
  'V = W & ".asp"',
  'Set V = Server.CreateObject("WScript.Shell")',
  'V = Session("k")',
  'V = Trim(W)',
  'V = "literal"',
  'V = CInt(Request.QueryString("n"))',
  'If V = "" Then V = W',
  'Response.Write V',
  'V(0) = Request("a")',
  'V = Request.ServerVariables("HTTP_USER_AGENT")',
];
const ASP_NAMES = ['a', 'B', 'cmd', 'Cmd', 'f', 'strPath', 'x1'];

const JAVA_PARTS = [
  'String V = request.getParameter("a");',
  'String V = W + "x";',
  'int V = Integer.parseInt(request.getParameter("n"));',
  'V = W;',
  'String V = "lit";',
  'if (V == null || !V.matches("[A-Za-z0-9_-]{1,40}")) { response.sendError(400); return; }',
  'Runtime.getRuntime().exec(V);',
  'String[] V = request.getParameterValues("v");',
];
const JAVA_NAMES = ['a', 'b', 'cmd', 'name', 'p'];

const CFML_PARTS = ['<cfset V = url.x>', '<cfset V = form.c & W>', '<cfset V = W>', '<cfset V = "lit">', '<cfexecute name="#V#">', '<cfscript>V = W;</cfscript>'];
const CFML_NAMES = ['a', 'b', 'cmd', 'x'];

function page(r: () => number, parts: readonly string[], names: readonly string[], sep: string): string {
  const n = 2 + Math.floor(r() * 12);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = pick(r, names);
    const w = pick(r, names);
    // (a function replacer: names hold `$`, which a replacement string reads as a pattern)
    out.push(pick(r, parts).replace(/\b[VW]\b/g, (x) => (x === 'V' ? v : w)));
  }
  return out.join(pick(r, [sep, ' ', sep + sep]));
}

const sorted = (s: ReadonlySet<string> | undefined): string[] | undefined => (s === undefined ? undefined : [...s].sort());

/** Both engines over `code`: every answer the same, before and after more names are tainted from outside. */
function same(code: string, spec: FlowSpec, exprs: readonly string[], extra: readonly string[]): void {
  // (each its own copy of the source pattern: a global one carries its lastIndex from call to call)
  const a = new Taint(code, { ...spec, source: new RegExp(spec.source) });
  const b = new RefTaint(code, { ...spec, source: new RegExp(spec.source) });
  const where = `${JSON.stringify(code)}`;
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(sorted(a.vars), sorted(b.vars), `vars ${where}`);
    assert.deepEqual(sorted(a.direct), sorted(b.direct), `direct ${where}`);
    assert.deepEqual(sorted(a.confined), sorted(b.confined), `confined ${where}`);
    assert.deepEqual([...a.assignments], [...b.assignments], `assignments ${where}`);
    for (const e of exprs) {
      assert.equal(a.touches(e), b.touches(e), `touches ${e} ${where}`);
      assert.equal(a.touches(e, true), b.touches(e, true), `touches forPath ${e} ${where}`);
      assert.equal(a.touchesDirectly(e), b.touchesDirectly(e), `touchesDirectly ${e} ${where}`);
      assert.equal(a.hasSource(e), b.hasSource(e), `hasSource ${e} ${where}`);
      assert.equal(a.taintedVarIn(e), b.taintedVarIn(e), `taintedVarIn ${e} ${where}`);
    }
    // names tainted from outside (a loop over the request, an import), then carried on
    for (const v of extra) {
      a.vars.add(v);
      b.vars.add(v);
    }
    a.propagate();
    b.propagate();
  }
}

test('hand-written pages: guards, chains and sanitizers answer as before', () => {
  const php = [
    "<?php $f = $_GET['f']; if (!in_array($f, ['trim', 'ucfirst'], true)) exit; echo $f($_GET['s']);",
    "<?php $p = $_GET['p']; if (!preg_match('/^[a-z0-9_-]+$/', $p)) $p = '404'; include 'pages/' . $p . '.php'; system($p);",
    "<?php $n = (int)$_GET['n']; $m = $n + 1; $h = md5($_COOKIE['s']); $c = $_POST['c']; $d = $c; $e = $d; $g = $e; system($g);",
    "<?php $a = 'x'; $b = $a; echo $b;",
    '<?php',
    '',
    "<?php $x = $y; $y = $z; $z = $_GET['q']; eval($x);",
  ];
  const exprs = ["$_GET['x']", '$f', '$p', "'pages/' . $p", '$g . $h', '(int)$c', '$m', '$x', 'trim($d)', '"$e"', '$b'];
  for (const code of php) same(code, PHP_FLOW, exprs, ['$y', '$q']);
  const asp = ['x = Request("a")\ny = x\nz = Y & "1"\nExecute z', 'Cmd = Request.Form("c")\nSet o = Server.CreateObject("x")\no.Run cmd', 'a = "lit"'];
  for (const code of asp) same(code, ASP_FLOW, ['x', 'Y', 'z', 'CMD', 'Request("q")', 'a & b'], ['a']);
  same('k = Session("key")\nr = k', { ...ASP_FLOW, moreSources: sessionReads(new Set(['KEY'])) }, ['k', 'r', 'Session("key")'], []);
  const java = [
    'String name = request.getParameter("n");\nif (name == null || !name.matches("[A-Za-z0-9_-]{1,40}")) { response.sendError(400); return; }\nString p = "/data/" + name;\nRuntime.getRuntime().exec(name);',
  ];
  for (const code of java) same(code, JAVA_FLOW, ['name', 'p', '"/x/" + name', 'Integer.parseInt(name)'], ['q']);
});

test('generated pages of every language answer as before', () => {
  const r = rng(20261207);
  const globalPhp: FlowSpec = { ...PHP_FLOW, source: /\$_(?:GET|POST)\b/g };
  const kinds: Array<[FlowSpec, readonly string[], readonly string[], string]> = [
    [PHP_FLOW, PHP_PARTS, PHP_NAMES, '\n'],
    [globalPhp, PHP_PARTS, PHP_NAMES, '\n'],
    [ASP_FLOW, ASP_PARTS, ASP_NAMES, '\n'],
    [{ ...ASP_FLOW, moreSources: sessionReads(new Set(['k', 'X'])) }, ASP_PARTS, ASP_NAMES, '\r\n'],
    [JAVA_FLOW, JAVA_PARTS, JAVA_NAMES, '\n'],
    [CFML_FLOW, CFML_PARTS, CFML_NAMES, '\n'],
  ];
  let pages = 0;
  for (const [spec, parts, names, sep] of kinds)
    for (let i = 0; i < 400; i++) {
      const code = (spec === PHP_FLOW || spec === globalPhp ? '<?php\n' : '') + page(r, parts, names, sep);
      const exprs = [...names, ...names.map((n) => `${n} . ${pick(r, names)}`), `trim(${pick(r, names)})`, `"/x/" + ${pick(r, names)}`, page(r, parts, names, ' ')];
      same(code, spec, exprs, [pick(r, names)]);
      pages++;
    }
  assert.equal(pages, 2400);
});
