/** Optional YARA-X support: runs only when @litko/yara-x-linux-x64-gnu is installed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYara, YARA_PACKAGE } from '../../src/scan/yara.js';

let available = true;
try {
  createRequire(import.meta.url).resolve(YARA_PACKAGE);
} catch {
  available = false;
}

test('YARA rules add evidence with the rule name', { skip: available ? false : `${YARA_PACKAGE} is not installed` }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-yara-'));
  try {
    const rules = join(dir, 'r.yar');
    writeFileSync(rules, 'rule test_marker { meta: score = 70 strings: $a = "MARKER-123" condition: $a }\n');
    const y = await loadYara(rules);
    assert.deepEqual(y.match(Buffer.from('xx MARKER-123 yy'), 'f.php'), [{ analyzer: 'yara', reason: 'YARA rule test_marker matched', weight: 7 }]);
    assert.deepEqual(y.match(Buffer.from('nothing here'), 'f.php'), []);
    writeFileSync(rules, 'rule broken { condition: }\n');
    await assert.rejects(loadYara(rules), /YARA rules do not compile/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
