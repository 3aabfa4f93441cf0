/**
 * The process_creation event of an execve group, built when its fields are first read. What
 * the decoder needed to decide to emit it (pid, exe, ppid, the command line) and what the
 * process table said of the parent at that moment are kept as they were; the user, working
 * directory and login id, which nothing at decode time depends on, are read from the group's
 * records only when the fields are.
 */
import type { EventOrigin, FieldValue, Fields, LogSource } from '../../event/event.js';
import { LazyEvent } from '../../event/lazy-event.js';
import type { GroupReader } from './auditd-fields.js';
import type { Group, Pairs } from './auditd-group.js';
import { unitsText } from './process-table.js';

/**
 * What the decoder knew of the process when it emitted the event (all fixed then): the
 * command line as its arguments, and the parent's as the process table held it (a range of
 * the table's buffer, see ProcessTable.cmdBuffer; length -1: none). Both are read as strings only with the fields.
 */
export interface ProcessFacts {
  pid: string;
  exe: string;
  args: string[] | undefined;
  ppid: string | undefined;
  parentExe: string | undefined;
  parentBuf: Uint16Array | undefined;
  parentOff: number;
  parentLen: number;
}

/** The command line of an execve's arguments: joined by spaces; none without arguments. */
export function commandLine(args: string[] | undefined): string | undefined {
  return args === undefined || args.length === 0 ? undefined : args.length === 1 ? args[0] : args.join(' ');
}

/** The pair value at position i of a group's list (-1: none). */
export function at(vals: FieldValue[], i: number): string | undefined {
  return i >= 0 ? (vals[i] as string) : undefined;
}

/** A decimal id as a number, or the text itself when it is not one. */
export function numberOr(v: string): number | string {
  // Plain digits (nearly every id) are read in place; anything else as Number() reads it.
  const len = v.length;
  if (len > 0 && len <= 15) {
    let d = 0;
    let i = 0;
    for (; i < len; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      d = d * 10 + c;
    }
    if (i === len) return d;
  }
  const n = Number(v);
  return v !== '' && Number.isInteger(n) ? n : v;
}

/**
 * The process_creation fields: the facts the decoder fixed, then the first user, working
 * directory and login id of the group's pairs. The eager decoder and the lazy event both build
 * them here, so the two cannot differ.
 */
export function processFields(f: ProcessFacts, pairs: Pairs): Fields {
  const p: Fields = { Image: f.exe };
  const cmd = commandLine(f.args);
  if (cmd !== undefined) p.CommandLine = cmd;
  p.ProcessId = numberOr(f.pid);
  if (f.ppid !== undefined) p.ParentProcessId = numberOr(f.ppid);
  if (f.parentExe !== undefined) {
    p.ParentImage = f.parentExe;
    if (f.parentBuf !== undefined && f.parentLen >= 0) p.ParentCommandLine = unitsText(f.parentBuf, f.parentOff, f.parentLen);
  }
  const vals = pairs.vals;
  const user = at(vals, pairs.enrichedUidAt) ?? at(vals, pairs.uidAt);
  if (user !== undefined) p.User = user;
  const cwd = at(vals, pairs.cwdAt);
  if (cwd !== undefined) p.CurrentDirectory = cwd;
  const auid = at(vals, pairs.auidAt);
  if (auid !== undefined && auid !== '4294967295' && auid !== 'unset') p.LogonId = numberOr(auid);
  return p;
}

export class AuditdProcessEvent extends LazyEvent {
  #group: Group | undefined;
  #reader: GroupReader | undefined;
  #facts: ProcessFacts | undefined;

  constructor(group: Group, reader: GroupReader, facts: ProcessFacts, logsource: LogSource, origin: EventOrigin, raw: string) {
    super(logsource, origin, raw, group.time, group.node);
    this.#group = group;
    this.#reader = reader;
    this.#facts = facts;
  }

  protected buildFields(): Fields {
    const f = this.#facts!;
    // The first of each pair in the group's records, as an eagerly read group has them.
    const reader = this.#reader!;
    const all = reader.groupPairs(this.#group!);
    const p = processFields(f, all);
    reader.releaseAll(all);
    this.#group = undefined;
    this.#reader = undefined;
    this.#facts = undefined;
    return p;
  }
}
