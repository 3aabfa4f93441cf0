/**
 * The auditd decoder's open event (a group of records sharing msg=audit(time:serial)) and how
 * its pairs are appended: the pairs stay in flat lists until the event is complete (see
 * AuditdState.finish in auditd.ts), with the positions of the pairs the decoder reads itself.
 */
import type { FieldValue } from '../../event/event.js';
import { KEY_SLOTS, keySlot, otherKeyId } from './auditd-record.js';
import { mixShape } from './field-shapes.js';

export interface Group {
  time: number;
  serial: number;
  node?: string;
  line: number;
  /** The distinct record types, in order. */
  types: string[];
  /**
   * The record pairs in order, kept flat until the group is complete: the fields object is
   * then built in one go for the group's key sequence (see buildFields); `hash` is that
   * sequence's running shape hash. Only the first `n` entries count: the lists are reused
   * from finished groups, keeping their capacity.
   */
  keys: string[];
  vals: FieldValue[];
  n: number;
  hash: number;
  /** Index in `vals` of the first pid, exe, arch and argc/syscall pairs; -1: none, REPEATED: more than one. */
  pidAt: number;
  exeAt: number;
  /** Index in `vals` of the first ppid, uid, UID (ENRICHED), cwd and auid pairs (-1: none), read for process_creation. */
  ppidAt: number;
  uidAt: number;
  enrichedUidAt: number;
  cwdAt: number;
  auidAt: number;
  /** Index of the success pair; -1: none, REPEATED: more than one (then the field is a list, never "no"). */
  successAt: number;
  archAt: number;
  argcAt: number;
  syscallAt: number;
  /** Whether a SYSCALL pair (the ENRICHED name) was seen. */
  namedSyscall: boolean;
  raws: string[];
  /** SYSCALL's a0..a3 (hex numbers), used only when there is no EXECVE in the group. */
  syscallArgs: string[] | undefined;
  execve: boolean;
  args: string[] | undefined;
  /**
   * `aN[i]` pieces of arguments too long for one record. (The optional lists start undefined in
   * newGroup, so that every group has one hidden class and the hot paths stay monomorphic.)
   */
  pieces: Map<number, string[]> | undefined;
  /** Whether the group waits for more records, and its neighbours in the list of open groups (oldest first). */
  open: boolean;
  older: Group | undefined;
  newer: Group | undefined;
}

export const REPEATED = -2;

/** Pairs the decoder reads itself, by key slot (see keySlot); each gets a position field in Group. */
export const TRACKED = new Uint8Array(KEY_SLOTS);
const T_PID = 1;
const T_EXE = 2;
const T_ARCH = 3;
const T_ARGC = 4;
const T_SYSCALL = 5;
const T_NAMED_SYSCALL = 6;
const T_PPID = 7;
const T_UID = 8;
const T_ENRICHED_UID = 9;
const T_CWD = 10;
const T_AUID = 11;
const T_SUCCESS = 12;
for (const [key, code] of [
  ['pid', T_PID],
  ['exe', T_EXE],
  ['arch', T_ARCH],
  ['argc', T_ARGC],
  ['syscall', T_SYSCALL],
  ['SYSCALL', T_NAMED_SYSCALL],
  ['ppid', T_PPID],
  ['uid', T_UID],
  ['UID', T_ENRICHED_UID],
  ['cwd', T_CWD],
  ['auid', T_AUID],
  ['success', T_SUCCESS],
] as const) {
  TRACKED[keySlot(key)] = code;
}

/** Appends a pair to the group, noting where the pairs the decoder reads itself are. */
export function push(g: Group, key: string, value: string, slot: number): void {
  const i = g.n++;
  g.keys[i] = key;
  g.vals[i] = value;
  g.hash = mixShape(g.hash, slot >= 0 ? slot : otherKeyId(key));
  const t = slot >= 0 ? TRACKED[slot]! : 0;
  if (t !== 0) track(g, t, i);
}

/** Notes that the pair at position i of the group is a tracked one (code t, see TRACKED). */
export function track(g: Group, t: number, i: number): void {
  if (t === T_PID) {
    if (g.pidAt < 0) g.pidAt = i;
  } else if (t === T_EXE) {
    if (g.exeAt < 0) g.exeAt = i;
  } else if (t === T_ARCH) {
    if (g.archAt < 0) g.archAt = i;
  } else if (t === T_ARGC) g.argcAt = g.argcAt === -1 ? i : REPEATED;
  else if (t === T_SYSCALL) g.syscallAt = g.syscallAt === -1 ? i : REPEATED;
  else if (t === T_NAMED_SYSCALL) g.namedSyscall = true;
  else if (t === T_PPID) {
    if (g.ppidAt < 0) g.ppidAt = i;
  } else if (t === T_UID) {
    if (g.uidAt < 0) g.uidAt = i;
  } else if (t === T_ENRICHED_UID) {
    if (g.enrichedUidAt < 0) g.enrichedUidAt = i;
  } else if (t === T_CWD) {
    if (g.cwdAt < 0) g.cwdAt = i;
  } else if (t === T_AUID) {
    if (g.auidAt < 0) g.auidAt = i;
  } else g.successAt = g.successAt === -1 ? i : REPEATED;
}
