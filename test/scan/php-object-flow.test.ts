/**
 * PHP data flow through objects that stand for a function or hold data: ReflectionFunction
 * objects (built directly or through ReflectionClass('ReflectionFunction')->newInstance) whose
 * invoke() gets request data, and SPL containers / ArrayObject filled with request data and
 * read back. Fixtures are written for this test and are inert text; each mechanism has benign
 * look-alikes with exact expected outcomes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf } from './helpers.js';
import { reasonId } from '../../src/scan/reason-id.js';

function outcome(name: string, code: string): { verdict: string; ids: string[] } {
  const f = findingOf(name, code);
  return { verdict: f?.verdict ?? 'clean', ids: f ? f.evidence.map((e) => reasonId(e.analyzer, e.reason)) : [] };
}

test('php flow: a reflected runner invoked with request data', () => {
  assert.deepEqual(outcome('r1.php', `<?php $rc = new ReflectionClass('Reflection' . 'Function'); $fn = $rc->newInstanceArgs(['sys' . 'tem']); $fn->invokeArgs([$_POST['c']]);`), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-input-reaches-system-through-reflection', 'obfuscation/function-name-system-assembled-from-pieces-or-escapes'],
  });
  assert.deepEqual(outcome('r2.php', `<?php $g = (new ReflectionClass("ReflectionFunction"))->newInstance("exec"); $g->invoke($_GET["c"], $o); print_r($o);`), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-input-reaches-exec-through-reflection'],
  });
  // a harmless reflected function, and a ReflectionClass of an ordinary container
  assert.deepEqual(outcome('rb1.php', `<?php $f = new ReflectionFunction('strtoupper'); echo $f->invoke($_GET['s'] ?? '');`), { verdict: 'clean', ids: [] });
  assert.deepEqual(outcome('rb2.php', `<?php $rc = new ReflectionClass('ArrayObject'); $o = $rc->newInstance($_POST); echo count($o);`), { verdict: 'clean', ids: [] });
});

test('php flow: request data stored in an SPL container or ArrayObject and read back', () => {
  assert.deepEqual(outcome('s1.php', `<?php $q = new SplQueue(); $q->enqueue(base64_decode($_POST['c'])); while (!$q->isEmpty()) { echo shell_exec($q->dequeue()); }`), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-input-reaches-shell_exec', 'flow/os-command-built-from-variables-in-a-script-that-reads-request-input', 'capability/runs-os-commands'],
  });
  assert.deepEqual(outcome('s2.php', `<?php $o = new ArrayObject($_REQUEST); foreach ($o as $k => $v) { if ($k === 'z') { $r = $v; } } echo passthru($r);`), {
    verdict: 'malicious',
    ids: [
      'flow/data-flow-request-input-reaches-passthru',
      'flow/request-derived-variable-reaches-passthru',
      'flow/os-command-built-from-variables-in-a-script-that-reads-request-input',
      'capability/runs-os-commands',
    ],
  });
  // a container of fixed commands next to request data: the pattern pass's weak hint only
  assert.deepEqual(
    outcome(
      'sb1.php',
      `<?php $q = new SplQueue(); $q->enqueue($_GET['page'] ?? '1'); echo htmlspecialchars($q->dequeue()); $l = new SplStack(); $l->push('uptime'); echo shell_exec($l->pop());`,
    ),
    { verdict: 'suspicious', ids: ['flow/os-command-built-from-variables-in-a-script-that-reads-request-input', 'capability/runs-os-commands'] },
  );
});

test('php flow: extract() / parse_str() of request data makes the unassigned variables request input', () => {
  assert.deepEqual(outcome('e1.php', `<?php $d = json_decode(file_get_contents('php://input'), true); extract($d); echo shell_exec($cmd);`), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-input-reaches-shell_exec', 'flow/os-command-built-from-variables-in-a-script-that-reads-request-input', 'capability/runs-os-commands'],
  });
  assert.deepEqual(outcome('e2.php', `<?php parse_str(base64_decode($_COOKIE['p'])); $f($a);`), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-chooses-the-function-the-page-calls-and-its-arguments'],
  });
  assert.deepEqual(outcome('e3.php', `<?php function run($in) { extract($in); return \`$c\`; } echo run($_REQUEST);`), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-input-reaches-a-backtick-shell-command', 'capability/backtick-shell-command-with-a-variable'],
  });
  // a variable the page assigns itself after the import, and imports of the page's own arrays
  assert.deepEqual(
    outcome('eb1.php', `<?php $d = json_decode(file_get_contents('php://input'), true); extract($d); $cmd = 'uptime'; echo shell_exec($cmd), htmlspecialchars($name ?? '');`),
    { verdict: 'suspicious', ids: ['flow/os-command-built-from-variables-in-a-script-that-reads-request-input', 'capability/runs-os-commands'] },
  );
  assert.deepEqual(
    outcome('eb2.php', `<?php $row = ['title' => 'Home', 'body' => 'Welcome']; extract($row); echo '<h1>', htmlspecialchars($title), '</h1>', htmlspecialchars($_GET['q'] ?? '');`),
    {
      verdict: 'clean',
      ids: [],
    },
  );
  assert.deepEqual(outcome('eb3.php', `<?php function view($vars) { extract($vars); include __DIR__ . '/tpl/page.php'; } view(['user' => $_GET['u'] ?? '']);`), {
    verdict: 'clean',
    ids: [],
  });
});

test('php flow: variables named through a table of fixed names (${${"GLOBALS"}["k"]}, $$n)', () => {
  const table = `<?php \${"GLOBALS"}["qx"] = "data"; \${"GLOBALS"}["zz"] = "val";
foreach ($_POST as $k => \${\${"GLOBALS"}["zz"]}) { \${\${"GLOBALS"}["qx"]} = \${\${"GLOBALS"}["zz"]}; }
$n = "data"; if (isset($k)) { eval(\${$n}); }`;
  assert.deepEqual(outcome('v1.php', table), {
    verdict: 'malicious',
    ids: ['flow/data-flow-request-input-reaches-eval', 'flow/tiny-script-evaluating-a-computed-value', 'capability/eval-of-dynamic-code'],
  });
  assert.deepEqual(outcome('v2.php', `<?php $a = 'cmd'; $$a = $_GET['c']; $b = 'cmd'; echo shell_exec($$b);`), {
    verdict: 'malicious',
    ids: [
      'flow/data-flow-request-input-reaches-shell_exec',
      'flow/request-parameters-imported-as-variables',
      'flow/os-command-built-from-variables-in-a-script-that-reads-request-input',
      'capability/runs-os-commands',
    ],
  });
  // a name the program computes (a foreach key) is not fixed; a fixed name of the page's own array
  assert.deepEqual(outcome('vb1.php', `<?php foreach ($_POST as $k => $v) { $$k = htmlspecialchars($v); } $t = 'title'; echo $$t;`), { verdict: 'clean', ids: [] });
  assert.deepEqual(
    outcome('vb2.php', `<?php \${'GLOBALS'}['cfg'] = 'settings'; $settings = ['x' => 1]; $name = 'settings'; print_r(\${$name}); echo htmlspecialchars($_GET['q'] ?? '');`),
    {
      verdict: 'clean',
      ids: [],
    },
  );
});
