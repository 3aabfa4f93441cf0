/**
 * The scanned tree may be the attacker's (issue #16): a FIFO where a file was, a symlink to
 * /proc or out of the web root, file names with terminal escapes, an output that is full or
 * one of the scanned files. The scan ends, reports only what lies in its roots, prints names
 * escaped, and says when its output could not be written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from '../../src/scan/scan-file.js';
import { scan } from '../../src/scan/scanner.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';
import { repoRoot } from '../helpers/shared.js';

const SHELL = '<?php system($_GET["c"]); ?>\n';
const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

function warden(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(path: string): boolean {
  try {
    execFileSync('mkfifo', [path]);
    return true;
  } catch {
    return false;
  }
}

test('a FIFO where the walk saw a file is not opened for reading: skipped, the scan ends, the shell next to it is found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-fifo-'));
  try {
    const fifo = join(dir, 'swapped.php');
    if (!mkfifo(fifo)) return void test.skip?.('mkfifo is not available');
    writeFileSync(join(dir, 'shell.php'), SHELL);
    // the reader is handed the FIFO's path as if the walk had seen a regular file there
    assert.deepEqual(await scanFile(fifo, { limits: DEFAULT_LIMITS }), [{ path: fifo, bytes: 0, analyzed: false, skipped: 'not a regular file', problems: [] }]);
    for (const workers of [0, 1]) {
      const r = await scan([dir], { workers });
      assert.deepEqual(
        r.findings.map((f) => f.path),
        [join(dir, 'shell.php')],
      );
      assert.deepEqual(r.problems, []);
      assert.equal(r.stats.skippedReasons['not a regular file'], 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('symlinks: never into /proc, not out of the roots unless asked, inside the roots as before', async () => {
  const base = mkdtempSync(join(tmpdir(), 'warden-links-'));
  try {
    const root = join(base, 'www');
    const outside = join(base, 'elsewhere');
    mkdirSync(join(root, 'lib'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'index.php'), SHELL);
    writeFileSync(join(root, 'lib', 'inner.php'), SHELL);
    writeFileSync(join(outside, 'out.php'), SHELL);
    symlinkSync('/proc', join(root, 'proc'));
    symlinkSync('/proc/self/cwd', join(root, 'cwd'));
    symlinkSync(outside, join(root, 'out'));
    symlinkSync(join(root, 'lib'), join(root, 'lib2'));
    symlinkSync(join(base, 'missing'), join(root, 'dangling'));
    const rel = (r: Awaited<ReturnType<typeof scan>>): string[] => r.findings.map((f) => f.path.slice(root.length + 1)).sort();
    const r = await scan([root], { workers: 0 });
    // lib2 links to lib inside the root: followed, but that folder was already scanned
    assert.deepEqual(rel(r), ['index.php', 'lib/inner.php']);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.stats.skippedReasons, {
      'symlink into /proc, /sys or /dev': 2,
      'symlink leaves the scanned roots': 1,
      'symlink target missing (ENOENT)': 1,
    });
    const followed = await scan([root], { workers: 0, followSymlinks: true });
    assert.deepEqual(rel(followed), ['index.php', 'lib/inner.php', 'out/out.php']);
    assert.equal(followed.stats.skippedReasons['symlink into /proc, /sys or /dev'], 2);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('file names with ESC sequences and newlines are printed escaped in the table and the problems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-esc-'));
  try {
    const name = 'a\x1b]52;c;ZXZpbA==\x07\x1b[2J\nFAKE LINE.php';
    writeFileSync(join(dir, name), SHELL);
    const r = warden(['scan', '--workers', '0', '--no-color', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(r.stdout.replace(/\n/g, '')), JSON.stringify(r.stdout));
    assert.ok(r.stdout.includes(`${dir}/a\\e]52;c;ZXZpbA==\\x07\\e[2J\\nFAKE LINE.php`), r.stdout);
    assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('FAKE LINE')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan -o: a full device fails with exit 1, a missing folder or a scanned file is bad usage (exit 2) and nothing is touched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-scanout-'));
  try {
    const shell = join(dir, 'x.php');
    writeFileSync(shell, SHELL);
    if (existsSync('/dev/full')) {
      const full = warden(['scan', '--workers', '0', '-f', 'jsonl', '-o', '/dev/full', dir]);
      assert.equal(full.code, 1, full.stderr);
      assert.match(full.stderr, /cannot write \/dev\/full: ENOSPC/);
    }
    const missing = warden(['scan', '--workers', '0', '-o', join(dir, 'no', 'out.txt'), dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot write/);
    const self = warden(['scan', '--workers', '0', '-o', shell, dir]);
    assert.equal(self.code, 2);
    assert.match(self.stderr, /it is also an input/);
    assert.equal(readFileSync(shell, 'utf8'), SHELL);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
