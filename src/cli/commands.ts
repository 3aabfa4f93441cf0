/**
 * Registry of subcommands. Each entry adds one command to the program.
 * Keep one import per command file; the order is the order of `warden --help`.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
