/**
 * PHP dispatch that only looks request-chosen: a closure handed to a helper (its body is the
 * page's own code) and a callback named by a fixed prefix only the page's functions carry
 * (`'plugin_action_' . $a`). The shells that look the same stay flagged. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf } from './helpers.js';
import { ownFunctionPrefix } from '../../src/scan/analyzers/php/signatures.js';

test('a closure argument that reads the request is the page\u2019s code, not a request-chosen callee', () => {
  const cache = `<?php
function cache_get($key, $compute) {
    $file = sys_get_temp_dir() . '/c_' . md5($key);
    if (is_file($file)) return file_get_contents($file);
    $v = $compute();
    file_put_contents($file, $v);
    return $v;
}
echo cache_get('q:' . $_GET['q'], fn() => strtoupper($_GET['q']));
`;
  assert.equal(findingOf('cache.php', cache), undefined);
  // the request value itself handed over as the callee is still chosen by the request
  assert.equal(findingOf('run.php', '<?php\nfunction run($f, $a) { return $f($a); }\necho run($_GET["f"], $_GET["a"]);\n')?.verdict, 'malicious');
  // a closure that runs the request is judged by its own body
  assert.equal(findingOf('cl.php', '<?php\nfunction run($f) { return $f(); }\nrun(function () { system($_GET["c"]); });\n')?.verdict, 'malicious');
});

test('a fixed prefix only the page\u2019s functions carry names one of its handlers', () => {
  assert.equal(ownFunctionPrefix('plugin_action_'), true);
  assert.equal(ownFunctionPrefix('handle_'), true);
  for (const p of ['sys', 'array_', 'call_user_', 'pre', 'ex', 'pas', 'assert', 'str', 'fi']) assert.equal(ownFunctionPrefix(p), false, p);
  const page = (prefix: string): string =>
    `<?php\n$a = preg_replace('/[^a-z_]/', '', $_GET['action'] ?? '');\nif ($a !== '' && function_exists('${prefix}' . $a)) {\n    call_user_func('${prefix}' . $a, $_POST);\n}\n`;
  assert.equal(findingOf('p.php', page('plugin_action_')), undefined);
  assert.equal(findingOf('p.php', page('sys'))?.verdict, 'malicious');
  assert.equal(findingOf('p.php', page('array_'))?.verdict, 'malicious');
});

test('a callable array on $this names one of the object\u2019s own methods; with a forwarding __call it does not', () => {
  const own = `<?php
class Ajax {
    public function dispatch() {
        $method = 'do_' . preg_replace('/\\W/', '', $_POST['do'] ?? '');
        if (!method_exists($this, $method)) { exit('unknown'); }
        return call_user_func_array([$this, $method], [$_POST]);
    }
    private function do_save($data) { return strlen($data['v'] ?? ''); }
}
echo (new Ajax())->dispatch();
`;
  assert.equal(findingOf('ajax.php', own), undefined);
  const forwarding = own.replace('    private function do_save', '    public function __call($n, $a) { return $n(...$a); }\n    private function do_save');
  assert.equal(findingOf('ajax.php', forwarding)?.verdict, 'malicious');
});

test('a table of inline functions indexed by the request hands over one of the page\u2019s functions', () => {
  const table = `<?php
$cmp = [
    'name' => fn($a, $b) => strcmp($a['name'], $b['name']),
    'date' => function ($a, $b) { return $a['date'] <=> $b['date']; },
][$_GET['sort'] ?? 'name'] ?? null;
$items = json_decode(file_get_contents(__DIR__ . '/items.json'), true);
if ($cmp) usort($items, $cmp);
echo count($items);
`;
  assert.equal(findingOf('sort.php', table), undefined);
  // a table holding a dangerous name, or a request value, is no such table
  assert.equal(findingOf('t.php', '<?php\n$f = ["a" => "system", "b" => fn($x) => $x][$_GET["k"]] ?? null;\nusort($_POST, $f);\n')?.verdict, 'malicious');
  assert.equal(findingOf('t.php', '<?php\n$f = ["a" => fn($x) => $x, "b" => $_GET["z"]][$_GET["k"]];\nusort($_POST, $f);\n')?.verdict, 'malicious');
});
