/**
 * What a responder sees in a real terminal (issue 14): `warden hunt` and `warden scan` run in a
 * pseudo-terminal (util-linux `script`) at 80, 120 and 200 columns, and the screen is compared
 * with snapshots: fitted columns, a grouped row (a tunnel hit many times from one client), an
 * incident, a scan finding whose path is long and Unicode (CJK wide characters, a combining
 * accent), and the summary. Every line must fit the width (in display columns).
 *
 * The varying text — the run time ("in 0.42 s (17 events/s)") and the size of the built-in
 * pack — is masked. Set
 * UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change, then read the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayWidth } from '../../src/output/text-width.js';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const SNAPSHOTS = join(root, 'test', 'output', 'snapshots');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = hasScript ? undefined : 'util-linux `script` (a pseudo-terminal) is not installed';

/** A path with CJK folder names (two columns a character), a decomposed é (e + U+0301) and Japanese. */
export const UNICODE_DIR = join('www', '網站', '上傳', '很長的目錄名稱很長的目錄名稱', 'cafe\u0301_résumé_バックアップ用のとても長いフォルダ名');
const SHELL_NAME = 'シェル.php';

/** The case folder: the example logs, a tunnel hit 40 times from one client, a web root with a shell. */
function caseDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-term-'));
  cpSync(join(root, 'examples', 'logs'), join(dir, 'logs'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const s = String(i % 60).padStart(2, '0');
    lines.push(`198.51.100.23 - - [02/Mar/2026:09:20:${s} +0000] "POST /examples/tunnel.jsp?cmd=read HTTP/1.1" 200 2048 "-" "Python-urllib/3.8"`);
  }
  // A hostile request line (quotes inside the request) is read, not dropped.
  lines.push(`203.0.113.9 - - [02/Mar/2026:09:21:00 +0000] "GET /search.jsp?q="><script>alert(1)</script> HTTP/1.1" 404 12 "-" "curl/8.5.0"`);
  writeFileSync(join(dir, 'logs', 'localhost_access_log.2026-03-02.txt'), `${lines.join('\n')}\n`);
  const web = join(dir, UNICODE_DIR);
  mkdirSync(web, { recursive: true });
  const shell = join(web, SHELL_NAME);
  writeFileSync(shell, '<?php\n// 这是一个后门，用于执行命令\n@eval($_POST["cmd"]);\n?>\n');
  const t = new Date('2026-03-02T09:30:00Z');
  utimesSync(shell, t, t);
  return dir;
}

/** Runs warden in a pseudo-terminal of this width; the screen as text (CR LF → LF). */
function inTerminal(dir: string, cols: number, args: string[]): { code: number | null; screen: string } {
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', `stty cols ${cols} rows 500; exec ${quoted}`, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    input: '',
    env: { ...process.env, NO_COLOR: '1', TZ: 'UTC', COLUMNS: undefined as unknown as string },
  });
  return {
    code: r.status,
    screen: r.stdout
      .replace(/\r\n/g, '\n')
      .replace(/ in \d+\.\d\d s \([\d,]+ events\/s\)/g, ' in #.## s (# events/s)')
      // The pack grows: its size is not what these snapshots are about.
      .replace(/Rules: {7}\d+ loaded/, 'Rules:       ### loaded'),
  };
}

function compare(name: string, screen: string): void {
  const file = join(SNAPSHOTS, `${name}.txt`);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(file, screen);
    if (process.env.UPDATE_SNAPSHOTS !== '1') assert.fail(`snapshot ${name} did not exist; written now — read it and run again`);
    return;
  }
  assert.equal(screen, readFileSync(file, 'utf8'), `snapshot ${name} (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

function assertFits(screen: string, cols: number): void {
  for (const line of screen.split('\n')) assert.ok(displayWidth(line) <= cols, `line wider than ${cols} columns (${displayWidth(line)}): ${line}`);
}

for (const cols of [80, 120, 200]) {
  test(`hunt in a ${cols}-column terminal: grouped row, scan finding, incident, summary`, { skip }, () => {
    const dir = caseDir();
    const r = inTerminal(dir, cols, ['hunt', 'logs', '--host', 'tomcat01.example.org', '--scan', 'www', '--scan-host', 'tomcat01', '--incidents', '--no-progress']);
    assert.equal(r.code, 0, r.screen);
    assertFits(r.screen, cols);
    assert.match(r.screen, /Count/, 'a grouped row has a count');
    assert.match(r.screen, /INCIDENT INC-/);
    assert.match(r.screen, /Summary\n/);
    compare(`hunt-${cols}`, r.screen);
  });

  test(`scan in a ${cols}-column terminal: the long Unicode path whole, the Chinese comment intact`, { skip }, () => {
    const dir = caseDir();
    const r = inTerminal(dir, cols, ['scan', 'www']);
    assert.equal(r.code, 0, r.screen);
    assertFits(r.screen, cols);
    const pathLines = r.screen.split('\n').filter((l) => /^ {2}\S/.test(l));
    assert.equal(pathLines.map((l) => l.trim()).join(''), join(UNICODE_DIR, SHELL_NAME), 'the path is shown whole, wrapped between folders');
    assert.match(r.screen, /用于执行命令/);
    compare(`scan-${cols}`, r.screen.replace(/\(\d+\.\d MB\) in \d+\.\d\d s \([\d.-]+ MB\/s\)/, '(#.# MB) in #.## s (# MB/s)'));
  });
}

test('colours on a terminal, none with NO_COLOR or --no-color', { skip }, () => {
  const dir = caseDir();
  const run = (env: Record<string, string | undefined>, extra: string[] = []): string => {
    const quoted = [process.execPath, cli, 'hunt', 'logs', '--no-progress', ...extra].map((a) => `'${a}'`).join(' ');
    return spawnSync('script', ['-qec', `stty cols 120; exec ${quoted}`, '/dev/null'], { cwd: dir, encoding: 'utf8', input: '', env: { ...process.env, ...env } }).stdout;
  };
  assert.match(run({ NO_COLOR: undefined }), /\u001b\[/);
  assert.doesNotMatch(run({ NO_COLOR: '1' }), /\u001b\[/);
  assert.doesNotMatch(run({ NO_COLOR: undefined }, ['--no-color']), /\u001b\[/);
});
