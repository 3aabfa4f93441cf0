/**
 * `npm run bench [-- AREA...]`: runs every bench/<area>.js module's `run()` (or only the
 * named areas). Benchmarks print figures and ratios; they never fail on speed.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
// startup-cli runs inside startup; shared-data is a helper.
const skip = new Set(['run.js', 'eval-scan.js', 'startup-cli.js', 'shared-data.js']);
const areas = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !skip.has(f))
  .map((f) => f.slice(0, -3))
  .filter((a) => wanted.length === 0 || wanted.includes(a))
  .sort();

for (const area of areas) {
  const mod = (await import(pathToFileURL(join(here, `${area}.js`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  process.stdout.write(`\n=== bench: ${area} ===\n`);
  try {
    await mod.run();
  } catch (e) {
    process.stdout.write(`bench ${area} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
}
