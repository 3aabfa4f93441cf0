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
