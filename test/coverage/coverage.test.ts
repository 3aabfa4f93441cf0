/**
 * `warden coverage`: the data-source mapping, the matrix built from the built-in pack and
 * from user rules, and the three output formats through the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ProblemList, formatProblem } from '../../src/errors.js';
import { dataSourcesOf } from '../../src/coverage/datasource.js';
import { buildCoverage, rowsOf, EXPECTED, ROWS } from '../../src/coverage/matrix.js';
import { renderTable } from '../../src/coverage/render.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RULES = join(REPO, 'rules');
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

const USER_RULE = `title: Site rule - request to our legacy upload handler
id: 0b6c3f0e-4e55-4f4e-9d0b-52a1c4b8e7a1
status: experimental
description: Requests to the old upload handler we are retiring.
author: Site SOC
date: 2026-11-26
tags:
    - attack.persistence
    - attack.t1505.003
logsource:
    category: webserver
detection:
    selection:
        cs-uri-stem|endswith: '/legacy/upload.ashx'
    condition: selection
level: low
`;

const OTHER_RULE = `title: Site rule - not about T1505
id: 6a0f7b62-0d3e-4c55-8f53-8b1f3d2c9e10
status: experimental
description: Something else entirely.
author: Site SOC
date: 2026-11-26
tags:
    - attack.discovery
    - attack.t1087
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\net.exe'
    condition: selection
level: low
`;

function userRulesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-coverage-'));
  writeFileSync(join(dir, 'legacy_upload.yml'), USER_RULE);
  writeFileSync(join(dir, 'other.yml'), OTHER_RULE);
  return dir;
}

test('data sources come from the logsource', () => {
  assert.deepEqual(dataSourcesOf({ category: 'process_creation', product: 'windows' }), ['process_creation']);
  assert.deepEqual(dataSourcesOf({ category: 'file_event', product: 'linux' }), ['file_creation', 'file_modification']);
  assert.deepEqual(dataSourcesOf({ category: 'image_load', product: 'windows' }), ['module_load']);
  assert.deepEqual(dataSourcesOf({ category: 'registry_set', product: 'windows' }), ['registry_modification']);
  assert.deepEqual(dataSourcesOf({ category: 'ps_script', product: 'windows' }), ['command_execution']);
  assert.deepEqual(dataSourcesOf({ category: 'ps_classic_script', product: 'windows' }), ['command_execution']);
  assert.deepEqual(dataSourcesOf({ category: 'webserver' }), ['network_content']);
  assert.deepEqual(dataSourcesOf({ category: 'network_connection', product: 'windows' }), ['network_flow']);
  assert.deepEqual(dataSourcesOf({ product: 'zeek', service: 'conn' }), ['network_flow']);
  assert.deepEqual(dataSourcesOf({ product: 'zeek', service: 'http' }), ['network_content']);
  assert.deepEqual(dataSourcesOf({ product: 'esxi', service: 'shell' }), ['command_execution']);
  assert.deepEqual(dataSourcesOf({ product: 'esxi', service: 'esxupdate' }), ['application_log']);
  assert.deepEqual(dataSourcesOf({ product: 'teamcity', service: 'activities' }), ['application_log']);
  assert.deepEqual(dataSourcesOf({ product: 'warden', category: 'webshell_scan' }), ['file_content']);
  assert.deepEqual(dataSourcesOf({ category: 'waf' }), ['application_log']);
  // Network IDS and the new application logs.
  assert.deepEqual(dataSourcesOf({ product: 'suricata', category: 'ids' }), ['network_content']);
  assert.deepEqual(dataSourcesOf({ product: 'suricata', service: 'http' }), ['network_content']);
  assert.deepEqual(dataSourcesOf({ product: 'suricata', service: 'flow' }), ['network_flow']);
  assert.deepEqual(dataSourcesOf({ product: 'mysql', service: 'general' }), ['application_log']);
  assert.deepEqual(dataSourcesOf({ product: 'mysql', service: 'error' }), ['application_log']);
  assert.deepEqual(dataSourcesOf({ product: 'postgresql', service: 'postgresql' }), ['application_log']);
  // Sysmon for Linux: the Windows Sysmon categories mean the same there.
  assert.deepEqual(dataSourcesOf({ product: 'linux', category: 'process_creation' }), ['process_creation']);
  assert.deepEqual(dataSourcesOf({ product: 'linux', category: 'file_event' }), ['file_creation', 'file_modification']);
  assert.deepEqual(dataSourcesOf({ product: 'linux', category: 'network_connection' }), ['network_flow']);
  // Security events are read by what they record.
  assert.deepEqual(dataSourcesOf({ product: 'windows', service: 'security' }, { detection: { selection: { EventID: 4657 } } } as never), ['registry_modification']);
  assert.deepEqual(dataSourcesOf({ product: 'windows', service: 'security' }, { detection: { selection: { EventID: 4625 } } } as never), ['application_log']);
  // auditd: file-creation records vs everything else.
  assert.deepEqual(dataSourcesOf({ product: 'linux', service: 'auditd' }, { detection: { s: { nametype: 'CREATE' } } } as never), ['file_creation']);
  assert.deepEqual(dataSourcesOf({ product: 'linux', service: 'auditd' }, { detection: { s: { type: 'EXECVE' } } } as never), ['command_execution']);
});

test('rows come from the ATT&CK tags', () => {
  assert.deepEqual(rowsOf(['attack.persistence', 'attack.t1505', 'attack.t1505.003']), ['T1505.003']);
  assert.deepEqual(rowsOf(['attack.T1505.001', 'attack.t1505.004']), ['T1505.001', 'T1505.004']);
  assert.deepEqual(rowsOf(['attack.persistence', 'attack.t1505']), ['T1505-plugins']);
  assert.deepEqual(rowsOf(['attack.t1059']), []);
});

test('the built-in pack leaves no expected cell empty', () => {
  const problems = new ProblemList();
  const m = buildCoverage({ paths: [RULES], builtinDir: RULES }, problems);
  assert.deepEqual(problems.problems.map(formatProblem), []);
  assert.deepEqual(m.gaps, []);
  assert.equal(m.outside, 0);
  assert.ok(m.rules.every((r) => r.builtin));
  // Every expected cell really holds a rule of that row.
  for (const row of ROWS) {
    for (const col of EXPECTED[row.id]) {
      const cell = m.cells[row.id][col];
      assert.ok(cell.builtin > 0, `${row.id} x ${col}`);
      for (const id of cell.rules) assert.ok(m.rules.find((r) => r.id === id)!.rows.includes(row.id));
    }
  }
  assert.equal(m.cells['T1505.005'].registry_modification.builtin, 2);
  assert.equal(m.cells['T1505.006'].command_execution.builtin, 3);
});

test('user rules are counted next to the pack, rules outside T1505 are left out', () => {
  const dir = userRulesDir();
  try {
    const problems = new ProblemList();
    const withPack = buildCoverage({ paths: [RULES, dir], builtinDir: RULES }, problems);
    const alone = buildCoverage({ paths: [RULES], builtinDir: RULES }, problems);
    assert.deepEqual(problems.problems, []);
    const cell = withPack.cells['T1505.003'].network_content;
    assert.equal(cell.user, 1);
    assert.equal(cell.builtin, alone.cells['T1505.003'].network_content.builtin);
    assert.ok(cell.rules.includes('0b6c3f0e-4e55-4f4e-9d0b-52a1c4b8e7a1'));
    assert.equal(withPack.outside, 1);
    const table = renderTable(withPack);
    assert.match(table, /Cells: built-in\+user rules/);
    assert.match(table, new RegExp(`T1505\\.003 Web Shell .* ${cell.builtin}\\+1 `));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'coverage', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('warden coverage prints the table', () => {
  const r = cli([]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(
    lines[0]!,
    /^Technique\s+AppLog\s+FileCreate\s+FileModify\s+Process\s+Command\s+NetFlow\s+NetContent\s+ModuleLoad\s+Registry\s+Scanner\s+Components\s+Correlation\s+Rules$/,
  );
  for (const row of ['T1505.001', 'T1505.002', 'T1505.003', 'T1505.004', 'T1505.005', 'T1505.006'])
    assert.ok(
      lines.some((l) => l.startsWith(row + ' ')),
      row,
    );
  assert.ok(lines.some((l) => l.startsWith('T1505 CI/CD and collaboration-server plugins')));
  assert.ok(lines.filter((l) => l.startsWith('T1505')).every((l) => !l.includes('0!')));
  assert.match(r.stdout, /; 0 gaps\./);
});

test('warden coverage --format json and --format navigator', () => {
  const j = cli(['--format', 'json']);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { techniques: { id: string; dataSources: Record<string, { builtin: number; expected: boolean }> }[]; gaps: unknown[] };
  assert.equal(doc.techniques.length, 7);
  assert.deepEqual(doc.gaps, []);
  const ws = doc.techniques.find((t) => t.id === 'T1505.003')!;
  assert.equal(ws.dataSources.network_content!.expected, true);
  assert.ok(ws.dataSources.network_content!.builtin > 0);

  const dir = mkdtempSync(join(tmpdir(), 'warden-layer-'));
  try {
    const out = join(dir, 'layer.json');
    const n = cli(['--format', 'navigator', '-o', out]);
    assert.equal(n.status, 0, n.stderr);
    assert.equal(n.stdout, '');
    const layer = JSON.parse(readFileSync(out, 'utf8')) as {
      domain: string;
      versions: { layer: string };
      techniques: { techniqueID: string; score: number; comment: string; tactic: string }[];
    };
    assert.equal(layer.domain, 'enterprise-attack');
    assert.equal(layer.versions.layer, '4.5');
    assert.deepEqual(layer.techniques.map((t) => t.techniqueID).sort(), ['T1505', 'T1505.001', 'T1505.002', 'T1505.003', 'T1505.004', 'T1505.005', 'T1505.006']);
    const parent = layer.techniques.find((t) => t.techniqueID === 'T1505')!;
    const subs = layer.techniques.filter((t) => t.techniqueID !== 'T1505');
    assert.ok(subs.every((t) => t.score > 0 && t.tactic === 'persistence'));
    assert.ok(parent.score >= Math.max(...subs.map((t) => t.score)));
    assert.match(parent.comment, /CI\/CD and collaboration-server plugins: AppLog \d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warden coverage with only user rules shows the gaps; no rules at all is bad usage', () => {
  const dir = userRulesDir();
  try {
    const r = cli(['--no-builtin', '--rules', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^T1505\.003 Web Shell .*0!/m);
    assert.match(r.stdout, /1 T1505 rules \(0 correlations\), 1 other rules loaded; \d+ gaps\./);
    const none = cli(['--no-builtin']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /needs at least one --rules path/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken user rule is reported and the exit code says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-coverage-bad-'));
  try {
    writeFileSync(join(dir, 'broken.yml'), 'title: broken\ndetection: [\n');
    const r = cli(['--rules', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /broken\.yml/);
    assert.match(r.stdout, /; 0 gaps\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
