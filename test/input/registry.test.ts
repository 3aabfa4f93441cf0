/**
 * The format registry: each entry says what its decoder says (name, kind, description, the
 * same sniff score on every fixture), `load()` hands out one decoder object, and importing
 * the registry (what every hunt does) does not import the decoders kept behind `load()` —
 * audit.log's machinery and the EVTX reader load only when such a file is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatByName, formats, preloadDecoders } from '../../src/input/registry.js';
import * as fx from './text/fixtures.js';
import { repoRoot } from '../helpers/shared.js';

const fixtureLines = Object.values(fx)
  .filter((v): v is string => typeof v === 'string')
  .map((t) =>
    t
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 20),
  );

test('every registry entry agrees with the decoder it loads', async () => {
  for (const f of formats) {
    const d = await f.load();
    assert.equal(d.format, f.format);
    assert.equal(d.kind, f.kind);
    assert.equal(d.description, f.description);
    assert.equal(await f.load(), d, `${f.format}: one decoder object`);
    assert.equal(f.loaded(), d);
    if (f.kind === 'line' && d.kind === 'line') for (const lines of fixtureLines) assert.equal(f.sniff(lines), d.sniff(lines), `${f.format} sniff`);
    if (f.kind === 'file' && d.kind === 'file') {
      for (const head of [Buffer.from('ElfFile\0\0\0\0\0'), Buffer.from('{"a":1}\n'), Buffer.alloc(0)]) assert.equal(f.sniffBytes(head), d.sniffBytes(head));
    }
  }
  await preloadDecoders();
  assert.ok(formats.every((f) => f.loaded() !== undefined));
  assert.equal(formatByName('auditd')?.kind, 'line');
  assert.equal(formatByName('nope'), undefined);
});

test('importing the registry loads neither the audit.log decoder nor the EVTX reader', () => {
  const registry = join(repoRoot(), 'dist', 'src', 'input', 'registry.js');
  // A module-load hook (it runs off the main thread) prints every file module loaded.
  const hook = `data:text/javascript,export async function load(u,c,n){if(u.startsWith("file:"))process.stderr.write("LOADED "+u+"\\n");return n(u,c)}`;
  const script = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); await import(${JSON.stringify(`file://${registry}`)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const loaded = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(l.indexOf('/dist/src/') + 10));
  assert.ok(loaded.includes('input/registry.js'), loaded.join(' '));
  assert.ok(loaded.includes('input/text/auditd-sniff.js'));
  for (const heavy of ['input/text/auditd.js', 'input/text/auditd-record.js', 'input/evtx/reader.js', 'input/evtx/binxml.js']) {
    assert.ok(!loaded.includes(heavy), `${heavy} loaded with the registry`);
  }
});
