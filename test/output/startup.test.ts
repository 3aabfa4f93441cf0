/**
 * `warden --version` answers without loading the command line (start-up, issue 14) and says
 * the same version as package.json; `warden <command>` loads only that command's module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/shared.js';
import { VERSION } from '../../src/cli/version.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

test("warden --version is package.json's version", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  for (const flag of ['-V', '--version']) assert.equal(spawnSync(process.execPath, [cli, flag], { encoding: 'utf8' }).stdout, `${pkg.version}\n`);
});

test('a command loads only its own module; --help lists every command', () => {
  const loaded = (args: string[]): string[] => {
    // A resolve hook names every module of src/cli/ as it is loaded.
    const r = spawnSync(
      process.execPath,
      [
        '--experimental-loader',
        'data:text/javascript,export async function resolve(s,c,n){const r=await n(s,c);if(r.url.includes("/dist/src/cli/"))process.stderr.write("LOADED "+r.url.split("/dist/src/cli/")[1]+"\\n");return r}',
        cli,
        ...args,
      ],
      { encoding: 'utf8' },
    );
    return r.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED '))
      .map((l) => l.slice(7))
      .sort();
  };
  assert.deepEqual(loaded(['--version']), ['main.js', 'version.js']);
  const evtx = loaded(['evtx', '--help']);
  assert.ok(evtx.includes('evtx.js'));
  assert.ok(!evtx.includes('hunt.js') && !evtx.includes('scan.js'), evtx.join(' '));
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }).stdout;
  for (const c of ['hunt', 'events', 'evtx', 'rules', 'coverage', 'scan']) assert.match(help, new RegExp(`^  ${c} `, 'm'));
});

test('a warm hunt loads neither the rule compiler, the YAML reader nor sinks it does not write with', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const events = join(dir, 'ten.jsonl');
  writeFileSync(events, `${JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\Windows\\System32\\cmd.exe' })}\n`);
  const run = (): string[] => {
    // A resolve hook names every module of dist/src/ as it is loaded.
    const r = spawnSync(
      process.execPath,
      [
        '--experimental-loader',
        'data:text/javascript,export async function resolve(s,c,n){const r=await n(s,c);if(r.url.includes("/dist/src/"))process.stderr.write("LOADED "+r.url.split("/dist/src/")[1]+"\\n");return r}',
        cli,
        'hunt',
        events,
        '--no-progress',
        '-f',
        'jsonl',
      ],
      // The built-in pack has more files than the cache's threshold.
      { encoding: 'utf8', env: { ...process.env, WARDEN_CACHE_DIR: join(dir, 'cache') } },
    );
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return r.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED '))
      .map((l) => l.slice(7));
  };
  const cold = run();
  assert.ok(cold.includes('sigma/collection.js'), 'a cold start compiles');
  const warm = run();
  for (const m of [
    'sigma/collection.js',
    'sigma/rule.js',
    'sigma/yaml.js',
    'sigma/yaml-fast.js',
    'sigma/modifiers.js',
    'engine/rules-setup.js',
    'web/html-sink.js',
    'output/table-sink.js',
    'output/csv-sink.js',
    'api/output.js',
  ]) {
    assert.ok(!warm.includes(m), `${m} loaded by a warm hunt`);
  }
  assert.ok(warm.includes('engine/rules-prepare.js') && warm.includes('output/jsonl-sink.js'), warm.join(' '));
});
