/**
 * Where the benchmarks find the shared test data (SigmaHQ rules, EVTX samples): beside the
 * checkout, wherever it is — `shared/` in the checkout's parent folder or any folder above
 * it — or where WARDEN_BENCH_RULES / WARDEN_SHARED point. Benchmarks say which they used.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (benchmarks run from dist/bench). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared data folder, or undefined when none is found. */
export function sharedDir(): string | undefined {
  const own = process.env['WARDEN_SHARED'];
  if (own) return existsSync(own) ? resolve(own) : undefined;
  for (let dir = REPO; ; dir = dirname(dir)) {
    const cand = join(dir, 'shared');
    if (dir !== REPO && existsSync(join(cand, 'sigma'))) return cand;
    if (dirname(dir) === dir) return undefined;
  }
}

export interface BenchRules {
  path: string;
  files: number;
  /** How the path was chosen, for the report. */
  source: string;
}

function countRuleFiles(p: string): number {
  if (!statSync(p).isDirectory()) return 1;
  let n = 0;
  for (const name of readdirSync(p)) {
    const c = join(p, name);
    if (statSync(c).isDirectory()) n += countRuleFiles(c);
    else if (/\.ya?ml$/i.test(name)) n++;
  }
  return n;
}

/** The rule set a benchmark runs: WARDEN_BENCH_RULES, else SigmaHQ's Windows rules beside the checkout. */
export function benchRules(): BenchRules | { missing: string } {
  const env = process.env['WARDEN_BENCH_RULES'];
  if (env) {
    const p = resolve(env);
    if (!existsSync(p)) return { missing: `WARDEN_BENCH_RULES=${env} does not exist` };
    return { path: p, files: countRuleFiles(p), source: 'WARDEN_BENCH_RULES' };
  }
  const shared = sharedDir();
  const p = shared ? join(shared, 'sigma', 'rules', 'windows') : undefined;
  if (!p || !existsSync(p)) return { missing: `no shared/sigma/rules/windows beside ${REPO} or above it (set WARDEN_BENCH_RULES or WARDEN_SHARED)` };
  return { path: p, files: countRuleFiles(p), source: `SigmaHQ Windows rules found beside the checkout` };
}

export function describeRules(r: BenchRules): string {
  return `rule set: ${r.path} (${r.files.toLocaleString('en-US')} rule files; ${r.source})`;
}
