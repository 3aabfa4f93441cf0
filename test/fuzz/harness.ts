/**
 * The fuzz harness: runs the targets in a worker thread for a while and reports findings — an
 * exception escaping a target, an input that takes longer than `hangMs`, a worker that runs
 * out of its memory limit or pushes the process over `maxRssMb`. Each finding's input is saved,
 * and the worker restarts after the input that killed it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FuzzToParent, FuzzWorkerData } from './worker.js';

export interface FuzzFinding {
  kind: 'exception' | 'hang' | 'crash' | 'memory';
  target: string;
  iteration: number;
  how: string;
  detail: string;
  file?: string;
}

export interface FuzzOptions {
  seed: number;
  durationMs: number;
  hangMs?: number;
  maxRssMb?: number;
  only?: string[];
  findingsDir?: string;
  onProgress?: (iterations: number, findings: number) => void;
}

export interface FuzzResult {
  iterations: number;
  perTarget: Record<string, { runs: number; slowestMs: number; slowest?: { iteration: number; how: string; bytes: number } }>;
  findings: FuzzFinding[];
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const hangMs = opts.hangMs ?? 10_000;
  const maxRss = (opts.maxRssMb ?? 1024) * 1024 * 1024;
  const end = Date.now() + opts.durationMs;
  const result: FuzzResult = { iterations: 0, perTarget: {}, findings: [] };
  let next = 0;
  const save = (f: FuzzFinding, input: Uint8Array | undefined): void => {
    if (input && opts.findingsDir) {
      mkdirSync(opts.findingsDir, { recursive: true });
      f.file = join(opts.findingsDir, `${f.kind}-${f.target.replace(/\W/g, '_')}-${opts.seed}-${f.iteration}.bin`);
      writeFileSync(f.file, input);
    }
    result.findings.push(f);
  };
  while (Date.now() < end) {
    const data: FuzzWorkerData = { seed: opts.seed, from: next, only: opts.only };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: Math.round(maxRss / 1048576) } });
    let current: { i: number; target: string; how: string; input: Uint8Array; at: number } | undefined;
    const outcome = await new Promise<'time' | 'hang' | 'exit' | 'memory'>((resolve) => {
      const timer = setInterval(() => {
        if (Date.now() >= end) resolve('time');
        else if (current && Date.now() - current.at > hangMs) resolve('hang');
        else if (process.memoryUsage().rss > maxRss) resolve('memory');
      }, 200);
      w.on('message', (m: FuzzToParent) => {
        if (m.type === 'start') current = { i: m.i, target: m.target, how: m.how, input: m.input, at: Date.now() };
        else if (m.type === 'end') {
          result.iterations++;
          const t = current?.target ?? '?';
          const pt = (result.perTarget[t] ??= { runs: 0, slowestMs: 0 });
          pt.runs++;
          if (m.ms > pt.slowestMs && current) {
            pt.slowestMs = m.ms;
            pt.slowest = { iteration: current.i, how: current.how, bytes: current.input.length };
          }
          next = m.i + 1;
          current = undefined;
          opts.onProgress?.(result.iterations, result.findings.length);
        } else {
          save({ kind: 'exception', target: m.target, iteration: m.i, how: m.how, detail: m.error.split('\n').slice(0, 4).join(' | ') }, current?.input);
          next = m.i + 1;
          current = undefined;
        }
      });
      w.on('error', (e) => {
        const oom = /out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(String((e as NodeJS.ErrnoException).code ?? e.message));
        if (current) save({ kind: oom ? 'memory' : 'crash', target: current.target, iteration: current.i, how: current.how, detail: e.message }, current.input);
        resolve('exit');
      });
      w.on('exit', () => resolve('exit'));
      w.once('exit', () => clearInterval(timer));
    });
    if (outcome === 'hang' && current)
      save({ kind: 'hang', target: current.target, iteration: current.i, how: current.how, detail: `no result after ${hangMs} ms` }, current.input);
    if (outcome === 'memory' && current)
      save({ kind: 'memory', target: current.target, iteration: current.i, how: current.how, detail: `process RSS over ${opts.maxRssMb ?? 1024} MB` }, current.input);
    if (current) next = current.i + 1;
    await w.terminate();
  }
  return result;
}
