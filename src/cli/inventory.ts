/** `warden inventory`: every server extension point under a root, hashed, with its signature. */
import { Option, type Command } from 'commander';
import { UsageError } from '../api/errors.js';
import { StderrProblems } from './problems.js';

interface InventoryFlags {
  root: string;
  format: 'table' | 'jsonl';
  workers?: string;
}

export function workersFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers needs a whole number >= 0, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('inventory')
    .description('list the components of the servers under a root (IIS, Exchange, SQL Server, services, Tomcat, Jenkins, TeamCity, Confluence/Jira) with hashes and signatures')
    .option('--root <dir>', 'the live system (/), a mounted image or a folder of collected files', '/')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'jsonl']).default('table'))
    .option('--workers <n>', 'hashing threads, this one included (default: one per core; 0 or 1 = this thread only)');
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 listed, 1 some configuration or file could not be read (see stderr), 2 bad usage.

Examples:
  warden inventory
  warden inventory --root /mnt/image --format jsonl`,
  );
  cmd.action(async (flags: InventoryFlags) => {
    const { inventory, inventoryTable, itemToJsonLine } = await import('../api/integrity.js');
    const problems = new StderrProblems();
    const inv = await inventory({ root: flags.root, workers: workersFlag(flags.workers), problems });
    if (flags.format === 'jsonl') for (const i of inv.items) process.stdout.write(itemToJsonLine(i) + '\n');
    else process.stdout.write(inventoryTable(inv.items));
    if (problems.count > 0) process.exitCode = 1;
  });
}
