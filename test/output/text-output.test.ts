/**
 * Output files never damage evidence or lose results silently: an output that is one of the
 * inputs is refused, a symlink is never written through, a folder or a missing folder is bad
 * usage before any work, a full disk is an error (not exit 0), an interrupted run leaves the old
 * file as it was. CSV cells cannot become spreadsheet formulas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvCell } from '../../src/output/csv.js';
import { TextOutput } from '../../src/output/text-output.js';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function warden(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('hunt -o INPUT and events -o INPUT are refused; the input is untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-out-'));
  const log = join(dir, 'u_ex.log');
  const text = readFileSync(join(root, 'examples', 'logs', 'u_ex260302.log'), 'utf8');
  writeFileSync(log, text);
  for (const cmd of [
    ['hunt', log, '-f', 'jsonl', '-o', log],
    ['events', log, '-o', log],
  ]) {
    const r = warden(cmd);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /it is also an input/);
    assert.equal(readFileSync(log, 'utf8'), text);
  }
});

test('an output that is a symlink, a folder or in a missing folder is bad usage before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-out-'));
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'keep me');
  const link = join(dir, 'out.jsonl');
  symlinkSync(victim, link);
  let r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '-o', link]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /symbolic link/);
  assert.equal(readFileSync(victim, 'utf8'), 'keep me');
  r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '-o', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /it is a folder/);
  r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '-o', join(dir, 'missing', 'x.jsonl')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot write/);
});

test('a full output is an error with a non-zero exit, not a silent loss', { skip: existsSync('/dev/full') ? undefined : 'no /dev/full on this system' }, () => {
  const r = warden(['hunt', 'examples/logs', '-f', 'jsonl', '-o', '/dev/full']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no space|ENOSPC/i);
});

test('a file output appears only when complete; an aborted one leaves the old file and no temporary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-out-'));
  const path = join(dir, 'hits.jsonl');
  writeFileSync(path, 'old\n');
  const out = await TextOutput.open(path);
  await out.write('new line\n');
  await out.flush();
  assert.equal(readFileSync(path, 'utf8'), 'old\n', 'the old file stays until the new one is complete');
  await out.abort();
  assert.equal(readFileSync(path, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(dir), ['hits.jsonl'], 'no temporary left behind');
  const again = await TextOutput.open(path);
  await again.write('new line\n');
  await again.close();
  assert.equal(readFileSync(path, 'utf8'), 'new line\n');
});

test('CSV cells that a spreadsheet would run as formulas are neutralized', () => {
  assert.equal(csvCell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
  assert.equal(csvCell('+cmd|'), "'+cmd|");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('\tx'), "'\tx");
  assert.equal(csvCell('plain, text'), '"plain, text"');
  assert.equal(csvCell('ok'), 'ok');
});
