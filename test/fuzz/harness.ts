/**
 * The fuzz harness: runs the targets in a worker thread for a while and reports findings — an
 * exception escaping a target, an input that takes longer than `hangMs`, a worker that runs
 * out of its memory limit or pushes the process over `maxRssMb`. Each finding's input is saved,
 * and the worker restarts after the input that killed it.
 */
import { spawnSync } from 'node:child_process';
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
  /** Stop after this many inputs (iterations 0..n-1): a CI run is then the same inputs on any machine. */
  maxIterations?: number;
  only?: string[];
  findingsDir?: string;
  onProgress?: (iterations: number, findings: number) => void;
}

export interface FuzzResult {
  iterations: number;
  perTarget: Record<string, { runs: number; slowestMs: number; slowest?: { iteration: number; how: string; bytes: number } }>;
  findings: FuzzFinding[];
  /** Suspected hangs or memory findings that the input alone did not reproduce. */
  cleared: string[];
}

interface Replay {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
}

/**
 * Runs one input alone in a child process (heap capped at the RSS limit) and measures it: a
 * worker's RSS also holds garbage of earlier inputs, and a wall-clock timeout on a loaded machine
 * is not the input's cost. `undefined` means the child died or ran past `wallLimitMs`.
 */
function replayAlone(seed: number, i: number, only: string[] | undefined, maxRssMb: number, wallLimitMs: number): Replay | { died: string } {
  const args = [`--max-old-space-size=${maxRssMb}`, new URL('./replay.js', import.meta.url).pathname, String(seed), String(i)];
  if (only) args.push('--only', only.join(','));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: wallLimitMs, maxBuffer: 1 << 20 });
  const last = r.stdout?.trim().split('\n').at(-1);
  if (r.status === 0 && last?.startsWith('{')) return JSON.parse(last) as Replay;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { died: `no result after ${wallLimitMs} ms alone` };
  const why = /heap out of memory|allocation failed/i.test(r.stderr ?? '') ? 'out of memory' : `exit ${r.status ?? r.signal}`;
  return { died: `${why} alone: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}` };
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const hangMs = opts.hangMs ?? 10_000;
  const maxRss = (opts.maxRssMb ?? 1024) * 1024 * 1024;
  const end = Date.now() + opts.durationMs;
  const result: FuzzResult = { iterations: 0, perTarget: {}, findings: [], cleared: [] };
  const maxRssMb = opts.maxRssMb ?? 1024;
  const maxIterations = opts.maxIterations ?? Number.POSITIVE_INFINITY;
  let next = 0;
  const save = (f: FuzzFinding, input: Uint8Array | undefined): void => {
    if (input && opts.findingsDir) {
      mkdirSync(opts.findingsDir, { recursive: true });
      f.file = join(opts.findingsDir, `${f.kind}-${f.target.replace(/\W/g, '_')}-${opts.seed}-${f.iteration}.bin`);
      writeFileSync(f.file, input);
    }
    result.findings.push(f);
  };
  while (Date.now() < end && next < maxIterations) {
    const data: FuzzWorkerData = { seed: opts.seed, from: next, only: opts.only };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: Math.round(maxRss / 1048576) } });
    let current: { i: number; target: string; how: string; input: Uint8Array; at: number } | undefined;
    const outcome = await new Promise<'time' | 'hang' | 'exit' | 'memory'>((resolve) => {
      const timer = setInterval(() => {
        if (Date.now() >= end) resolve('time');
        else if (current && Date.now() - current.at > hangMs) resolve('hang');
        else if (current && process.memoryUsage().rss > maxRss) resolve('memory');
      }, 200);
      w.on('message', (m: FuzzToParent) => {
        if (m.type === 'start' && m.i >= maxIterations) resolve('time');
        else if (m.type === 'start') current = { i: m.i, target: m.target, how: m.how, input: m.input, at: Date.now() };
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
    await w.terminate();
    if ((outcome === 'hang' || outcome === 'memory') && current) {
      // confirmed on the input alone, by CPU time and peak RSS, before it counts
      const alone = replayAlone(opts.seed, current.i, opts.only, maxRssMb, Math.max(60_000, hangMs * 6));
      const label = `${current.target} #${current.i} ${current.how}`;
      if ('died' in alone) save({ kind: outcome, target: current.target, iteration: current.i, how: current.how, detail: alone.died }, current.input);
      else if (alone.cpuMs > hangMs)
        save({ kind: 'hang', target: current.target, iteration: current.i, how: current.how, detail: `${alone.cpuMs.toFixed(0)} CPU-ms alone (limit ${hangMs})` }, current.input);
      else if (alone.rssMb > maxRssMb)
        save(
          { kind: 'memory', target: current.target, iteration: current.i, how: current.how, detail: `peak RSS ${alone.rssMb.toFixed(0)} MB alone (limit ${maxRssMb})` },
          current.input,
        );
      else result.cleared.push(`${outcome} ${label}: alone ${alone.cpuMs.toFixed(0)} CPU-ms, peak RSS ${alone.rssMb.toFixed(0)} MB`);
    }
    if (current) next = current.i + 1;
  }
  return result;
}
