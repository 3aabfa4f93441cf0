/**
 * The README tells the truth about the program (issue 14): its input-format table names the
 * decoders `--input-format` accepts, every flag in its example command lines exists in that
 * command's --help, `warden events` lines have the shape it describes, and every command's
 * --help has examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_FORMATS } from '../../src/cli/events.js';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function help(cmd: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...cmd, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const COMMANDS = [['hunt'], ['events'], ['evtx'], ['evtx', 'dump'], ['rules'], ['rules', 'lint'], ['coverage'], ['scan']];

test('the input-format table names exactly the decoders --input-format accepts', () => {
  const section = readme.slice(readme.indexOf('## Input formats'));
  const table = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
  assert.deepEqual([...table].sort(), INPUT_FORMATS.split(', ').sort());
});

test('every command has --help with examples', () => {
  for (const cmd of COMMANDS) assert.match(help(cmd), /\nExamples:\n {2}warden /, cmd.join(' '));
});

test('every flag in the README example command lines exists in that command', () => {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  let checked = 0;
  for (const line of blocks.flatMap((b) => b.split('\n'))) {
    const m = /warden ((?:evtx |rules )?[a-z]+)((?: [^#|>]*)?)/.exec(line);
    if (!m) continue;
    const cmd = m[1]!.split(' ');
    const text = help(cmd);
    for (const flag of m[2]!.match(/(?<=\s)--?[a-zA-Z][\w-]*/g) ?? []) {
      assert.ok(text.includes(flag), `README: \`${line.trim()}\` uses ${flag}, which \`warden ${cmd.join(' ')} --help\` does not list`);
      checked++;
    }
  }
  assert.ok(checked > 15, `only ${checked} flags checked`);
});

test('warden events lines have the shape the README gives', () => {
  const r = spawnSync(process.execPath, [cli, 'events', 'examples/logs/web01-sysmon.jsonl', '-n', '1'], { encoding: 'utf8', cwd: root });
  const ev = JSON.parse(r.stdout) as Record<string, unknown>;
  const described =
    /Each line: `\{"timestamp", "host", "logsource": \{product, category, service\}, "resolved":\n\{product, services, categories\}, "source", "fields": \{\.\.\.\}, "raw"\?\}`/;
  assert.match(readme, described);
  assert.deepEqual(Object.keys(ev).sort(), ['fields', 'host', 'logsource', 'raw', 'resolved', 'source', 'timestamp']);
  for (const k of Object.keys(ev.resolved as object)) assert.ok(['product', 'services', 'categories'].includes(k), k);
  for (const k of Object.keys(ev.logsource as object)) assert.ok(['product', 'category', 'service'].includes(k), k);
});
