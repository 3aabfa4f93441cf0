/** `node dist/test/fuzz/replay.js SEED ITERATION [--only T,...] [--save FILE]`: rebuilds one fuzz input (same --only as the run) and times it. */
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
const t0 = performance.now();
await t.run(data);
process.stdout.write(`${t.name} #${i} (${how}, ${data.length} bytes): ${(performance.now() - t0).toFixed(0)} ms\n`);
