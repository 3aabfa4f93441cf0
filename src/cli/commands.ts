/**
 * Registry of subcommands. Each entry adds one command to the program. Modules are loaded on
 * demand: `warden evtx dump` loads only the evtx command, `warden --help` loads them all.
 * The order is the order of `warden --help`.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: { name: string; load: () => Promise<RegisterCommand> }[] = [
  { name: 'hunt', load: async () => (await import('./hunt.js')).register },
  { name: 'events', load: async () => (await import('./events.js')).register },
  { name: 'evtx', load: async () => (await import('./evtx.js')).register },
  { name: 'rules', load: async () => (await import('./rules.js')).register },
  { name: 'coverage', load: async () => (await import('./coverage.js')).register },
  { name: 'scan', load: async () => (await import('./scan.js')).register },
];
