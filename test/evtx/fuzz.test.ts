/**
 * Check 4: thousands of randomly damaged copies (seeded, so failures reproduce) of sample
 * logs — bit flips, overwritten and zeroed ranges, truncation, swapped and duplicated
 * chunks, fake record headers, rewritten chunk header fields — are read without a
 * crash, a hang (watchdog per file) or unbounded allocation (the worker runs with a
 * 256 MiB heap limit). Each record's JSON must also survive a stringify/parse round trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { evtxSamplesDir, missing } from './shared.js';
import type { FuzzJob, FuzzMessage } from './fuzz-worker.js';

const SEED = 0x5eed_3e7;
const ITERATIONS = 3000;
const BUDGET_MS = 40_000;
const PER_FILE_MS = 10_000;

test('mutated EVTX files never crash, hang or allocate without bound', { skip: missing(evtxSamplesDir), timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'warden-evtx-fuzz-'));
  const job: FuzzJob = {
    samples: [
      'Security_short_selected.evtx',
      'sysmon.evtx',
      'system.evtx',
      'Application_no_crc32.evtx',
      'E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx',
      'MSExchange_Management_wec.evtx',
    ].map((f) => join(evtxSamplesDir, f)),
    tmpDir: tmp,
    seed: SEED,
    iterations: ITERATIONS,
    budgetMs: BUDGET_MS,
  };
  try {
    const result = await new Promise<{ iterations: number; records: number; problems: number }>((resolve, reject) => {
      const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), {
        workerData: { fuzz: job },
        resourceLimits: { maxOldGenerationSizeMb: 256 },
      });
      let current: FuzzMessage | undefined;
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          void worker.terminate();
          const c = current?.type === 'start' ? current : undefined;
          if (c) copyFileSync(c.file, join(tmpdir(), 'warden-evtx-fuzz-hang.evtx'));
          reject(new Error(`no progress for ${PER_FILE_MS} ms on case ${c?.i} (${c?.mutation}); kept as ${join(tmpdir(), 'warden-evtx-fuzz-hang.evtx')}`));
        }, PER_FILE_MS);
      };
      arm();
      worker.on('message', (m: FuzzMessage) => {
        current = m;
        arm();
        if (m.type === 'done') {
          clearTimeout(timer);
          resolve(m);
        }
      });
      worker.on('error', (e) => {
        clearTimeout(timer);
        const c = current?.type === 'start' ? current : undefined;
        if (c) copyFileSync(c.file, join(tmpdir(), 'warden-evtx-fuzz-crash.evtx'));
        reject(new Error(`worker failed on case ${c?.i} (${c?.mutation}): ${e.stack ?? e.message}`));
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`worker exited with ${code}`));
      });
    });
    console.log(`fuzz: ${result.iterations} mutated files, ${result.records} records recovered, ${result.problems} problems reported`);
    assert.ok(result.iterations >= 500, `only ${result.iterations} cases ran in the time budget`);
    assert.ok(result.records > 0);
    assert.ok(result.problems > 0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
