/**
 * Hostile rule files (issue #16): a YAML alias bomb, a CR-only file of endless keys that kept
 * the YAML parser busy for seconds per error, an oversized file. Each becomes a problem naming
 * the file; the other rules load as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { emptyCollection, loadRuleCollection, loadRuleText } from '../../src/sigma/collection.js';
import { countAliases, MAX_ALIAS_NODES, MAX_ALIASES, MAX_RULE_FILE_BYTES } from '../../src/sigma/yaml.js';

const GOOD = `title: Whoami
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
logsource:
  category: process_creation
  product: windows
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
level: high
`;

/** "Billion laughs": nine aliases of the level above, nine levels deep (9^9 values), in a few hundred bytes. */
function aliasBomb(): string {
  const lines = ['title: laughs', 'x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `x${i}: &x${i} [${Array(9)
        .fill(`*x${i - 1}`)
        .join(',')}]`,
    );
  lines.push('logsource: {product: windows}', 'detection: {sel: {a: *x9}, condition: sel}');
  return `${lines.join('\n')}\n`;
}

test('a YAML alias bomb is a rule problem (not a hang or an out-of-memory); the next rule loads', () => {
  const bomb = aliasBomb();
  assert.ok(bomb.length < 700, `${bomb.length} bytes`);
  const problems = new ProblemList();
  const col = emptyCollection();
  loadRuleText(`${bomb}---\n${GOOD}`, 'bomb.yml', {}, problems, col);
  assert.deepEqual(
    problems.problems.map((p) => [p.file, p.line, p.message]),
    [['bomb.yml', 2, `YAML aliases expand to more than ${MAX_ALIAS_NODES} values (alias bomb); rule not loaded`]],
  );
  assert.deepEqual(
    col.rules.map((r) => r.info.title),
    ['Whoami'],
  );
});

test('thousands of aliases (each a walk of the document for the YAML library: 23 CPU-s in a fuzz finding) are refused before parsing; the next file loads', () => {
  const head = 'a: &a ["x","x","x"]\nb: &b [*a,*a,*a]\n';
  const text = head + 'e: [*b,*b,*a,*a]\n'.repeat(5000);
  assert.equal(countAliases(text), 3 + 5000 * 4);
  const problems = new ProblemList();
  const col = emptyCollection();
  loadRuleText(text, 'aliases.yml', {}, problems, col);
  loadRuleText(GOOD, 'good.yml', {}, problems, col);
  assert.deepEqual(
    problems.problems.map((p) => [p.file, p.message]),
    [['aliases.yml', `rule file has ${3 + 5000 * 4} YAML aliases (more than ${MAX_ALIASES}); not parsed`]],
  );
  assert.deepEqual(
    col.rules.map((r) => r.info.title),
    ['Whoami'],
  );
  // what an alias is: not a quoted wildcard, not a glob in a condition
  assert.equal(countAliases("x: '*\\cmd.exe'\ncondition: 1 of selection_*\ny: [*a, *b]\n- *c\n"), 3);
});

test('400 KB of CR-only "s: " keys: parsed to a syntax error in about linear time, with CR counted as a line break', () => {
  const problems = new ProblemList();
  const col = emptyCollection();
  loadRuleText('s\r: '.repeat(100_000), 'cr.yml', {}, problems, col);
  // One document failed; its YAML errors are all listed (rules lint shows every one), at most 20.
  assert.equal(col.failed, 1);
  assert.ok(problems.problems.length >= 1 && problems.problems.length <= 20, `${problems.problems.length} problems`);
  for (const p of problems.problems) {
    assert.equal(p.file, 'cr.yml');
    assert.match(p.message, /^YAML syntax error: .*\.$/);
  }
  assert.deepEqual(problems.problems[0]!.line, 2);
  // a CR-only rule with a mistake on its fifth line names line 5
  const cr = new ProblemList();
  loadRuleText(GOOD.replace('  category: process_creation', '  category: [').replace(/\n/g, '\r'), 'mac.yml', {}, cr, emptyCollection());
  assert.deepEqual(
    cr.problems.slice(0, 1).map((p) => [p.file, p.line]),
    [['mac.yml', 5]],
  );
});

test('a rule file over the size cap is a problem naming it and is not read; other files load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bigrule-'));
  try {
    writeFileSync(join(dir, 'a.yml'), GOOD);
    writeFileSync(join(dir, 'huge.yml'), `title: x\ndescription: ${'x'.repeat(MAX_RULE_FILE_BYTES)}\n`);
    const problems = new ProblemList();
    const col = loadRuleCollection([dir], { cache: false }, problems);
    assert.deepEqual(
      col.rules.map((r) => r.info.title),
      ['Whoami'],
    );
    assert.deepEqual(
      problems.problems.map((p) => [p.file, p.message]),
      [[join(dir, 'huge.yml'), `cannot read: the file is larger than ${MAX_RULE_FILE_BYTES} bytes (${MAX_RULE_FILE_BYTES + 23})`]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flow collections nested 100,000 deep are a rule problem, not a stack overflow out of the loader', () => {
  const problems = new ProblemList();
  const col = emptyCollection();
  // the parser reports this shape itself; others (found by the fuzzer) threw RangeError out of
  // it, which the loader now turns into 'rule file not parsed: nested too deeply ...'
  loadRuleText(`title: deep\ndetection: ${'['.repeat(100_000)}\n`, 'deep.yml', {}, problems, col);
  assert.ok(problems.problems.length >= 1 && problems.problems.length <= 20, `${problems.problems.length} problems`);
  assert.ok(problems.problems.every((p) => p.file === 'deep.yml'));
  assert.match(problems.problems[0]!.message, /stack|nested too deeply/);
  assert.deepEqual(col.rules, []);
});
