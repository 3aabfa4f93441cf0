/**
 * Linux audit.log (raw and log_format=ENRICHED). Records sharing msg=audit(time:serial)
 * form one event even when interleaved with other events' records; a group is complete at
 * its EOE record, when it has aged out (newer records 2 s of log time or 64 serials later),
 * when too many groups are pending, or at end of input. Every group yields one
 * `product: linux, service: auditd` event with the keys SigmaHQ auditd rules address;
 * every successful execve also yields a `product: linux, category: process_creation` event.
 *
 * Fields are built eagerly, on purpose. The layout regex that reads a record yields every
 * value as a capture in one native call, cheaper than finding the value boundaries again
 * later; and in a hunt every value is read anyway: keyword rules (SigmaHQ's product-level
 * linux rules apply to auditd events) scan all of them, and the case-insensitive field
 * fallback enumerates the keys. A field built on first read could only add work.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { FieldValue, Fields, LogSource } from '../../event/event.js';
import { detached, excerpt, makeEvent, reportLine } from './common.js';
import { AUDITD_DESCRIPTION, AUDITD_FORMAT, sniffAuditd } from './auditd-sniff.js';
import { type AuditHeader, decodeHexValue, KEY_SLOTS, keySlot, parseHeader, scanPairs, type PairSink } from './auditd-record.js';
import { type DirectSink, findLayout, KeyGuess, type Layout } from './auditd-layout.js';
import { buildFields, mixShape } from './field-shapes.js';
import { syscallName } from './auditd-syscalls.js';
import { NodeProcesses } from './auditd-processes.js';
import { PendingGroups } from './auditd-pending.js';
import { type Group, push, track, TRACKED } from './auditd-group.js';

const FORMAT = AUDITD_FORMAT;
const AUDITD: LogSource = { product: 'linux', service: 'auditd' };
const PROCESS_CREATION: LogSource = { product: 'linux', category: 'process_creation' };

const MAX_AGE_MS = 2000;
const MAX_SERIAL_GAP = 64;
/** Open groups of one node. */
const MAX_PENDING = 256;
/**
 * Across all nodes: open groups, and lines a group may stay open for. Aggregated logs
 * interleave hosts, so a host that stops logging never ages its own groups; these bound them.
 * (Time is compared per node only: hosts' clocks may disagree by hours, and comparing them
 * would split the events of a host whose clock lags.)
 */
const MAX_OPEN_GROUPS = 1024;
const MAX_OPEN_LINES = 4096;
const MAX_RECORDS_PER_GROUP = 512;
/** Processes remembered per host, for all hosts together, and hosts remembered. */
const MAX_PROCESSES = 65536;
const MAX_ALL_PROCESSES = 4 * MAX_PROCESSES;
const MAX_NODES = 4096;
/** More arguments than this in one execve are dropped (keeps a hostile `a999999=` line bounded). */
const MAX_ARGS = 10000;
const MAX_SPARE = 16;
/** Lists longer than this (huge events) are not kept for reuse. */
const MAX_SPARE_LENGTH = 1024;

/** User-space and daemon messages: always one record, never followed by EOE. */
const STANDALONE_PREFIX = /^(USER_|CRED_|DAEMON_|SERVICE_|SYSTEM_|ACCT_|ROLE_|ANOM_LOGIN|GRP_|VIRT_)/;
const STANDALONE = new Set(['ADD_USER', 'DEL_USER', 'ADD_GROUP', 'DEL_GROUP', 'CHGRP_ID', 'CHUSER_ID', 'SOFTWARE_UPDATE', 'USYS_CONFIG', 'TRUSTED_APP', 'LABEL_OVERRIDE']);

interface ProcessInfo {
  exe: string;
  cmd?: string;
}

/** Shape ids of the keys finish() assigns, apart from those of scanned keys (slots and otherKeyId). */
const TYPE_ID = 4096;
const ARG_ID = TYPE_ID + 1;
const SYSCALL_ID = keySlot('SYSCALL');

