/**
 * Registry of subcommands. Each entry adds one command to the program.
 * Keep one import per command file; the order is the order of `warden --help`.
 */
import type { Command } from 'commander';

import { register as hunt } from './hunt.js';
import { register as events } from './events.js';
import { register as evtx } from './evtx.js';
import { register as rules } from './rules.js';
import { register as coverage } from './coverage.js';
import { register as scan } from './scan.js';
import { register as inventory } from './inventory.js';
import { register as baseline } from './baseline.js';
import { register as verify } from './verify.js';
import { register as serve } from './serve.js';
import { register as ship } from './ship.js';
import { register as worker } from './worker.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [hunt, events, evtx, rules, coverage, scan, serve, ship, worker, inventory, baseline, verify];
