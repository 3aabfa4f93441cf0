/** `warden baseline`: approve the current inventory of a root; `warden baseline approve ITEM...|--all` accepts changes. */
import type { Command } from 'commander';
import { UsageError } from '../api/errors.js';
import { workersFlag } from './inventory.js';
import { StderrProblems } from './problems.js';
import { addStoreOptions, openStoreFrom, type StoreFlags } from './store-options.js';

interface BaselineFlags extends StoreFlags {
  root: string;
  workers?: string;
  by?: string;
  note?: string;
  all?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('baseline')
    .description('record the current component inventory of a root as approved (or approve changes found by verify)')
    .argument('[action]', '"approve" to accept changes instead of taking a new baseline')
    .argument('[items...]', 'with approve: item ids or paths whose changes are accepted')
    .option('--root <dir>', 'the live system (/), a mounted image or a folder of collected files', '/')
    .option('--workers <n>', 'hashing threads, this one included (default: one per core; 0 or 1 = this thread only)')
    .option('--by <name>', 'who approves (default: the current user)')
    .option('--note <text>', 'a note kept with the baseline')
    .option('--all', 'with approve: accept every change');
  addStoreOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  warden baseline --root / --note "after patch Tuesday"
  warden baseline approve /var/lib/jenkins/plugins/git.jpi
  warden baseline approve --all`,
  );
  cmd.action(async (action: string | undefined, items: string[], flags: BaselineFlags) => {
    if (action !== undefined && action !== 'approve') throw new UsageError(`unknown baseline action "${action}" (did you mean "approve"?)`);
    if (action === 'approve' && items.length === 0 && !flags.all) throw new UsageError('baseline approve needs item ids or paths, or --all');
    const { approve, takeBaseline } = await import('../api/integrity.js');
    const problems = new StderrProblems();
    const store = await openStoreFrom(flags);
    try {
      const opts = { root: flags.root, workers: workersFlag(flags.workers), problems, approvedBy: flags.by, note: flags.note };
      if (action === 'approve') {
        const done = await approve(store, { ...opts, which: flags.all ? undefined : items });
        process.stdout.write(`approved ${done.length} change${done.length === 1 ? '' : 's'}\n`);
        if (!flags.all && done.length === 0) process.exitCode = 1;
      } else {
        const { info } = await takeBaseline(store, opts);
        process.stdout.write(`baseline ${info.id} of ${info.scope}: ${info.records} items, approved by ${info.approvedBy}, in ${store.location}\n`);
      }
    } finally {
      await store.close();
    }
    if (problems.count > 0) process.exitCode = 1;
  });
}
