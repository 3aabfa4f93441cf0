/**
 * `node dist/test/fuzz/replay.js SEED ITERATION [--only T,...] [--save FILE]`: rebuilds one fuzz
 * input (same --only as the run), runs it alone in this process and prints its time, CPU and
 * peak RSS. The harness runs it in a child process to confirm a suspected hang or memory finding
 * on the input alone (a worker's RSS also holds garbage from earlier inputs, and wall time on a
 * loaded machine is not the input's cost).
 */
import { writeFileSync } from 'node:fs';
import { prng } from '../helpers/prng.js';
import { mutate } from './mutate.js';
import { targets } from './targets.js';

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv.splice(onlyAt, 2)[1]!.split(',') : undefined;
const [seedArg, iterArg, flag, file] = argv;
const seed = Number(seedArg);
const i = Number(iterArg);
const all = targets().filter((t) => !only || only.includes(t.name));
const t = all[i % all.length]!;
const { data, how } = mutate(t.seeds(), prng((seed * 1_000_003 + i) >>> 0));
if (flag === '--save' && file) writeFileSync(file, data);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await t.run(data);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const rssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${t.name} #${i} (${how}, ${data.length} bytes): ${wall.toFixed(0)} ms, cpu ${cpuMs.toFixed(0)} ms, peak rss ${rssMb.toFixed(0)} MB\n`);
process.stdout.write(`${JSON.stringify({ wallMs: wall, cpuMs, rssMb })}\n`);
