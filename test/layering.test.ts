/**
 * The house's layering, held by a test: every import (static or dynamic) of src/ goes to the
 * same folder or to a lower layer, so data flows forward and folders never import each other
 * in a cycle; the engine knows no input format and no scanner; the command line uses only the
 * public API.
 *
 *  -1  errors.ts                    problems and typed errors
 *   0  event/                       the model
 *   1  sigma/, input/               rules and decoders
 *   2  engine/, scan/, coverage/, store/
 *   3  output/, integrity/
 * 3.5  web/                         the console and the HTML report (uses output/; drivers may serve it)
 * 3.75 stream/                      the cluster's transport and workers (`serve`'s roles run them)
 *   4  hunt/, search/, server/       drivers
 *   5  api/                         the public API, by area
 *   6  index.ts                     all of it in one module
 *   7  cli/
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from './helpers/shared.js';

const RANK: Record<string, number> = {
  'errors.ts': -1,
  event: 0,
  sigma: 1,
  input: 1,
  engine: 2,
  scan: 2,
  coverage: 2,
  store: 2,
  output: 3,
  integrity: 3,
  web: 3.5,
  hunt: 4,
  search: 4,
  server: 4,
  stream: 3.75,
  api: 5,
  'index.ts': 6,
  cli: 7,
};

/** Imports a folder may never make, whatever the layers say. */
const FORBIDDEN: Record<string, string[]> = {
  // The engine sees events, not files or formats; the scanner is a source like any other.
  engine: ['input', 'scan'],
};

const SRC = join(repoRoot(), 'src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function unitOf(file: string): string {
  return relative(SRC, file).split(/[\\/]/)[0]!;
}

function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

test('imports go to the same folder or a lower layer; no folder cycles; the engine knows no format; the CLI uses only the API', () => {
  const violations: string[] = [];
  const edges = new Set<string>();
  for (const file of sources(SRC)) {
    const from = unitOf(file);
    const fromRank = RANK[from];
    if (fromRank === undefined) {
      violations.push(`${relative(SRC, file)}: folder "${from}" has no layer; add it to RANK in test/layering.test.ts`);
      continue;
    }
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const rel = relative(SRC, target);
      if (rel.startsWith('..')) {
        violations.push(`${relative(SRC, file)} imports ${spec}, outside src/`);
        continue;
      }
      const to = unitOf(target).replace(/\.js$/, '.ts');
      if (to === from) continue;
      edges.add(`${from} -> ${to}`);
      const toRank = RANK[to];
      if (toRank === undefined) violations.push(`${relative(SRC, file)} imports ${spec}: "${to}" has no layer`);
      else if (toRank >= fromRank) violations.push(`${relative(SRC, file)} (layer ${fromRank}) imports ${spec} (${to}, layer ${toRank})`);
      if (FORBIDDEN[from]?.includes(to)) violations.push(`${relative(SRC, file)} imports ${spec}: ${from}/ must not import ${to}/`);
      if (from === 'cli' && to !== 'api') violations.push(`${relative(SRC, file)} imports ${spec}: the CLI uses only the public API (src/api)`);
    }
  }
  assert.deepEqual(violations, []);
  // The layers imply it, but say it plainly: no two folders import each other.
  for (const e of edges) {
    const [a, b] = e.split(' -> ');
    assert.ok(!edges.has(`${b} -> ${a}`), `cycle between ${a}/ and ${b}/`);
  }
});

test('the import scanner sees static, re-export and dynamic imports', () => {
  assert.deepEqual(importsOf("import { a } from './x.js';\nexport { b } from '../y.js';\nconst m = await import('../z.js');\nimport './side.js';"), [
    './x.js',
    '../y.js',
    '../z.js',
    './side.js',
  ]);
});
