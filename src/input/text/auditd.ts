/**
 * Linux audit.log (raw and log_format=ENRICHED). Records sharing msg=audit(time:serial)
 * form one event even when interleaved with other events' records; a group is complete at
 * its EOE record, when it has aged out (newer records 2 s of log time or 64 serials later),
 * when too many groups are pending, or at end of input. Every group yields one
 * `product: linux, service: auditd` event with the keys SigmaHQ auditd rules address;
 * every successful execve also yields a `product: linux, category: process_creation` event.
 *
 * Fields are built when first read (see auditd-fields.ts): decoding groups the records by
 * their headers and keeps their text, so an event whose fields no rule reads costs little
 * more than its grouping. Only a group with a SYSCALL record has its few pairs that describe
 * the process read at once (whether there is a process_creation event, and the process table,
 * depend on them); the rest of the process event is read with its fields (auditd-process-event.ts).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Event, FieldValue, LogSource } from '../../event/event.js';
import { detached, excerpt, makeEvent, reportLine } from './common.js';
import { AUDITD_DESCRIPTION, AUDITD_FORMAT, sniffAuditd } from './auditd-sniff.js';
import { type AuditHeader, parseHeader } from './auditd-record.js';
import { NodeProcesses } from './auditd-processes.js';
import { PendingGroups } from './auditd-pending.js';
import type { Group, Pairs } from './auditd-group.js';
import { execveArgs, firstString, GroupReader } from './auditd-fields.js';
import { AuditdEvent } from './auditd-event.js';
import { AuditdProcessEvent, at, type ProcessFacts, processFields } from './auditd-process-event.js';
import { KEEP_CMD } from './process-table.js';

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
/** Lazy groups per probe, the share of them whose fields must be read to go eager, and eager groups per probe. */
const PROBE_GROUPS = 256;
const READ_SHARE = 0.9;
/**
 * (A probe is not free: its groups are read twice, once for the process pairs and once for the
 * fields, and switching paths costs the JIT too. Every 4,096 groups it cost ~8% of a reading
 * consumer's decode time on the bench log; every 65,536, nothing measurable.)
 */
const EAGER_GROUPS = 65536;
/** Processes remembered per host, for all hosts together, and hosts remembered. */
const MAX_PROCESSES = 65536;
const MAX_ALL_PROCESSES = 4 * MAX_PROCESSES;
const MAX_NODES = 4096;

/** User-space and daemon messages: always one record, never followed by EOE. */
const STANDALONE_PREFIX = /^(USER_|CRED_|DAEMON_|SERVICE_|SYSTEM_|ACCT_|ROLE_|ANOM_LOGIN|GRP_|VIRT_)/;
const STANDALONE = new Set(['ADD_USER', 'DEL_USER', 'ADD_GROUP', 'DEL_GROUP', 'CHGRP_ID', 'CHUSER_ID', 'SOFTWARE_UPDATE', 'USYS_CONFIG', 'TRUSTED_APP', 'LABEL_OVERRIDE']);

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

