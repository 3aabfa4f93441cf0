#!/usr/bin/env node
/**
 * Runs the test files (dist/test/**\/*.test.js) with node's built-in runner. Node 20's
 * `node --test dist/test/` would also run every other .js under a test/ folder: helpers,
 * worker scripts and the fuzz harness's own CLI (which fuzzes for 30 minutes).
 * Extra arguments are passed to `node --test` (e.g. --test-name-pattern).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.isFile() && e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = testFiles('dist/test').sort();
// (--no-turbo-inlining: as the scan pool runs, see tuneJit in src/scan/pool.ts; Node 20's V8 can
// abort a test process from a background inlining job, a crash of V8's, not a failed assertion)
const r = spawnSync(process.execPath, ['--no-turbo-inlining', '--test', '--test-reporter=spec', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
