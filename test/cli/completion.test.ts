/**
 * `warden completion bash|zsh|fish` (issue 14): generated from the command tree, so every
 * command, flag and choice completes. bash is driven for real; zsh and fish scripts are
 * syntax-checked by their shells where installed and checked for their content everywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const script = (shell: string): string => {
  const r = spawnSync(process.execPath, [cli, 'completion', shell], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

test('bash: commands, subcommands, flags, choices, values skipped, paths where paths go', (t) => {
  if (!has('bash')) return t.skip('bash is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'warden-compl-'));
  const file = join(dir, 'warden.bash');
  writeFileSync(file, script('bash'));
  writeFileSync(join(dir, 'access.log'), '');
  const cases: [string[], string][] = [
    [['warden', 'hu'], 'hunt'],
    [['warden', 's'], 'search scan serve ship'],
    [['warden', 'hunt', '--for'], '--format'],
    [['warden', 'hunt', '--format', ''], 'table jsonl csv html'],
    [['warden', 'hunt', '-f', 'c'], 'csv'],
    [['warden', 'evtx', ''], 'dump'],
    [['warden', 'token', 'r'], 'revoke'],
    [['warden', 'hunt', 'logs', '-o', 'x.jsonl', '--inc'], '--incidents --incident-window'],
    [['warden', 'hunt', 'acc'], 'access.log'],
    [['warden', 'hunt', '-o', 'acc'], 'access.log'],
    // a free-text value completes nothing; a flag's value is not taken for a subcommand
    [['warden', 'hunt', '--host', 'acc'], ''],
    [['warden', 'search', '-e', 'hunt', '--fie'], '--field'],
    [['warden', 'completion', ''], ''],
  ];
  const body = cases.map(([words]) => `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _warden; echo "\${COMPREPLY[*]}"`).join('\n');
  const r = spawnSync('bash', ['-c', `source ${file}\n${body}`], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout.split('\n').slice(0, cases.length),
    cases.map(([, want]) => want),
  );
});

test('zsh: one _arguments per command with its flags and choices; valid zsh', (t) => {
  const s = script('zsh');
  assert.match(s, /^#compdef warden\n/);
  assert.match(s, /hunt\) shift words; \(\( CURRENT-- \)\); _arguments -s .*'\(-f --format\)--format\[output format\]:value:\(table jsonl csv html\)'/);
  assert.match(s, /'\*-r\[Sigma rule file or folder \(repeatable\); added to the built-in pack\]:path:_files'/);
  assert.match(s, /evtx\) shift words; \(\( CURRENT-- \)\); if \(\( CURRENT == 2 \)\); then\n\s+local -a subs; subs=\('dump:/);
  if (!has('zsh')) return t.skip('zsh is not installed: content checked, syntax not');
  const dir = mkdtempSync(join(tmpdir(), 'warden-compl-'));
  writeFileSync(join(dir, '_warden'), s);
  const r = spawnSync('zsh', ['-n', join(dir, '_warden')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('fish: completes commands, flags and choices', (t) => {
  const s = script('fish');
  assert.match(s, /complete -c warden -n '__fish_use_subcommand' -a hunt -d 'run Sigma rules/);
  assert.match(s, /complete -c warden -n '__fish_seen_subcommand_from hunt' -s f -l format -x -a 'table jsonl csv html' -d 'output format'/);
  if (!has('fish')) return t.skip('fish is not installed: content checked, not run');
  const dir = mkdtempSync(join(tmpdir(), 'warden-compl-'));
  const file = join(dir, 'warden.fish');
  writeFileSync(file, s);
  const r = spawnSync('fish', ['-c', `source ${file}; complete -C 'warden hu'; echo ---; complete -C 'warden hunt --format '; echo ---; complete -C 'warden evtx dump --f'`], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const parts = r.stdout.split('---\n').map((p) =>
    p
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[0]),
  );
  assert.deepEqual(parts, [['hunt'], ['csv', 'html', 'jsonl', 'table'], ['--format']]);
});

test('an unknown shell is bad usage', () => {
  const r = spawnSync(process.execPath, [cli, 'completion', 'tcsh'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown shell "tcsh" \(one of: bash, zsh, fish\)/);
});