const standaloneCache = new Map<string, boolean>();
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
  /**
   * The group whose rememberParent call is held, if any: it is made before any other use of the
   * process table, except by the group's own process() when it can make no difference there
   * (see process), so the table answers every lookup as if it had been made at once.
   */
  private pendingParent: Group | undefined;
  /** Recently seen processes per node (pids are per host), for ParentImage/ParentCommandLine. */
  private readonly processes = new NodeProcesses(MAX_PROCESSES, MAX_ALL_PROCESSES, MAX_NODES);
  /** Scratch header, refilled for every line. */
  private readonly header: AuditHeader = { type: '', typeSlot: -1, time: 0, serial: 0, body: 0 };
  private emit: Emit | undefined;
  /** The group the last record went to (see line()). */
  private lastGroup: Group | undefined;
  /** Reads the groups' records: their fields when read, their process pairs at once. */
  private readonly reader = new GroupReader();
  /**
   * Whether new groups are read eagerly, groups left before the mode is judged again, and the
   * reader's count of built fields when it was last judged. A consumer that reads every event's
   * fields (a hunt whose rules cover auditd events) gains nothing from deferring, and would pay
   * for reading the process pairs twice: the decoder watches how many of its lazy events get
   * their fields read, and reads eagerly while nearly all do, probing again now and then.
   * Either way the events are the same.
   */
  private eager = false;
  private modeLeft = PROBE_GROUPS;
  private builtMark = 0;

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
    let group = last?.open && last.serial === rec.serial && last.node === rec.node ? last : pending.get(rec.serial);
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
      types: this.eager ? [] : undefined,
      raws: [],
      execve: false,
      full: this.eager ? this.reader.allPairs() : undefined,
      track: undefined,
      tracked: 0,
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
    const type = rec.type;
    g.raws.push(text);
    if (type === 'EXECVE') g.execve = true;
    const full = g.full;
    if (full !== undefined) {
      const types = g.types!;
      if (!types.includes(type)) types.push(type);
      this.reader.addRecord(full, type, rec.typeSlot, text, rec.body);
      if (type === 'SYSCALL') this.rememberParent(g, full);
      return;
    }
    if (type === 'SYSCALL' && g.track === undefined) {
      // The records before it are read now: the process is described by the group's first pid, exe, ...
      g.track = this.reader.trackPairs();
      while (g.tracked < g.raws.length - 1) this.reader.trackRecord(g, g.tracked++);
    }
    if (g.track === undefined) return;
    this.reader.track(g, g.tracked++, type, rec.typeSlot, rec.body);
    if (type === 'SYSCALL') this.rememberParent(g, g.track);
  }

  /**
   * Remembers the process of a SYSCALL record as soon as it is read, so children whose groups
   * complete first still find their parent. The call is held until the process table is next
   * used (see pendingParent): when that is the group's own completion, which remembers the
   * process again with its command line, the first call mostly changes nothing and is dropped.
   */
  private rememberParent(g: Group, t: Pairs): void {
    if (t.pidAt < 0 || t.exeAt < 0 || pidKey(t.vals[t.pidAt]) < 0 || firstString(t.vals[t.exeAt]) === undefined) return;
    if (this.pendingParent !== g) this.applyPendingParent();
    this.pendingParent = g;
  }

  /** Makes the held rememberParent call (the group's first pid and exe are what they were then: firsts do not change). */
  private applyPendingParent(): void {
    const g = this.pendingParent;
    if (g === undefined) return;
    this.pendingParent = undefined;
    const t = (g.full ?? g.track)!;
    this.processes.remember(g.node, pidKey(t.vals[t.pidAt]), firstString(t.vals[t.exeAt])!, undefined, true);
  }

  /** Counts a finished group toward the next judgement of the mode (see `eager`). */
  private judge(): void {
    if (--this.modeLeft > 0) return;
    if (this.eager) this.eager = false;
    else this.eager = this.reader.built - this.builtMark >= PROBE_GROUPS * READ_SHARE;
    this.modeLeft = this.eager ? EAGER_GROUPS : PROBE_GROUPS;
    this.builtMark = this.reader.built;
  }

  private finish(g: Group, emit: Emit): void {
    // Concatenation builds a rope that is flattened only if the raw text is ever read.
    let raw = g.raws[0] ?? '';
    for (let i = 1; i < g.raws.length; i++) raw = raw + '\n' + g.raws[i];
    this.judge();
    const full = g.full;
    if (full !== undefined) {
      emit(makeEvent(this.reader.assemble(g, full), AUDITD, FORMAT, this.ctx.file, g.line, raw, g.time, g.node));
      const args = this.reader.lastArgs;
      // The first value of each field the process event needs, by position (vals still holds them).
      const pid = at(full.vals, full.pidAt);
      const exe = at(full.vals, full.exeAt);
      if (pid !== undefined && exe !== undefined && g.types!.includes('SYSCALL')) this.process(g, full, pid, exe, args, raw, emit);
      g.full = undefined;
      this.reader.releaseAll(full);
      return;
    }
    emit(new AuditdEvent(g, this.reader, AUDITD, { file: this.ctx.file, record: g.line, format: FORMAT }, raw));
    const t = g.track;
    if (t === undefined) return;
    // The first value of each field the process event needs, by position: the tracked pairs are
    // those of the fields, read the same way.
    const pid = at(t.vals, t.pidAt);
    const exe = at(t.vals, t.exeAt);
    if (pid !== undefined && exe !== undefined) this.process(g, t, pid, exe, g.execve ? execveArgs(t) : undefined, raw, emit);
    g.track = undefined;
    this.reader.release(t);
  }

  /** Emits the process_creation event of an execve group and remembers the process for its children. */
  private process(g: Group, t: Pairs, pid: string, exe: string, args: string[] | undefined, raw: string, emit: Emit): void {
    const vals = t.vals;
    const ppid = at(vals, t.ppidAt);
    const key = pidKey(pid);
    const parentKey = pidKey(ppid);
    if (this.pendingParent !== undefined) {
      // This group's held call is dropped when the remember() below does all it would have: the
      // command line is known (without one, remember keeps the old one, which the call clears),
      // the lookup is of another pid, and the table has room (the call could not have evicted).
      const own = this.pendingParent === g;
      if (own && args !== undefined && parentKey !== key && this.processes.hasRoom(g.node)) this.pendingParent = undefined;
      else this.applyPendingParent();
    }
    const procs = this.processes.of(g.node);
    if (args && (t.successAt < 0 || vals[t.successAt] !== 'no')) {
      const pe = procs.entryOf(parentKey);
      const facts: ProcessFacts =
        pe >= 0
          ? { pid, exe, args, ppid, parentExe: procs.exeAt(pe), parentBuf: procs.cmdBuffer, parentOff: procs.cmdOffAt(pe), parentLen: procs.cmdLengthAt(pe) }
          : { pid, exe, args, ppid, parentExe: undefined, parentBuf: undefined, parentOff: 0, parentLen: -1 };
      emit(this.processEvent(g, t, facts, raw));
    }
    // The table copies the command line's text (the arguments are slices of their line, which
    // would keep its read chunk); a pid without arguments keeps the one it had.
    if (key >= 0) this.processes.remember(g.node, key, exe, args ?? KEEP_CMD);
  }

  private processEvent(g: Group, t: Pairs, facts: ProcessFacts, raw: string): Event {
    if (g.full === undefined) {
      const origin = { file: this.ctx.file, record: g.line, format: FORMAT };
      return new AuditdProcessEvent(g, this.reader, facts, PROCESS_CREATION, origin, raw);
    }
    return makeEvent(processFields(facts, t), PROCESS_CREATION, FORMAT, this.ctx.file, g.line, raw, g.time, g.node);
  }
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
