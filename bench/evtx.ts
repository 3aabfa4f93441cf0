/**
 * EVTX reading speed: Warden's native reader (in-process API and `warden evtx dump`
 * CLI) next to libevtx's `evtxexport` on the same files in the same run, and `warden
 * hunt` over EVTX. The sample logs are read repeatedly to a decent volume. Prints
 * figures only; never fails on speed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProblemList } from '../src/errors.js';
import { readEvtx, readEvtxChunks } from '../src/input/evtx/reader.js';
import { recordToJson } from '../src/input/evtx/render-json.js';
import { recordToXml } from '../src/input/evtx/render-xml.js';
import { hunt } from '../src/hunt/run.js';
import { Tally } from '../src/output/tally.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const shared = resolve(repoRoot, '..', 'shared');
const samplesDir = join(shared, 'logs', 'evtx');
const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
/** Read the sample set this many times (about 90k records, 70 MB per pass set). */
const REPS = 5;

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function line(label: string, records: number, bytes: number, seconds: number): void {
  process.stdout.write(
    `${label.padEnd(44)} ${fmt(records / seconds).padStart(9)} records/s ${(bytes / seconds / 1e6).toFixed(1).padStart(7)} MB/s  (${fmt(records)} records, ${seconds.toFixed(2)} s)\n`,
  );
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

function runQuiet(cmd: string, args: string[]): Promise<{ code: number | null; stdoutBytes: number; eventLines: number; lines: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdoutBytes = 0;
    let eventLines = 0;
    let lines = 0;
    let tail = '';
    child.stdout.on('data', (b: Buffer) => {
      stdoutBytes += b.length;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
      const s = tail + b.toString('latin1');
      let i = -1;
      while ((i = s.indexOf('Event number', i + 1)) >= 0) eventLines++;
      tail = s.slice(-16);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdoutBytes, eventLines, lines }));
  });
}

/** A temp copy of `src` with its chunks repeated `times` times (2,261 records per copy for security.evtx). */
function bigFile(src: string, times: number): { dir: string; path: string; records: number } {
  const data = readFileSync(src);
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-evtx-'));
  const path = join(dir, 'big.evtx');
  writeFileSync(path, Buffer.concat([data.subarray(0, 4096), ...Array.from({ length: times }, () => data.subarray(4096))]));
  return { dir, path, records: 2261 * times };
}

export async function run(): Promise<void> {
  if (!existsSync(samplesDir)) {
    process.stdout.write(`skipped: ${samplesDir} not found (../shared is absent)\n`);
    return;
  }
  const files = readdirSync(samplesDir)
    .filter((f) => f.endsWith('.evtx'))
    .sort()
    .map((f) => join(samplesDir, f));
  const bytesPerPass = files.reduce((n, f) => n + statSync(f).size, 0);
  const bytes = bytesPerPass * REPS;
  process.stdout.write(`${files.length} sample files, ${(bytesPerPass / 1e6).toFixed(1)} MB, read ${REPS} times\n`);

  // one untimed pass so the first figure does not carry the JIT warm-up
  for (const f of files) for await (const c of readEvtxChunks(f, { problems: new ProblemList() })) for (const rec of c.records) JSON.stringify(recordToJson(rec.tree));

  // in-process: the dump path (JSON text), the object API, XML
  const [dumpRecords, dumpS] = await time(async () => {
    let n = 0;
    for (let r = 0; r < REPS; r++) {
      for (const f of files) {
        for await (const c of readEvtxChunks(f, { problems: new ProblemList() })) {
          const parts: string[] = [];
          for (const rec of c.records) parts.push(JSON.stringify(recordToJson(rec.tree)), '\n');
          parts.join('');
          n += c.records.length;
        }
      }
    }
    return n;
  });
  line('in-process: records -> JSON lines', dumpRecords, bytes, dumpS);
  const [objRecords, objS] = await time(async () => {
    let n = 0;
    for (let r = 0; r < REPS; r++) for (const f of files) for await (const _ of readEvtx(f, { problems: new ProblemList() })) n++;
    return n;
  });
  line('in-process: readEvtx (JSON objects)', objRecords, bytes, objS);
  const [xmlRecords, xmlS] = await time(async () => {
    let n = 0;
    for (let r = 0; r < REPS; r++) {
      for (const f of files) {
        for await (const c of readEvtxChunks(f, { problems: new ProblemList() })) {
          for (const rec of c.records) recordToXml(rec.tree);
          n += c.records.length;
        }
      }
    }
    return n;
  });
  line('in-process: records -> XML', xmlRecords, bytes, xmlS);

  // the CLI, end to end (process start, output writing)
  const args = [cli, 'evtx', 'dump'];
  for (let r = 0; r < REPS; r++) args.push(...files);
  const [cliRun, cliS] = await time(() => runQuiet(process.execPath, args));
  line(`warden evtx dump (CLI, jsonl, exit ${cliRun.code})`, dumpRecords, bytes, cliS);

  // libevtx's evtxexport on the same files, same number of passes
  const probe = spawnSync('evtxexport', ['-V'], { stdio: 'ignore' });
  if (probe.error) {
    process.stdout.write('evtxexport: not installed (apt-get install libevtx-utils) - no comparison\n');
  } else {
    const [ex, exS] = await time(async () => {
      let events = 0;
      for (let r = 0; r < REPS; r++) for (const f of files) events += (await runQuiet('evtxexport', [f])).eventLines;
      return events;
    });
    line('evtxexport (libevtx, text output)', ex, bytes, exS);
    process.stdout.write(`warden CLI vs evtxexport: ${(exS / cliS).toFixed(1)}x the speed, ${fmt(dumpRecords - ex)} more records recovered\n`);
  }

  // one large log (security.evtx's chunks repeated), where start-up costs vanish
  const big = bigFile(join(samplesDir, 'security.evtx'), 50);
  try {
    const bigBytes = statSync(big.path).size;
    const [bigRun, bigS] = await time(() => runQuiet(process.execPath, [cli, 'evtx', 'dump', big.path]));
    // records counted from the output (one JSON line each), not assumed
    line(`warden evtx dump, one ${(bigBytes / 1e6).toFixed(0)} MB file (exit ${bigRun.code})`, bigRun.lines, bigBytes, bigS);
    if (bigRun.lines !== big.records) process.stdout.write(`  note: ${fmt(bigRun.lines)} records written, ${fmt(big.records)} expected\n`);
    if (!probe.error) {
      const [ex, exS] = await time(() => runQuiet('evtxexport', [big.path]));
      line(`evtxexport, the same file`, ex.eventLines, bigBytes, exS);
      process.stdout.write(`warden CLI vs evtxexport on one large file: ${(exS / bigS).toFixed(1)}x the speed\n`);
    }
  } finally {
    rmSync(big.dir, { recursive: true, force: true });
  }

  // hunting over EVTX with the SigmaHQ Windows rules
  const rules = join(shared, 'sigma', 'rules', 'windows');
  if (existsSync(rules)) {
    for (const threads of [1, 2]) {
      const problems = new ProblemList();
      const tally = new Tally();
      const [st, s] = await time(() => hunt({ inputs: files, rules: { rulePaths: [rules], builtin: false }, threads, inlineBelowBytes: 0 }, [tally], problems));
      line(`warden hunt, ${st.rulesLoaded} rules, ${threads} thread(s), ${tally.total} hits`, st.events, bytesPerPass, s);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