function firstString(v: FieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** The pair value at position i of a group's list (-1: none). */
function at(vals: FieldValue[], i: number): string | undefined {
  return i >= 0 ? (vals[i] as string) : undefined;
}

/** A pid value as a map key (-1 when absent or not a number). */
function pidKey(v: FieldValue | undefined): number {
  const s = firstString(v);
  if (s === undefined || s.length === 0 || s.length > 10) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A decimal id as a number, or the text itself when it is not one. */
function numberOr(v: string): number | string {
  const n = Number(v);
  return v !== '' && Number.isInteger(n) ? n : v;
}

function argIndex(key: string, end = key.length): number {
  let n = 0;
  for (let i = 1; i < end; i++) {
    const c = key.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return end > 1 ? n : -1;
}

/** EXECVE arguments (`a0`, `a1[3]`) are hex-encoded like the ENCODED keys; SYSCALL's a0..a3 are plain hex numbers. */
function isExecveArg(key: string, type: string): boolean {
  return type === 'EXECVE' && key.charCodeAt(0) === 97 && key.length > 1 && key.charCodeAt(1) >= 48 && key.charCodeAt(1) <= 57 && !key.endsWith('_len');
}

const standaloneCache = new Map<string, boolean>();
/** Shared key strings for EXECVE arguments (a template string per argument would be re-internalized every time). */
const ARG_KEYS = Array.from({ length: 64 }, (_, i) => `a${i}`);

function argKey(n: number): string {
  return n < ARG_KEYS.length ? ARG_KEYS[n]! : `a${n}`;
}

function isStandalone(type: string): boolean {
  let v = standaloneCache.get(type);
  if (v === undefined) {
    v = STANDALONE.has(type) || STANDALONE_PREFIX.test(type);
    if (standaloneCache.size < 1024) standaloneCache.set(type, v);
  }
  return v;
}

class AuditdState implements LineDecoderState {
  /**
   * Open groups by node, then serial: aggregated logs (`node=` prefixes) interleave hosts
   * whose serials are independent. The time is checked too: serials restart at boot.
   */
  private readonly pendingByNode = new Map<string, PendingGroups<Group>>();
  /** The node asked for last and its map: consecutive lines mostly share a node, and plain logs have one. */
  private lastNode = '';
  private lastPending: PendingGroups<Group> | undefined;
  /** Open groups of all nodes, oldest first, for the bounds across nodes. */
  private oldest: Group | undefined;
  private newest: Group | undefined;
  private openCount = 0;
  /** Recently seen processes per node (pids are per host), for ParentImage/ParentCommandLine. */
  private readonly processes = new NodeProcesses(MAX_PROCESSES, MAX_ALL_PROCESSES, MAX_NODES);
  /** Scratch header, refilled for every line. */
  private readonly header: AuditHeader = { type: '', typeSlot: -1, time: 0, serial: 0, body: 0, bodyEnd: 0, enriched: -1 };
  /** Key layouts of the body and the ENRICHED tail per common record type (by type slot), for scanPairs. */
  private readonly bodyGuesses: Array<KeyGuess | undefined> = new Array<KeyGuess | undefined>(KEY_SLOTS).fill(undefined);
  private readonly tailGuesses: Array<KeyGuess | undefined> = new Array<KeyGuess | undefined>(KEY_SLOTS).fill(undefined);
  private emit: Emit | undefined;
  /** The group the last record went to (see line()). */
  private lastGroup: Group | undefined;
  /** Key and value lists of finished groups, reused (emptied) so that busy logs do not regrow them per event. */
  private readonly spareKeys: string[][] = [];
  private readonly spareVals: FieldValue[][] = [];
  /** Group and record type the pair sink is filling. */
  private cur: Group | undefined;
  private curType = '';
  private readonly rawSink: PairSink = (k, v, u, e, slot) => this.pair(k, v, u, e, slot);
  private readonly enrichedSink: PairSink = (k, v, _u, _e, slot) => {
    if (this.cur) push(this.cur, k, v, slot);
  };
  /** For pairs pair() would store unchanged (see isPlainPair). */
  private readonly directSink: DirectSink = (k, v, slot) => {
    if (this.cur) push(this.cur, k, v, slot);
  };

  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    this.emit = emit;
    const oldest = this.oldest;
    if (oldest !== undefined && (this.openCount > MAX_OPEN_GROUPS || lineNo - oldest.line > MAX_OPEN_LINES)) this.ageAcrossNodes(lineNo);
    const rec = this.header;
    const bad = parseHeader(text, rec);
    if (bad !== undefined) {
      reportLine(this.ctx, lineNo, `not an audit record (${bad}); skipped: ${excerpt(text)}`);
      return;
    }
    // Maps are dropped only when a new node needs room (see pendingOf), which a flush never does.
    const pending = this.pendingOf(rec.node);
    // Consecutive records mostly belong to one event: an open group is always in its node's
    // pending map under its serial, so the last one used stands for the map lookup.
    const last = this.lastGroup;
    let group = last !== undefined && last.open && last.serial === rec.serial && last.node === rec.node ? last : pending.get(rec.serial);
    if (group && group.time !== rec.time) {
      // Same serial, other time: a reboot restarted the counter; the old group is complete.
      this.flush(group);
      group = undefined;
    }
    if (rec.type === 'EOE') {
      if (group) this.flush(group);
      return;
    }
    if (!group && isStandalone(rec.type)) {
      const g = this.newGroup(rec, lineNo);
      this.add(g, rec, text);
      this.finish(g, emit);
    } else {
      let g = group;
      if (!g) {
        g = this.newGroup(rec, lineNo);
        pending.set(rec.serial, g);
        this.link(g);
      }
      this.lastGroup = g;
      if (g.raws.length >= MAX_RECORDS_PER_GROUP) {
        reportLine(this.ctx, lineNo, `audit event ${rec.time / 1000}:${rec.serial} has more than ${MAX_RECORDS_PER_GROUP} records; record skipped`);
      } else this.add(g, rec, text);
      // When this record's group is the node's only open one, aging has nothing to do (the group
      // has this record's time and serial), and walking the map would cost an iterator per line.
      if (pending.size === 1) return;
    }
    if (pending.size > 0) this.age(rec, pending);
  }

  /** The open groups of `node` by serial. Nodes without open groups keep their (empty) map until many nodes need room. */
  private pendingOf(node: string | undefined): PendingGroups<Group> {
    const key = node ?? '';
    if (key === this.lastNode && this.lastPending !== undefined) return this.lastPending;
    let m = this.pendingByNode.get(key);
    if (m === undefined) {
      // Open groups are bounded (MAX_OPEN_GROUPS), so dropping the empty maps always makes room.
      if (this.pendingByNode.size >= 2 * MAX_OPEN_GROUPS) {
        for (const [k, v] of this.pendingByNode) if (v.size === 0) this.pendingByNode.delete(k);
      }
      m = new PendingGroups<Group>();
      // (A detached key: the node name is a slice of the line, which would keep its read chunk.)
      this.pendingByNode.set(detached(key), m);
    }
    this.lastNode = key;
    this.lastPending = m;
    return m;
  }

  end(emit: Emit): void {
    this.emit = emit;
    while (this.oldest !== undefined) this.flush(this.oldest);
  }

  /** Appends a group that waits for more records to the list of open groups. */
  private link(g: Group): void {
    g.open = true;
    g.older = this.newest;
    if (this.newest !== undefined) this.newest.newer = g;
    else this.oldest = g;
    this.newest = g;
    this.openCount++;
  }

  private unlink(g: Group): void {
    g.open = false;
    if (g.older !== undefined) g.older.newer = g.newer;
    else this.oldest = g.newer;
    if (g.newer !== undefined) g.newer.older = g.older;
    else this.newest = g.older;
    g.older = g.newer = undefined;
    this.openCount--;
  }

  /** Flushes the oldest groups of any node while too many are open or they have been open too long. */
  private ageAcrossNodes(lineNo: number): void {
    for (let g = this.oldest; g !== undefined; g = this.oldest) {
      if (this.openCount <= MAX_OPEN_GROUPS && lineNo - g.line <= MAX_OPEN_LINES) break;
      this.flush(g);
    }
  }

  private newGroup(rec: AuditHeader, lineNo: number): Group {
    return {
      time: rec.time,
      serial: rec.serial,
      node: rec.node,
      line: lineNo,
      types: [],
      keys: this.spareKeys.pop() ?? [],
      vals: this.spareVals.pop() ?? [],
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
      raws: [],
      syscallArgs: undefined,
      execve: false,
      args: undefined,
      pieces: undefined,
      open: false,
      older: undefined,
      newer: undefined,
    };
  }

  /** Flushes groups that can no longer receive records, oldest first. */
  private age(latest: AuditHeader, pending: PendingGroups<Group>): void {
    const solo = pending.solo;
    if (solo !== undefined) {
      if (latest.time - solo.time > MAX_AGE_MS || latest.serial - solo.serial > MAX_SERIAL_GAP) this.flush(solo);
      return;
    }
    if (pending.map === undefined) return;
    for (const g of pending.map.values()) {
      const old = latest.time - g.time > MAX_AGE_MS || latest.serial - g.serial > MAX_SERIAL_GAP || pending.size > MAX_PENDING;
      if (!old) break;
      this.flush(g);
    }
  }

  private flush(g: Group): void {
    if (!g.open) return;
    this.unlink(g);
    const pending = this.pendingOf(g.node);
    if (pending.get(g.serial) === g) pending.delete(g.serial);
    if (this.emit) this.finish(g, this.emit);
  }

  private add(g: Group, rec: AuditHeader, text: string): void {
    g.raws.push(text);
    const type = rec.type;
    if (!g.types.includes(type)) g.types.push(type);
    if (type === 'EXECVE') g.execve = true;
    this.cur = g;
    this.curType = type;
    const ts = rec.typeSlot;
    const bodyGuess = ts < 0 ? undefined : (this.bodyGuesses[ts] ??= new KeyGuess((k, u, e) => isPlainPair(type, k, u, e), this.directSink));
    const m = bodyGuess !== undefined && rec.bodyEnd === text.length && bodyGuess.layouts.length > 0 ? findLayout(text, rec.body, bodyGuess) : null;
    if (m !== null) this.addLayout(g, bodyGuess!.matched!, m);
    else scanPairs(text, rec.body, rec.bodyEnd, this.rawSink, 0, bodyGuess, false);
    if (rec.enriched >= 0) {
      const tailGuess = ts < 0 ? undefined : (this.tailGuesses[ts] ??= new KeyGuess(() => true, this.directSink));
      scanPairs(text, rec.enriched, text.length, this.enrichedSink, 0, tailGuess);
    }
    this.cur = undefined;
    if (type === 'SYSCALL') {
      // Known as soon as the record is read, so children whose groups complete first still find their parent.
      const pid = g.pidAt >= 0 ? pidKey(g.vals[g.pidAt]) : -1;
      const exe = g.exeAt >= 0 ? firstString(g.vals[g.exeAt]) : undefined;
      if (pid >= 0 && exe !== undefined) this.processes.remember(g.node, pid, exe, undefined, true);
    }
  }

  /**
   * The pairs of a body a layout matched (values m[1], m[2], ...): what matchLayout and push do
   * pair by pair, with the group's counters in locals and no call per plain pair.
   */
  private addLayout(g: Group, l: Layout, m: RegExpExecArray): void {
    const keys = g.keys;
    const vals = g.vals;
    const n = l.keys.length;
    for (let k = 0; k < n; k++) {
      const value = m[k + 1]!;
      if (!l.direct[k]) {
        this.pair(l.keys[k]!, value, l.unquoted[k]!, l.encoded[k]!, l.slots[k]!);
        continue;
      }
      const i = g.n++;
      keys[i] = l.keys[k]!;
      vals[i] = value;
      g.hash = mixShape(g.hash, l.ids[k]!);
      const slot = l.slots[k]!;
      if (slot >= 0 && TRACKED[slot] !== 0) track(g, TRACKED[slot]!, i);
    }
  }

  private pair(key: string, raw: string, unquoted: boolean, encodedKey: boolean, slot: number): void {
    const g = this.cur;
    if (!g) return;
    const type = this.curType;
    let value = raw;
    if (unquoted) {
      if (key === 'key' && value === '(null)') return;
      if (encodedKey || isExecveArg(key, type)) value = decodeHexValue(value, key === 'proctitle' ? ' ' : '\u0000');
    }
    const c0 = key.charCodeAt(0);
    if (c0 === 97 /* a */ && key.length > 1) {
      const c1 = key.charCodeAt(1);
      if (c1 >= 48 && c1 <= 57) {
        if (type === 'EXECVE') {
          const br = key.indexOf('[');
          if (br > 0) {
            const n = argIndex(key, br);
            const piece = Number(key.slice(br + 1, -1));
            if (n >= 0 && n < MAX_ARGS && Number.isInteger(piece) && piece >= 0 && piece < 100000) {
              g.pieces ??= new Map();
              let list = g.pieces.get(n);
              if (!list) g.pieces.set(n, (list = []));
              list[piece] = value;
            }
            return;
          }
          if (key.endsWith('_len')) return;
          const n = argIndex(key);
          if (n >= 0 && n < MAX_ARGS) {
            (g.args ??= [])[n] = value;
            return;
          }
        } else if (type === 'SYSCALL' && key.length === 2 && c1 <= 51) {
          (g.syscallArgs ??= [])[c1 - 48] = value;
          return;
        }
      }
    }
    push(g, key, value, slot);
  }

  private finish(g: Group, emit: Emit): void {
    // The keys below are assigned after the pairs: they replace a same-named pair's value.
    const keys = g.keys;
    const vals = g.vals;
    const sets = g.n;
    let n = sets;
    let hash = mixShape(g.hash, TYPE_ID);
    keys[n] = 'type';
    vals[n++] = g.types.length === 1 ? g.types[0]! : g.types;
    let args: string[] | undefined;
    if (g.execve) {
      // argc is authoritative when present (and not repeated); otherwise the highest argument seen.
      const argc = g.argcAt >= 0 ? Number(vals[g.argcAt]) : NaN;
      const seen = Math.max(g.args?.length ?? 0, g.pieces ? Math.max(...g.pieces.keys()) + 1 : 0);
      const count = Number.isInteger(argc) && argc >= 0 ? Math.min(argc, MAX_ARGS) : seen;
      // The usual case, whole arguments a0..a(argc-1): the group's list becomes the argument list
      // (its holes filled as below) instead of being copied.
      const own = g.args !== undefined && g.pieces === undefined && count === g.args.length;
      args = own ? g.args! : [];
      for (let a = 0; a < count; a++) {
        const whole = g.args?.[a];
        const pieces = g.pieces?.get(a);
        const v = whole ?? (pieces ? pieces.join('') : '');
        if (own) args[a] = v;
        else args.push(v);
        keys[n] = argKey(a);
        vals[n++] = v;
        hash = mixShape(hash, ARG_ID + a);
      }
    } else if (g.syscallArgs) {
      for (let a = 0; a < g.syscallArgs.length; a++) {
        if (g.syscallArgs[a] === undefined) continue;
        keys[n] = argKey(a);
        vals[n++] = g.syscallArgs[a]!;
        hash = mixShape(hash, ARG_ID + a);
      }
    }
    if (!g.namedSyscall && g.syscallAt >= 0) {
      const name = syscallName(g.archAt >= 0 ? firstString(vals[g.archAt]) : undefined, vals[g.syscallAt] as string);
      if (name) {
        keys[n] = 'SYSCALL';
        vals[n++] = name;
        hash = mixShape(hash, SYSCALL_ID);
      }
    }
    const f = buildFields(keys, vals, n, sets, hash);
    // Concatenation builds a rope that is flattened only if the raw text is ever read.
    let raw = g.raws[0] ?? '';
    for (let i = 1; i < g.raws.length; i++) raw = raw + '\n' + g.raws[i];
    emit(makeEvent(f, AUDITD, FORMAT, this.ctx.file, g.line, raw, g.time, g.node));
    // The first value of each field the process event needs, by position (vals still holds them):
    // the same as reading the fields, without a property lookup on an object of any shape.
    const pid = at(vals, g.pidAt);
    const exe = at(vals, g.exeAt);
    if (pid !== undefined && exe !== undefined && g.types.includes('SYSCALL')) this.process(g, vals, pid, exe, args, raw, emit);
    if (this.spareKeys.length < MAX_SPARE && keys.length <= MAX_SPARE_LENGTH) {
      // The fields object holds the values itself; the lists are free again (stale entries past `n` are ignored).
      this.spareKeys.push(keys);
      this.spareVals.push(vals);
    }
  }

  /** Emits the process_creation event of an execve group and remembers the process for its children. */
  private process(g: Group, vals: FieldValue[], pid: string, exe: string, args: string[] | undefined, raw: string, emit: Emit): void {
    // One flat string, not a rope of concatenations: the process table keeps it (a rope there is
    // 2 objects per argument that the scavenger copies until they are promoted; measured ~8% of
    // the decoder's CPU), and a hunt reads every CommandLine, which would flatten a rope anyway.
    // (A lone argument is a slice of its line: detached, it does not keep the line's chunk in the table.)
    const cmd = args && args.length > 0 ? (args.length === 1 ? detached(args[0]!) : args.join(' ')) : undefined;
    const ppid = at(vals, g.ppidAt);
    const procs = this.processes.of(g.node);
    const pe = procs.entryOf(pidKey(ppid));
    const parent: ProcessInfo | undefined = pe >= 0 ? { exe: procs.exeAt(pe), cmd: procs.cmdAt(pe) } : undefined;
    if (args && (g.successAt < 0 || vals[g.successAt] !== 'no')) emit(this.processEvent(g, vals, pid, exe, cmd, ppid, parent, raw));
    const key = pidKey(pid);
    if (key >= 0) this.processes.remember(g.node, key, exe, args ? cmd : procs.cmdOf(key));
  }

  private processEvent(g: Group, vals: FieldValue[], pid: string, exe: string, cmd: string | undefined, ppid: string | undefined, parent: ProcessInfo | undefined, raw: string) {
    const p: Fields = { Image: exe };
    if (cmd !== undefined) p.CommandLine = cmd;
    p.ProcessId = numberOr(pid);
    if (ppid !== undefined) p.ParentProcessId = numberOr(ppid);
    if (parent) {
      p.ParentImage = parent.exe;
      if (parent.cmd !== undefined) p.ParentCommandLine = parent.cmd;
    }
    const user = at(vals, g.enrichedUidAt) ?? at(vals, g.uidAt);
    if (user !== undefined) p.User = user;
    const cwd = at(vals, g.cwdAt);
    if (cwd !== undefined) p.CurrentDirectory = cwd;
    const auid = at(vals, g.auidAt);
    if (auid !== undefined && auid !== '4294967295' && auid !== 'unset') p.LogonId = numberOr(auid);
    return makeEvent(p, PROCESS_CREATION, FORMAT, this.ctx.file, g.line, raw, g.time, g.node);
  }
}

/**
 * Whether pair() stores a `type` record's pair with this key and kind as it is, whatever the
 * value: no `(null)` check, no hex decoding, not an argument. Mirrors pair()'s tests.
 */
function isPlainPair(type: string, key: string, unquoted: boolean, encodedKey: boolean): boolean {
  if (unquoted && (key === 'key' || encodedKey || isExecveArg(key, type))) return false;
  const c1 = key.charCodeAt(1);
  const numbered = key.charCodeAt(0) === 97 && key.length > 1 && c1 >= 48 && c1 <= 57;
  return !(numbered && (type === 'EXECVE' || (type === 'SYSCALL' && key.length === 2 && c1 <= 51)));
}

export const auditdDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: AUDITD_DESCRIPTION,
  sniff: sniffAuditd,
  open(ctx: DecodeContext): LineDecoderState {
    return new AuditdState(ctx);
  },
};
