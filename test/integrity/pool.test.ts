/**
 * Hashing on several threads gives exactly the facts hashing on this thread gives, in job
 * order, whatever the batch each file landed in: plain files (shipped packed), a missing file,
 * a symbolic link, a folder, an empty file, a file larger than the one-read buffer and an
 * unsigned PE (its signature checked on the worker thread).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeFileSync, loadSignatureCheck } from '../../src/integrity/describe.js';
import { batchSize, type DescribeJob, DescribePool, describeAll } from '../../src/integrity/pool.js';
import { FIXED_MTIME, makePe, owner, put, settle, sha256, tempRoot } from './helpers.js';

test('describeAll on threads: the same facts as on this thread, in job order', async () => {
  const root = tempRoot();
  const jobs: DescribeJob[] = [];
  for (let i = 0; i < 300; i++) {
    const body = `file ${i} `.repeat(i);
    jobs.push({ path: put(root, `d${i % 7}/f${i}.jsp`, body), sig: 'none' });
  }
  const big = Buffer.alloc(5 << 20, 7);
  jobs.splice(10, 0, { path: put(root, 'big.bin', big), sig: 'none' });
  jobs.splice(50, 0, { path: join(root, 'gone.jsp'), sig: 'none' });
  jobs.splice(90, 0, { path: join(root, 'd1'), sig: 'none' });
  jobs.push({ path: put(root, 'mod.dll', makePe('pool')), sig: 'pe' });
  settle(root);
  symlinkSync(join(root, 'd0/f0.jsp'), join(root, 'link.jsp'));
  jobs.splice(120, 0, { path: join(root, 'link.jsp'), sig: 'none' });
  const check = await loadSignatureCheck();
  const here = jobs.map((j) => describeFileSync(j.path, j.sig, check));
  for (const workers of [2, 3]) assert.deepEqual(await describeAll(jobs, workers), here, `workers ${workers}`);
  // spot checks of the facts themselves
  assert.deepEqual(here[0], { sha256: sha256(''), size: 0, mtime: FIXED_MTIME * 1000, mode: '644', owner: owner(), signature: { status: 'n/a' } });
  assert.equal(here[10]!.sha256, sha256(big));
  assert.equal(here[50]!.missing, true);
  assert.equal(here[90]!.sha256, '');
  assert.equal(here[120]!.sha256, '');
  assert.equal(here.at(-1)!.signature.status, 'unsigned');
});

test('a pool started early with few files describes them here and stops its threads', async () => {
  const root = tempRoot();
  const jobs: DescribeJob[] = [{ path: put(root, 'a.jsp', 'a'), sig: 'none' }];
  const pool = new DescribePool(4).start();
  try {
    assert.deepEqual(await pool.describe(jobs), [describeFileSync(jobs[0]!.path, 'none')]);
  } finally {
    await pool.close();
  }
});

test('batch sizes: large while much is left, small at the end, within 16..1024', () => {
  assert.equal(batchSize(20_000, 2), 1024);
  assert.equal(batchSize(2_000, 2), 250);
  assert.equal(batchSize(10, 2), 16);
});

test('files hashed early (while the walk goes on) give the facts hashing at describe time gives', async () => {
  const root = tempRoot();
  const paths: string[] = [];
  for (let i = 0; i < 900; i++) paths.push(put(root, `w/d${i % 9}/f${i}.jsp`, `early ${i} `.repeat(i % 50)));
  const pe = put(root, 'w/mod.dll', makePe('early'));
  settle(root);
  const pool = new DescribePool(3).start();
  try {
    // as a walk reports them: folder by folder, some twice, the PE among the plain files
    for (let d = 0; d < 9; d++) pool.hashSoon(paths.filter((_, i) => i % 9 === d));
    pool.hashSoon(paths.slice(0, 20));
    pool.hashSoon([pe, join(root, 'w/gone.jsp')]);
    // the candidates: most of them, the PE with its signature to check, one file scanned, one never hashed early
    const jobs: DescribeJob[] = [
      ...paths.slice(5).map((path): DescribeJob => ({ path, sig: 'none' })),
      { path: pe, sig: 'pe' },
      { path: paths[7]!, sig: 'none', scan: true },
      { path: join(root, 'w/gone.jsp'), sig: 'none' },
      { path: put(root, 'late.jsp', 'late'), sig: 'none' },
    ];
    const check = await loadSignatureCheck();
    const { scanVerdict } = await import('../../src/integrity/scan-verdict.js');
    const here = jobs.map((j) => describeFileSync(j.path, j.sig, check, j.scan ? scanVerdict : undefined));
    assert.deepEqual(await pool.describe(jobs), here);
    assert.equal(here.at(-4)!.signature.status, 'unsigned');
    assert.ok(here.at(-3)!.scan);
    assert.equal(here.at(-2)!.missing, true);
  } finally {
    await pool.close();
  }
});
