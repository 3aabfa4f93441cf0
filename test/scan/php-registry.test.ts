/**
 * A PHP hook registry hands request data to callbacks its own API registered: not a callee
 * computed at runtime. The loaders that look like it (a loop over a literal or decoded list, the
 * request choosing the callee) stay flagged. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const REGISTRY = `<?php
$hooks = [];
function add_hook($name, $fn) { global $hooks; $hooks[$name][] = $fn; }
function run_hooks($name, ...$args) {
    global $hooks;
    foreach ($hooks[$name] ?? [] as $fn) {
        $args[0] = call_user_func_array($fn, $args);
    }
    return $args[0] ?? null;
}
add_hook('title', 'strtoupper');
echo run_hooks('title', htmlspecialchars($_GET['t'] ?? ''));
`;

test('a hook registry or a callable parameter is the page\u2019s own dispatch', () => {
  assert.equal(findingOf('hooks.php', REGISTRY), undefined);
  const typed = `<?php\nfunction apply(callable $fn, $v) { return call_user_func($fn, $v); }\necho apply('trim', $_GET['q']);\n`;
  assert.equal(findingOf('apply.php', typed), undefined);
});

test('loops over a literal or decoded list, or over the request, still choose a computed callee', () => {
  const literal = '<?php\nforeach (["sys"."tem"] as $f) { call_user_func($f, $_GET["c"]); }\n';
  assert.equal(findingOf('a.php', literal)?.verdict, 'malicious');
  const decoded = '<?php\n$list = explode(",", base64_decode("c3lzdGVt"));\nforeach ($list as $f) { call_user_func($f, $_GET["c"]); }\n';
  assert.equal(findingOf('b.php', decoded)?.verdict, 'malicious');
  const request = '<?php\nforeach ($_POST as $k => $f) { call_user_func($f, $_GET["c"]); }\n';
  assert.ok(reasons(findingOf('c.php', request)).includes('request-derived variable chooses the function call_user_func() calls'));
  // a registry the request fills is no registry
  const filled = `<?php\n$h = [];\n$x = $_GET['f'];\n$h['a'][] = $x;\nforeach ($h['a'] as $fn) { call_user_func($fn, $_GET['c']); }\n`;
  assert.equal(findingOf('d.php', filled)?.verdict, 'malicious');
});
