/** `warden verify`: what changed in a root's components since the approved baseline. */
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { workersFlag } from './inventory.js';
import { StderrProblems } from './problems.js';
import { addStoreOptions, openStoreFrom, type StoreFlags } from './store-options.js';

interface VerifyFlags extends StoreFlags {
  root: string;
  format: 'table' | 'jsonl' | 'events';
  workers?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('verify')
    .description('compare the components under a root with the approved baseline: added, modified, removed, renamed, re-signed, permissions')
    .option('--root <dir>', 'the live system (/), a mounted image or a folder of collected files', '/')
    .addOption(
      new Option('-f, --format <format>', 'output: table, jsonl (one change per line), events (component_change events for warden hunt)')
        .choices(['table', 'jsonl', 'events'])
        .default('table'),
    )
    .option('--workers <n>', 'hashing threads, this one included (default: one per core; 0 or 1 = this thread only)');
  addStoreOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 nothing changed, 3 something changed, 1 some files could not be read (or no
baseline), 2 bad usage.

Examples:
  warden verify
  warden verify --root /mnt/image --format jsonl
  warden verify --format events > changes.jsonl && warden hunt changes.jsonl`,
  );
  cmd.action(async (flags: VerifyFlags) => {
    const { changesTable, changeToEvent, changeToJsonLine, eventRecord, verify } = await import('../api/integrity.js');
    const problems = new StderrProblems();
    const store = await openStoreFrom(flags);
    let result: Awaited<ReturnType<typeof verify>>;
    try {
      result = await verify(store, { root: flags.root, workers: workersFlag(flags.workers), problems });
    } catch (e) {
      process.stderr.write(`warden: ${(e as Error).message}\n`);
      process.exitCode = 1;
      return;
    } finally {
      await store.close();
    }
    const host = hostname();
    const now = Date.now();
    if (flags.format === 'jsonl') for (const c of result.changes) process.stdout.write(changeToJsonLine(c) + '\n');
    else if (flags.format === 'events') for (const c of result.changes) process.stdout.write(JSON.stringify(eventRecord(changeToEvent(c, host, now), undefined, false)) + '\n');
    else if (result.changes.length > 0) process.stdout.write(changesTable(result.changes));
    else process.stdout.write(`no changes since baseline ${result.info.id} (${result.info.records} items, approved by ${result.info.approvedBy})\n`);
    process.exitCode = problems.count > 0 ? 1 : result.changes.length > 0 ? 3 : 0;
  });
}
