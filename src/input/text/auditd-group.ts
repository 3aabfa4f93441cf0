/**
 * The auditd decoder's open event (a group of records sharing msg=audit(time:serial)) and the
 * pair lists its records are read into. A group keeps its records' text; their pairs are read
 * in two ways (see auditd-fields.ts): all of them, into the event's fields, when the fields are
 * first read; and, as records arrive, only the few the decoder needs itself (the process_creation
 * event and the process table), once the group has a SYSCALL record.
 */
import type { FieldValue } from '../../event/event.js';
import { KEY_SLOTS, keySlot, otherKeyId } from './auditd-record.js';
import { mixShape } from './field-shapes.js';

/**
 * Pairs read from a group's records, in order: every pair (the fields' pairs, see push), or
 * only the tracked ones (see pushTracked). The positions of the tracked pairs index `vals`.
 */
export interface Pairs {
  /**
   * The pairs, kept flat until the group is complete: the fields object is then built in one
   * go for the group's key sequence (see buildFields); `hash` is that sequence's running shape
   * hash. Only the first `n` entries count: lists are reused, keeping their capacity.
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
  /** SYSCALL's a0..a3 (hex numbers), used only when there is no EXECVE in the group. */
  syscallArgs: string[] | undefined;
  args: string[] | undefined;
  /**
   * `aN[i]` pieces of arguments too long for one record. (The optional lists start undefined in
   * newPairs, so that every Pairs has one hidden class and the hot paths stay monomorphic.)
   */
  pieces: Map<number, string[]> | undefined;
}

export interface Group {
  time: number;
  serial: number;
  node?: string;
  line: number;
  /**
   * The distinct record types, in order: kept as records arrive when the group is read eagerly;
   * for a lazy one (undefined until then) found when its pairs are read (see groupPairs).
   */
  types: string[] | undefined;
  /** The records' lines (their headers are parsed again when their pairs are read). */
  raws: string[];
  execve: boolean;
  /** All pairs of the records so far, when the group is read eagerly (see AuditdState); undefined when lazily. */
  full: Pairs | undefined;
  /**
   * The tracked pairs of the first `tracked` records, once a SYSCALL record has come (only a
   * group with one has a process to describe or remember); undefined before.
   */
  track: Pairs | undefined;
  tracked: number;
  /** Whether the group waits for more records, and its neighbours in the list of open groups (oldest first). */
  open: boolean;
  older: Group | undefined;
  newer: Group | undefined;
}

export function newPairs(keys: string[], vals: FieldValue[]): Pairs {
  return {
    keys,
    vals,
    n: 0,
    hash: 0,
    pidAt: -1,
    exeAt: -1,
    ppidAt: -1,
    uidAt: -1,
    enrichedUidAt: -1,
    cwdAt: -1,
    auidAt: -1,
    successAt: -1,
    archAt: -1,
    argcAt: -1,
    syscallAt: -1,
    namedSyscall: false,
    syscallArgs: undefined,
    args: undefined,
    pieces: undefined,
  };
}

/** Empties `p` for reuse (its lists keep their capacity; stale entries past `n` are ignored). */
export function resetPairs(p: Pairs): void {
  p.n = 0;
  p.hash = 0;
  p.pidAt = p.exeAt = p.ppidAt = p.uidAt = p.enrichedUidAt = p.cwdAt = p.auidAt = -1;
  p.successAt = p.archAt = p.argcAt = p.syscallAt = -1;
  p.namedSyscall = false;
  p.syscallArgs = p.args = p.pieces = undefined;
}

export const REPEATED = -2;

/** Pairs the decoder reads itself, by key slot (see keySlot); each gets a position field in Pairs. */
export const TRACKED = new Uint8Array(KEY_SLOTS);
/**
 * The tracked pairs needed as records arrive: what decides whether there is a process_creation
 * event and what the process table holds (pid, exe, ppid, argc, success). uid, UID, cwd and auid
 * are read only with the process event's fields (see AuditdProcessEvent).
 */
export const EAGER = new Uint8Array(KEY_SLOTS);
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
  const slot = keySlot(key);
  TRACKED[slot] = code;
  if (code === T_PID || code === T_EXE || code === T_PPID || code === T_ARGC || code === T_SUCCESS) EAGER[slot] = code;
}

/** Appends a pair, noting where the pairs the decoder reads itself are. */
export function push(g: Pairs, key: string, value: string, slot: number): void {
  const i = g.n++;
  g.keys[i] = key;
  g.vals[i] = value;
  g.hash = mixShape(g.hash, slot >= 0 ? slot : otherKeyId(key));
  const t = slot >= 0 ? TRACKED[slot]! : 0;
  if (t !== 0) track(g, t, i);
}

/** Appends a pair only if it is one of the EAGER ones (with its position noted as push does). */
export function pushTracked(g: Pairs, key: string, value: string, slot: number): void {
  const t = slot >= 0 ? EAGER[slot]! : 0;
  if (t === 0) return;
  const i = g.n++;
  g.keys[i] = key;
  g.vals[i] = value;
  track(g, t, i);
}

/** Notes that the pair at position i of the group is a tracked one (code t, see TRACKED). */
export function track(g: Pairs, t: number, i: number): void {
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
