/**
 * Request code written to a tmpfile() and included by the path its stream reports: the include
 * names no file the code ever spells. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const WRITTEN = 'request content written to a file that is then included as code';

test('a tmpfile() written with request code and included through stream_get_meta_data', () => {
  const viaVar = `<?php\n$f = tmpfile();\nfwrite($f, '<?php ' . $_POST['c']);\n$m = stream_get_meta_data($f);\ninclude $m['uri'];\n`;
  assert.ok(reasons(findingOf('t.php', viaVar)).includes(WRITTEN), JSON.stringify(reasons(findingOf('t.php', viaVar))));
  const inline = `<?php\n$h = tmpfile();\nfwrite($h, base64_decode($_SERVER['HTTP_X_K']));\nrequire stream_get_meta_data($h)['uri'];\n`;
  assert.ok(reasons(findingOf('t.php', inline)).includes(WRITTEN), JSON.stringify(reasons(findingOf('t.php', inline))));
});

test('a tmpfile() of fixed content, or of request data that is never included, is no such loader', () => {
  const fixed = `<?php\n$f = tmpfile();\nfwrite($f, '<?php return 1;');\n$m = stream_get_meta_data($f);\ninclude $m['uri'];\n`;
  assert.ok(!reasons(findingOf('t.php', fixed)).includes(WRITTEN));
  const notIncluded = `<?php\n$f = tmpfile();\nfwrite($f, $_POST['csv']);\n$m = stream_get_meta_data($f);\n$rows = array_map('str_getcsv', file($m['uri']));\ninclude __DIR__ . '/view.php';\n`;
  assert.ok(!reasons(findingOf('t.php', notIncluded)).includes(WRITTEN));
});
