/** `warden watch`: report component changes under a root as they happen, until stopped. */
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError } from '../api/errors.js';
import { workersFlag } from './inventory.js';
import { StderrProblems } from './problems.js';
import { addStoreOptions, openStoreFrom, type StoreFlags } from './store-options.js';

interface WatchFlags extends StoreFlags {
  root: string;
  format: 'jsonl' | 'events' | 'table';
  workers?: string;
  maxWatches?: string;
  fullPass: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('watch')
    .description('watch the components under a root and report each change against the baseline once, within seconds')
    .option('--root <dir>', 'the live system (/), a mounted image or a folder of collected files', '/')
    .addOption(new Option('-f, --format <format>', 'output: jsonl (as verify), events (component_change events), table').choices(['jsonl', 'events', 'table']).default('jsonl'))
    .option('--workers <n>', 'hashing threads, this one included (default: one per core; 0 or 1 = this thread only)')
    .option('--max-watches <n>', 'watch at most this many folders (the rest is covered by the full pass)')
    .option('--full-pass <seconds>', 'full verification interval in seconds (at most 60)', '60');
  addStoreOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Runs until interrupted. A change already reported (also by an earlier run of watch) is not
reported again until it is approved or changes further. When folders cannot be watched, a
coverage_degraded record lists them; they are still checked by the full pass.

Examples:
  warden watch --root /
  warden watch --format events | warden hunt -`,
  );
  cmd.action(async (flags: WatchFlags) => {
    const { ComponentWatcher, changeSummary, changeToEvent, changeToJsonLine, eventRecord } = await import('../api/integrity.js');
    const full = Number(flags.fullPass);
    if (!(full > 0)) throw new UsageError(`--full-pass needs a positive number of seconds, got "${flags.fullPass}"`);
    const maxWatches = flags.maxWatches === undefined ? undefined : Number(flags.maxWatches);
    if (maxWatches !== undefined && !(Number.isInteger(maxWatches) && maxWatches >= 0)) throw new UsageError(`--max-watches needs a whole number, got "${flags.maxWatches}"`);
    const problems = new StderrProblems();
    const store = await openStoreFrom(flags);
    const host = hostname();
    const watcher = new ComponentWatcher(store, {
      root: flags.root,
      workers: workersFlag(flags.workers),
      problems,
      fullPassMs: full * 1000,
      maxWatches,
      report(r) {
        if (r.type === 'coverage_degraded') {
          if (flags.format === 'table') process.stdout.write(`coverage_degraded  ${r.unwatched.length} folders unwatched: ${r.reason}\n`);
          else if (flags.format === 'events')
            process.stdout.write(
              JSON.stringify(
                eventRecord(
                  {
                    fields: { Change: 'coverage_degraded', Unwatched: r.unwatched, Reason: r.reason },
                    logsource: { product: 'warden', category: 'component_change' },
                    host,
                    timestamp: r.at,
                    origin: { file: flags.root, record: 0, format: 'component_change', key: `coverage_degraded:${r.at}` },
                  },
                  undefined,
                  false,
                ),
              ) + '\n',
            );
          else process.stdout.write(JSON.stringify({ change: 'coverage_degraded', unwatched: r.unwatched, reason: r.reason }) + '\n');
          return;
        }
        const c = r.change;
        if (flags.format === 'events') process.stdout.write(JSON.stringify(eventRecord(changeToEvent(c, host, r.at), undefined, false)) + '\n');
        else if (flags.format === 'table') process.stdout.write(`${c.change}  ${c.item.kind}  ${c.item.path}  ${changeSummary(c)}\n`);
        else process.stdout.write(changeToJsonLine(c) + '\n');
      },
    });
    try {
      await watcher.start();
    } catch (e) {
      await store.close();
      process.stderr.write(`warden: ${(e as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`warden: watching ${flags.root} (stop with Ctrl-C)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await watcher.stop();
    await store.close();
  });
}
