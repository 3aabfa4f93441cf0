/**
 * Pages that look like loaders but hand the request nothing to run: a callback chosen from an
 * allowlist, a cache file holding only var_export's literal of request data, legacy
 * create_function with literal code. Each sits next to the shell form it resembles. Written
 * for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { phpGuards } from '../../src/scan/analyzers/php/guards.js';

const WRITE_INCLUDE = 'request content written to a file that is then included as code';

function cachePage(content: string): string {
  return `<?php
function put($k, $data) {
    $file = __DIR__ . '/cache/' . md5($k) . '.php';
    file_put_contents($file, ${content}, LOCK_EX);
    return include $file;
}
$q = isset($_GET['q']) ? $_GET['q'] : '';
echo json_encode(put('s:' . $q, ['q' => $q]));
`;
}

test('a cache file that returns var_export of request data is a literal, not code', () => {
  assert.equal(findingOf('c.php', cachePage(`'<?php return ' . var_export($data, true) . ';'`)), undefined);
  assert.equal(findingOf('c.php', cachePage(`"<?php\\n\\$cache = " . var_export($data, TRUE) . ";\\n"`)), undefined);
});

test('code around the exported literal, or request text beside it, still runs what the request sent', () => {
  // the literal handed to eval is the request's code
  assert.ok(reasons(findingOf('c.php', cachePage(`'<?php eval(' . var_export($data, true) . ');'`))).includes(WRITE_INCLUDE));
  // request text outside the literal
  assert.ok(reasons(findingOf('c.php', cachePage(`'<?php return ' . var_export($data, true) . ';' . $data['q']`))).includes(WRITE_INCLUDE));
  // var_export without `true` prints the value and returns null: not the literal file shape
  assert.ok(reasons(findingOf('c.php', cachePage(`'<?php return ' . var_export($data) . ';'`))).includes(WRITE_INCLUDE));
  // the plain form: request content written and included
  assert.ok(reasons(findingOf('c.php', cachePage(`'<?php ' . $data['q']`))).includes(WRITE_INCLUDE));
});

function callbackPage(list: string, guarded: boolean): string {
  return `<?php
$allowed = ${list};
$fn = isset($_POST['format']) ? $_POST['format'] : 'trim';
${guarded ? "if (!in_array($fn, $allowed, true)) {\n    http_response_code(400);\n    exit('bad format');\n}" : ''}
echo htmlspecialchars(call_user_func($fn, $_POST['text'] ?? ''));
`;
}

test("a callback name confined to an allowlist of harmless functions is the page's choice", () => {
  assert.equal(findingOf('f.php', callbackPage("['strtoupper', 'strtolower', 'ucfirst', 'trim']", true)), undefined);
});

test('the same callback unguarded, or with a dangerous name in the list, is request-chosen', () => {
  const open = findingOf('f.php', callbackPage("['strtoupper', 'trim']", false));
  assert.equal(open?.verdict, 'malicious');
  const withSystem = findingOf('f.php', callbackPage("['strtoupper', 'system']", true));
  assert.equal(withSystem?.verdict, 'malicious');
});

test("create_function's own parameter list is no page variable, and one plain literal body is no assembly", () => {
  const sortPage = `<?php
$rows = [['n' => 3], ['n' => 1]];
usort($rows, create_function('$x,$y', 'return $x["n"] - $y["n"];'));
$col = isset($_GET['col']) ? 'n' : 'n';
foreach ($rows as $r) echo (int) $r[$col], "\\n";
`;
  assert.equal(findingOf('s.php', sortPage), undefined);
});

test('create_function shells: request code, a never-assigned variable in the body, pieces assembled', () => {
  const reqCode = findingOf('a.php', `<?php\n$f = create_function('', $_POST['c']);\n$f();\n`);
  assert.ok(reasons(reqCode).includes('request input reaches create_function()'));
  const globals = findingOf('b.php', `<?php\n$g = create_function('$a', 'return ' . $code . ';');\necho $g(1);\n`);
  assert.ok(reasons(globals).includes('create_function() runs a variable that is never assigned (register_globals request variable $code)'));
  const pieces = findingOf('c.php', `<?php\n$h = create_function('$a', 'ev' . 'al($_POST[1]);');\n$h(0);\n`);
  assert.ok(reasons(pieces).includes('code assembled from string pieces and handed to create_function()'));
});

function compilerPage(read: string): string {
  return `<?php
class MiniTpl {
    private $dir = __DIR__ . '/templates';
    public function render($name) {
        $name = basename($name);
        $src = ${read};
        $compiled = __DIR__ . '/cache/' . md5($src) . '.php';
        file_put_contents($compiled, $this->compile(file_get_contents($src)));
        include $compiled;
    }
    private function compile($s) { return preg_replace('/\\{\\$(\\w+)\\}/', '<?php echo $$1; ?>', $s); }
}
(new MiniTpl())->render($_GET['page'] ?? 'home');
`;
}

test("a template compiler writes the server's own template, read from its own directory, and includes it", () => {
  assert.equal(findingOf('t.php', compilerPage(`$this->dir . '/' . $name . '.tpl'`)), undefined);
  assert.equal(findingOf('t.php', compilerPage(`__DIR__ . '/templates/' . $name . '.tpl'`)), undefined);
});

test('content read from a path the request names whole, or from a URL, written and included, is still the shell', () => {
  assert.ok(reasons(findingOf('t.php', compilerPage('$name'))).includes(WRITE_INCLUDE));
  assert.ok(reasons(findingOf('t.php', compilerPage(`'http://' . $name . '/t.tpl'`))).includes(WRITE_INCLUDE));
  const direct = `<?php\n$c = '/tmp/x.php';\nfile_put_contents($c, file_get_contents($_GET['u']));\ninclude $c;\n`;
  assert.ok(reasons(findingOf('d.php', direct)).includes(WRITE_INCLUDE));
});

test('a guard may report the failure with a call or two before it stops', () => {
  const guarded = (body: string): string[] => [...phpGuards(`<?php\n$t = $_GET['t'];\nif (!in_array($t, ['posts', 'pages'], true)) {\n${body}\n}\nuse_it($t);\n`).allowlisted];
  assert.deepEqual(guarded("    wp_send_json_error('bad type', 400);\n    return;"), ['$t']);
  assert.deepEqual(guarded("    $log->warning('bad', ['t' => 1]);\n    Response::abort(400);\n    exit;"), ['$t']);
  // the failing branch goes on, or assigns before stopping
  assert.deepEqual(guarded("    wp_send_json_error('bad type', 400);"), []);
  assert.deepEqual(guarded("    $t = $_POST['t'];\n    return;"), []);
  assert.deepEqual(guarded('    register_shutdown_function(function () { echo 1; });\n    exit;'), []);
});
