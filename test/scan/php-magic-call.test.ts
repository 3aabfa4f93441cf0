/**
 * Method calls that __call forwards to the function of the same name, beside proxies and
 * dispatchers that run nothing the request chooses. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const FORWARDED = 'request input handed to system() through a class whose __call calls the method name as a function';
const NAMED = 'request input names the method of a class whose __call calls the method name as a function';

test('a method named after a command runner, forwarded by __call, with request input', () => {
  const shell = `<?php
class Proxy {
    public function __call($n, $a) { return $n(...$a); }
}
$p = new Proxy();
echo $p->system($_GET['c']);
`;
  const f = findingOf('p.php', shell);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes(FORWARDED));
});

test('__callStatic through call_user_func_array, the method named by the request', () => {
  const shell = `<?php
class F {
    public static function __callStatic($name, $args) {
        return call_user_func_array($name, $args);
    }
}
$m = $_POST['m'];
F::{$m}($_POST['a']);
`;
  assert.ok(reasons(findingOf('f.php', shell)).includes(NAMED));
});

test('forwarding proxies and dispatchers that run nothing the request chooses stay clean', () => {
  // a test double forwarding to string functions with fixed names
  const proxy = `<?php
class Str {
    public function __call($n, $a) { return $n(...$a); }
}
$s = new Str();
echo $s->strtoupper($_GET['q'] ?? ''), $s->trim(' x ');
`;
  assert.equal(findingOf('s.php', proxy), undefined);
  // __call that looks the name up in the object's own table
  const table = `<?php
class Hooks {
    private $h = [];
    public function __call($n, $a) { return isset($this->h[$n]) ? ($this->h[$n])(...$a) : null; }
}
$db = new PDO('sqlite::memory:');
$db->exec('DELETE FROM t WHERE id = ' . (int) $_GET['id']);
`;
  assert.equal(findingOf('h.php', table), undefined);
});
