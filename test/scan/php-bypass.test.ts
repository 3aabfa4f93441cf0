/**
 * Bypass techniques of recent PHP one-liners (php/bypass.ts and the include statement's
 * argument): each shell is hand-written here, next to an ordinary look-alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

test('php: an array literal holding request input, called', () => {
  const f = findingOf('a.php', `<?php [$_GET["f"]][0]($_GET["c"]);\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request input is called as a function (array element or expression result)']);
  // a router picks one of its own handlers with the request as the index
  const router = `<?php\n$handlers = ['list' => 'show_list', 'view' => 'show_item'];\n$a = isset($_GET['a']) ? $_GET['a'] : 'list';\nif (isset($handlers[$a])) { $handlers[$a]($_GET['id']); }\n`;
  assert.ok(!reasons(findingOf('router.php', router)).includes('request input is called as a function (array element or expression result)'));
});

test("php: a sink's name handed through a helper whose return value is called with request data", () => {
  const f = findingOf('c.php', `<?php function x($a) { return $a; } x("system")($_GET["c"]);\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes("system() reached through a helper's return value and called with request data"), reasons(f).join(' | '));
  // the same shape with a harmless function
  assert.equal(findingOf('ok.php', `<?php function x($a) { return $a; } echo x("strtoupper")($_GET["c"]);\n`), undefined);
});

test('php: static call with request-chosen class and method', () => {
  const f = findingOf('s.php', `<?php $cls = $_GET["k"]; $m = $_GET["m"]; $cls::$m($_GET["a"]);\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request chooses both the class and the static method called'), reasons(f).join(' | '));
  // a model class from configuration, method from the request: a dispatcher of the app's own
  const app = `<?php $cls = $config['model']; $m = 'find'; $row = $cls::$m((int) $_GET['id']);\n`;
  assert.ok(!reasons(findingOf('app.php', app)).includes('request chooses both the class and the static method called'));
});

test('php: LD_PRELOAD set before mail() (disable_functions bypass)', () => {
  const f = findingOf('p.php', `<?php putenv("LD_PRELOAD=" . $_GET["so"]); mail("a@b.c", "x", "y");\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['sets LD_PRELOAD and then starts a child process (mail/error_log): library injection past disable_functions']);
  // other environment variables are ordinary
  assert.equal(findingOf('tz.php', `<?php putenv("TZ=UTC"); mail($to, "report", $body);\n`), undefined);
});

test('php: LD_PRELOAD in the environment array of proc_open() / pcntl_exec()', () => {
  const code = `<?php $so = '/tmp/x.so'; file_put_contents($so, base64_decode($_POST['b']));
$d = array(0 => array('pipe', 'r'), 1 => array('pipe', 'w'));
proc_open('true', $d, $p, '/tmp', array('LD_PRELOAD' => $so));\n`;
  const f = findingOf('env.php', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('starts a child process with LD_PRELOAD in its environment array: library injection past disable_functions'), reasons(f).join('; '));
  // an ordinary environment for a child
  assert.equal(
    findingOf(
      'envok.php',
      `<?php $d = array(1 => array('pipe', 'w')); $h = proc_open('git status', $d, $p, '/srv/repo', array('LANG' => 'C')); echo stream_get_contents($p[1]);\n`,
    ),
    undefined,
  );
});

test('php: GCONV_PATH set before a charset conversion (disable_functions bypass)', () => {
  const f = findingOf(
    'gc.php',
    `<?php putenv('GCONV_PATH=/tmp/'); file_put_contents('/tmp/gconv-modules', "module PAYLOAD// INTERNAL ../../../../../../../tmp/p 2\n"); iconv('payload', 'UTF-8', 'x');\n`,
  );
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['sets GCONV_PATH and then converts a charset: loads a library of its choice past disable_functions']);
  // converting charsets with the default module path
  assert.equal(findingOf('conv.php', `<?php putenv('LC_ALL=C'); echo iconv('ISO-8859-1', 'UTF-8', $row['name']);\n`), undefined);
});

test('php: sendmail -X/-O options in mail()', () => {
  const f = findingOf('m.php', `<?php mail("a@b.c", "s", "m", "", "-X/var/www/html/x.php -OQueueDirectory=/tmp " . $_GET["x"]);\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['sendmail options that write or reconfigure files passed to mail() with request data']);
  // the envelope sender is what applications pass there
  assert.equal(findingOf('contact.php', `<?php mail($to, $subject, $body, $headers, "-f" . $from);\n`), undefined);
});

test('php: include of a data: URI built with request data (a ; inside the quoted prefix)', () => {
  const f = findingOf('d.php', `<?php include "data://text/plain;base64," . $_GET["p"];\n`);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request input chooses a file to include as code']);
  assert.deepEqual(reasons(findingOf('d2.php', `<?php include "data://text/plain;base64,PD9waHAgcGhwaW5mbygpOyA/Pg==";\n`)), ['includes request body or a data: URI as code']);
});
