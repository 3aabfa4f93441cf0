/** Stable reason ids: the same behaviour in two files gets the same id, file details do not leak in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonId } from '../../src/scan/reason-id.js';
import { findingOf } from './helpers.js';

test("reason ids drop counts, lists, variables and the file's own names", () => {
  assert.equal(reasonId('flow', 'request input reaches eval()'), 'flow/request-input-reaches-eval');
  assert.equal(reasonId('capability', 'runs OS commands (exec, system)'), reasonId('capability', 'runs OS commands (passthru)'));
  assert.equal(reasonId('capability', 'runs OS commands (exec, system)'), 'capability/runs-os-commands');
  assert.equal(
    reasonId('obfuscation', "eval() of a long literal decoded by the file's own function ahrvi()"),
    reasonId('obfuscation', "eval() of a long literal decoded by the file's own function kzejl()"),
  );
  assert.equal(reasonId('flow', 'system() runs a variable that is never assigned (register_globals request variable $cmd)'), 'flow/system-runs-a-variable-that-is-never-assigned');
  assert.equal(reasonId('obfuscation', 'strings assembled with bitwise operators (12 places)'), 'obfuscation/strings-assembled-with-bitwise-operators');
});

test('findings carry reason ids next to the reasons', () => {
  const f = findingOf('a.php', `<?php system($_GET['c']);`);
  assert.ok(f);
  assert.ok(f.evidence.every((e) => typeof e.id === 'string' && e.id.startsWith(`${e.analyzer}/`)));
  assert.ok(f.evidence.some((e) => e.id === 'flow/request-input-reaches-system'));
});
