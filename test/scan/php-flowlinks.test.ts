/**
 * Second PHP round: flow links the taint missed (names imported through `$$name`, callbacks
 * computed at runtime, a register_globals variable backed up and restored) and how planted
 * tools hide or start helpers. Fixtures are written for this test and are inert text; each
 * positive has a negative shaped like ordinary application code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const flagged = (name: string, code: string): string[] => {
  const f = findingOf(name, code);
  assert.ok(f, `${name} should be flagged`);
  return reasons(f);
};

test('php: request names imported with $$name from a literal list reach file operations', () => {
  const code = `<?php $names = "d f mode";
foreach (explode(" ", $names) as $k => $v) { if (isset($_POST[$v])) $$v = $_POST[$v]; }
$h = dir($d); while ($e = $h->read()) echo $e;`;
  const r = flagged('a.php', code);
  assert.ok(
    r.some((x) => /the page passes to dir\b/.test(x)),
    r.join('; '),
  );
  // a loop filling defaults from a config array is not request input
  assert.equal(findingOf('b.php', `<?php $defaults = array('d' => '.'); foreach (array('d') as $v) { $$v = $defaults[$v]; } $h = dir($d);`), undefined);
});

test('php: request data handed to a callback held in a variable or built by string functions', () => {
  assert.ok(flagged('c.php', `<?php $a = array($_POST['p']); array_udiff($a, array(1), $cb);`).some((x) => /callback chosen at runtime|name it computes at runtime/.test(x)));
  assert.ok(
    flagged('d.php', `<?php function go($b, $c) { array_map(substr_replace(strrev($b), 'x', 1, 0), array($c)); } go('abc', $_POST['k']);`).some((x) =>
      /computes with string functions/.test(x),
    ),
  );
  // a named sanitizer over request data is ordinary code
  assert.equal(findingOf('e.php', `<?php $clean = array_map('trim', (array) $_POST['tags']); echo count($clean);`), undefined);
});

test('php: register_globals command variable backed up and restored is still request input', () => {
  const code = `<?php if (strpos($cmd, "cd ") === 0) { chdir(substr($cmd, 3)); $bk = $cmd; $cmd = ""; }
if ($cmd) { system($cmd . " 2>&1"); exec($cmd, $out); }
if ($bk) $cmd = $bk;`;
  assert.ok(flagged('f.php', code).some((x) => /never assigned \(register_globals/.test(x)));
  // a command assigned from a fixed string is not a registered variable
  assert.equal(findingOf('g.php', `<?php $cmd = 'uptime'; $bk = $cmd; $cmd = $bk; exec($cmd, $out); echo implode("\\n", $out);`), undefined);
});

test('php: page answering 404 to all but hard-coded client addresses', () => {
  const code = `<?php $ok = array("10.1.2.3"); $allowed = 0;
foreach ($ok as $ip) { if ($_SERVER["REMOTE_ADDR"] == $ip) $allowed = 1; }
if ($allowed == 0) { header("HTTP/1.0 404 Not Found"); die(); }
echo gethostbyaddr($_POST['q']);`;
  assert.ok(flagged('h.php', code).some((x) => /404 Not Found to every client/.test(x)));
  // an allowlist that refuses with 403 is an ordinary restriction
  assert.equal(findingOf('i.php', code.replace('404 Not Found', '403 Forbidden')), undefined);
});

test('php: script written to a temp folder and started from a command line', () => {
  const code = `<?php function put($n, $t) { $f = fopen($n, 'w'); fputs($f, base64_decode($t)); fclose($f); }
put('/tmp/.x', $payload); exec("perl /tmp/.x $host $port &");`;
  assert.ok(flagged('j.php', code).some((x) => /temp folder and starts it/.test(x)));
  // writing a temp file and converting it with a tool is ordinary
  assert.equal(findingOf('k.php', `<?php file_put_contents('/tmp/in.svg', $svg); exec('rsvg-convert /tmp/in.svg -o /tmp/out.png', $o);`), undefined);
});

test('php: XSL stylesheet calling PHP functions through the php namespace', () => {
  const xsl = `<?xml version="1.0"?><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:q="http://php.net/xsl">
<xsl:template match="/r"><xsl:value-of select="q:function('assert', string(.))"/></xsl:template></xsl:stylesheet>`;
  assert.ok(flagged('l.php', xsl).some((x) => /XSL stylesheet calls PHP assert/.test(x)));
  assert.equal(findingOf('m.php', xsl.replace("'assert'", "'ucfirst'")), undefined);
});

test('php: file written through the database server (INTO DUMPFILE, OUTFILE with code)', () => {
  const code = `<?php $c = mysql_connect($h, $u, $p); mysql_query("select unhex('4d5a') into dumpfile 'c:/windows/system32/x.dll'");`;
  assert.ok(flagged('n.php', code + ' system($_POST["c"]);').some((x) => /INTO DUMPFILE/.test(x)));
  assert.ok(reasons(findingOf('o.php', `<?php mysql_query("select '<?php eval(\\$_POST[1]);?>' into outfile '/var/www/a.php'");`)).some((x) => /INTO OUTFILE/.test(x)));
  // exporting rows to a CSV is an ordinary feature
  assert.equal(findingOf('p.php', `<?php $db->query("SELECT id, name INTO OUTFILE '/tmp/users.csv' FIELDS TERMINATED BY ',' FROM users");`), undefined);
});
