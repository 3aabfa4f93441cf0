/** `warden rules lint`: text and JSON output, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = resolve(here, '..', '..', 'src', 'cli', 'main.js');

const GOOD = `title: Good
logsource:
    product: windows
detection:
    sel:
        A: 1
    condition: sel
`;
const BAD = `title: Bad
logsource:
    product: windows
detection:
    sel:
        A|expand: '%Servers%'
    condition: sel
`;

function run(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [main, 'rules', 'lint', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout };
}

test('rules lint: JSON shape, text summary, exit codes, placeholders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-lint-'));
  try {
    writeFileSync(join(dir, 'good.yml'), GOOD);
    writeFileSync(join(dir, 'bad.yml'), BAD);
    writeFileSync(join(dir, 'ph.yml'), 'Servers: [srv1, srv2]\n');
    const json = run([join(dir, 'good.yml'), join(dir, 'bad.yml'), '--format', 'json']);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.out), {
      loaded: 1,
      failed: [{ file: join(dir, 'bad.yml'), line: 6, error: "sel: 'A|expand': unresolvable placeholder '%Servers%' (give it values with --placeholders FILE)" }],
    });
    const ok = run([join(dir, 'good.yml'), join(dir, 'bad.yml'), '--placeholders', join(dir, 'ph.yml'), '--format', 'json']);
    assert.equal(ok.code, 0);
    assert.equal(ok.out, '{"loaded":2,"failed":[]}\n');
    const text = run([join(dir, 'good.yml')]);
    assert.equal(text.code, 0);
    assert.equal(text.out, '1 loaded (1 rules, 0 filters, 0 correlations), 0 failed\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules lint reports every error of a file, names unsupported regex features, and writes YAML errors as sentences', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-lint-'));
  try {
    writeFileSync(
      join(dir, 'many.yml'),
      `title: Many errors
logsource:
    category: webserver
detection:
    sel:
        cs-uri-stem|re: '(?<=a)b'
    sel2:
        cs-uri-query|re: '(a)\\1'
    condition: sel and sel2 and nothing
level: bogus
`,
    );
    writeFileSync(join(dir, 'yaml.yml'), 'title: y\nid: [unclosed\n');
    const r = run([dir]);
    assert.equal(r.code, 1);
    assert.equal(
      r.out,
      [
        `${join(dir, 'many.yml')}:6: sel: 'cs-uri-stem|re': regular expression '(?<=a)b': lookbehind (?<=…)/(?<!…) is not supported by the linear-time regex engine (RE2 syntax, which keeps matching safe from catastrophic backtracking)`,
        `${join(dir, 'many.yml')}:8: sel2: 'cs-uri-query|re': regular expression '(a)\\1': backreference \\1 is not supported by the linear-time regex engine (RE2 syntax, which keeps matching safe from catastrophic backtracking)`,
        `${join(dir, 'many.yml')}:9: unknown search identifier 'nothing' in condition 'sel and sel2 and nothing' at 'nothing' (offset 17)`,
        `${join(dir, 'many.yml')}:10: invalid level 'bogus' (expected one of informational, low, medium, high, critical)`,
        `${join(dir, 'yaml.yml')}:3: YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ].`,
        '0 loaded (0 rules, 0 filters, 0 correlations), 2 failed (5 errors)',
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
