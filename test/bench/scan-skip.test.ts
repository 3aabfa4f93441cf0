import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isHeldOut, loadHoldout } from '../../bench/holdout.js';
import { TRIGGERS, triggerFault } from '../../bench/scan-skip.js';

test('scan-skip: every trigger of the bound makes the analyzers report its example, which holds no other trigger', () => {
  // a trigger that stops firing would raise the bound silently; the bench drops it, this names it
  const faults = TRIGGERS.map((t) => [`${t.language} ${t.words.join(' + ')}`, triggerFault(t)]).filter(([, f]) => f !== '');
  assert.deepEqual(faults, []);
  assert.equal(TRIGGERS.length, 48);
});

test('holdout: a prefix holds out its whole folder, hex digits only the files whose sha256 starts with one', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'warden-holdout-')), 'holdout.txt');
  writeFileSync(file, '# comment\nmalicious/a+b/\n\nbenign/asp/ 01 # a quarter\n');
  const rules = loadHoldout(file);
  assert.deepEqual(rules, [
    { prefix: 'malicious/a+b/', shaFirst: '' },
    { prefix: 'benign/asp/', shaFirst: '01' },
  ]);
  assert.equal(isHeldOut(rules, 'malicious/a+b/x.php', 'f0'), true);
  assert.equal(isHeldOut(rules, 'malicious/a+c/x.php', 'f0'), false);
  assert.equal(isHeldOut(rules, 'benign/asp/1.asp', '1e'), true);
  assert.equal(isHeldOut(rules, 'benign/asp/1.asp', '2e'), false);
});

test('holdout: digits that are not hex are refused with the line', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'warden-holdout-')), 'holdout.txt');
  writeFileSync(file, 'benign/asp/ 0g\n');
  assert.throws(() => loadHoldout(file), /bad sha256 digits "0g" in line "benign\/asp\/ 0g"/);
});
