/**
 * Reader API on real samples: chunk ranges (for splitting a file across workers) add up
 * to the whole file, the FileDecoder yields normalized events with their origin, and
 * `warden evtx dump` prints JSON lines / XML with problems on stderr and exit code 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ProblemList } from '../../src/errors.js';
import { countChunks, readEvtx } from '../../src/input/evtx/reader.js';
import { evtxDecoder, readEvtxEvents } from '../../src/input/evtx/decoder.js';
import { dumpEvtx } from '../../src/output/evtx-dump.js';
import { evtxSamplesDir, missing, repoRoot } from './shared.js';

const skip = missing(evtxSamplesDir);
const security = join(evtxSamplesDir, 'security.evtx');

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

test('chunk ranges split a file without losing or repeating records', { skip }, async () => {
  const chunks = await countChunks(security);
  assert.equal(chunks, 33);
  const all: number[] = [];
  for await (const r of readEvtx(security, { problems: new ProblemList() })) all.push(r.recordId);
  const half = Math.ceil(chunks / 2);
  const parts: number[] = [];
  for (const [firstChunk, chunkCount] of [
    [0, half],
    [half, chunks - half],
  ] as const) {
    for await (const r of readEvtx(security, { problems: new ProblemList(), firstChunk, chunkCount })) {
      assert.ok(r.chunkIndex >= firstChunk && r.chunkIndex < firstChunk + chunkCount);
      parts.push(r.recordId);
    }
  }
  assert.deepEqual(parts, all);
  assert.equal(all.length, 2261);
});

test('records carry their file offset, chunk and header time', { skip }, async () => {
  for await (const r of readEvtx(security, { problems: new ProblemList() })) {
    assert.equal(r.recordId, 1);
    assert.equal(r.chunkIndex, 0);
    assert.equal(r.offset, 4096 + 512);
    assert.equal(new Date(r.timestamp).toISOString(), '2016-07-08T18:12:51.681Z');
    break;
  }
});

test('the FileDecoder yields normalized events with an evtx origin', { skip }, async () => {
  const problems = new ProblemList();
  let n = 0;
  for await (const ev of evtxDecoder.read(security, { file: security, problems })) {
    if (n === 0) {
      assert.deepEqual(ev.origin, { file: security, record: 1, offset: 4608, format: 'evtx' });
      assert.equal(ev.fields['EventID'], 4608);
      assert.equal(ev.fields['Channel'], 'Security');
    }
    n++;
  }
  assert.equal(n, 2261);
  assert.equal(problems.count, 0);
  let inRange = 0;
  for await (const ev of readEvtxEvents(security, { file: security, problems }, { firstChunk: 1, chunkCount: 2 })) {
    assert.ok(ev.origin.offset! >= 4096 + 65536 && ev.origin.offset! < 4096 + 3 * 65536);
    inRange++;
  }
  assert.ok(inRange > 0 && inRange < 2261);
});

test('dumpEvtx writes one JSON line per record, or XML', { skip }, async () => {
  const out = new Sink();
  const problems = new ProblemList();
  const n = await dumpEvtx([join(evtxSamplesDir, 'new-user-security.evtx')], 'jsonl', out, problems);
  assert.equal(n, 4);
  const lines = out.text.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  for (const l of lines) assert.ok((JSON.parse(l) as { Event?: unknown }).Event);
  const xml = new Sink();
  await dumpEvtx([join(evtxSamplesDir, 'new-user-security.evtx')], 'xml', xml, problems);
  assert.equal(xml.text.split('<?xml version="1.0" encoding="utf-8"?>').length - 1, 4);
  assert.match(xml.text, /^Record \d+\n<\?xml/);
  assert.equal(problems.count, 0);
});

/** Runs `evtx dump ARGS` through the command's own register() in a child process. */
function runDump(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const cliModule = new URL('../../src/cli/evtx.js', import.meta.url).href;
  const script = `
    import { Command } from 'commander';
    import { register } from ${JSON.stringify(cliModule)};
    const program = new Command().exitOverride();
    register(program);
    try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); }
    catch (e) { process.stderr.write(String(e.message) + '\\n'); process.exitCode = 2; }
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, 'evtx', 'dump', ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('`warden evtx dump` reports damage on stderr and exits 1, and rejects bad formats', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-evtx-cli-'));
  try {
    const garbage = join(dir, 'garbage.evtx');
    writeFileSync(garbage, Buffer.from('not an event log at all'));
    const bad = runDump([garbage]);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, `warden: input error: ${garbage}: file too short for an EVTX header (23 bytes)\n`);

    const good = runDump([join(evtxSamplesDir, 'new-user-security.evtx')]);
    assert.equal(good.status, 0);
    assert.equal(good.stderr, '');
    assert.equal(good.stdout.trimEnd().split('\n').length, 4);

    const usage = runDump(['--format', 'csv', garbage]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--format must be jsonl or xml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memory stays flat on a large file (chunks read a batch at a time)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-evtx-big-'));
  try {
    const src = readFileSync(security);
    const big = join(dir, 'big.evtx');
    // 20 copies of the 33 chunks: ~43 MB, 45,220 records (chunks past the header's count are still read)
    writeFileSync(big, Buffer.concat([src.subarray(0, 4096), ...Array.from({ length: 20 }, () => src.subarray(4096))]));
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    for await (const r of readEvtx(big, { problems: new ProblemList() })) {
      void r;
      if (++n % 2048 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    assert.equal(n, 2261 * 20);
    assert.ok(peak < 96 * 1024 * 1024, `heap grew by ${Math.round(peak / 1048576)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
