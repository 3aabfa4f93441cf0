/**
 * Registry of subcommands, in the order of `warden --help`. A command's module is imported
 * only when that command runs (or its help is asked for): `warden --version`, `--help` and
 * every command start without loading the others' code (the service's HTTP stack, the
 * store drivers, the scanner). Each module exports `register(program)`; the summaries here
 * are what `warden --help` lists without loading them (keep them equal to the modules').
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  /** Top-level command names the module registers. */
  names: { name: string; summary: string }[];
  load: () => Promise<{ register: RegisterCommand }>;
}

export const commands: CommandEntry[] = [
  { names: [{ name: 'hunt', summary: 'run Sigma rules over event logs (EVTX, JSON, web/auditd/syslog/app logs) and report detections' }], load: () => import('./hunt.js') },
  {
    names: [{ name: 'events', summary: 'print the normalized events of log files as JSON Lines (what Sigma rules see); `warden hunt` reads this output back' }],
    load: () => import('./events.js'),
  },
  {
    names: [{ name: 'search', summary: 'find events that contain a text or match a regular expression, in the same inputs `hunt` reads (no rules needed)' }],
    load: () => import('./search.js'),
  },
  { names: [{ name: 'evtx', summary: 'Windows XML event log (.evtx) tools' }], load: () => import('./evtx.js') },
  { names: [{ name: 'rules', summary: 'work with Sigma rules' }], load: () => import('./rules.js') },
  { names: [{ name: 'coverage', summary: 'show which T1505 sub-techniques and data sources the loaded rules cover' }], load: () => import('./coverage.js') },
  { names: [{ name: 'scan', summary: 'find web shells and backdoored server plugins in files, folders and archives, and say why' }], load: () => import('./scan.js') },
  {
    names: [
      { name: 'serve', summary: 'run the live detection service: tail logs, listen for syslog and HTTP ingest, watch web roots, detect, store, answer an API' },
      { name: 'token', summary: "manage the service API's bearer tokens (roles: ingest, read, admin)" },
    ],
    load: () => import('./serve.js'),
  },
  {
    names: [{ name: 'ship', summary: 'publish the events of logs to a Warden cluster (NATS JetStream), partitioned by host, acknowledged and de-duplicated' }],
    load: () => import('./ship.js'),
  },
  {
    names: [{ name: 'worker', summary: 'run a detection worker of a Warden cluster: JetStream partitions in, detections and incidents into PostgreSQL' }],
    load: () => import('./worker.js'),
  },
  {
    names: [
      {
        name: 'inventory',
        summary: 'list the components of the servers under a root (IIS, Exchange, SQL Server, services, Tomcat, Jenkins, TeamCity, Confluence/Jira) with hashes and signatures',
      },
    ],
    load: () => import('./inventory.js'),
  },
  {
    names: [{ name: 'baseline', summary: 'record the current component inventory of a root as approved (or approve changes found by verify)' }],
    load: () => import('./baseline.js'),
  },
  {
    names: [{ name: 'verify', summary: 'compare the components under a root with the approved baseline: added, modified, removed, renamed, re-signed, permissions' }],
    load: () => import('./verify.js'),
  },
  {
    names: [{ name: 'watch', summary: 'watch the components under a root and report each change against the baseline once, within seconds' }],
    load: () => import('./watch.js'),
  },
  {
    names: [{ name: 'completion', summary: 'print a shell completion script (bash, zsh or fish) for every command, flag and choice' }],
    load: () => import('./completion.js'),
  },
];
