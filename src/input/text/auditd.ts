/**
 * Linux audit.log (raw and log_format=ENRICHED). Records sharing msg=audit(time:serial)
 * form one event even when interleaved with other events' records; a group is complete at
 * its EOE record, when it has aged out (newer records 2 s of log time or 64 serials later),
 * when too many groups are pending, or at end of input. Every group yields one
 * `product: linux, service: auditd` event with the keys SigmaHQ auditd rules address;
 * every successful execve also yields a `product: linux, category: process_creation` event.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { FieldValue, Fields, LogSource } from '../../event/event.js';
import { excerpt, makeEvent, reportLine, share } from './common.js';
import { type AuditHeader, decodeHexValue, parseHeader, scanPairs, type PairSink } from './auditd-record.js';
import { syscallName } from './auditd-syscalls.js';

const FORMAT = 'auditd';
const AUDITD: LogSource = { product: 'linux', service: 'auditd' };
const PROCESS_CREATION: LogSource = { product: 'linux', category: 'process_creation' };

const MAX_AGE_MS = 2000;
const MAX_SERIAL_GAP = 64;
const MAX_PENDING = 256;
const MAX_RECORDS_PER_GROUP = 512;
const MAX_PROCESSES = 65536;
/** More arguments than this in one execve are dropped (keeps a hostile `a999999=` line bounded). */
const MAX_ARGS = 10000;
const MAX_NODES = 4096;

/** User-space and daemon messages: always one record, never followed by EOE. */
const STANDALONE_PREFIX = /^(USER_|CRED_|DAEMON_|SERVICE_|SYSTEM_|ACCT_|ROLE_|ANOM_LOGIN|GRP_|VIRT_)/;
const STANDALONE = new Set(['ADD_USER', 'DEL_USER', 'ADD_GROUP', 'DEL_GROUP', 'CHGRP_ID', 'CHUSER_ID', 'SOFTWARE_UPDATE', 'USYS_CONFIG', 'TRUSTED_APP', 'LABEL_OVERRIDE']);

interface Group {
  time: number;
  serial: number;
  node?: string;
  line: number;
  types: string[];
  fields: Fields;
  raws: string[];
  /** SYSCALL's a0..a3 (hex numbers), used only when there is no EXECVE in the group. */
  syscallArgs?: string[];
  execve: boolean;
  args?: string[];
  /** `aN[i]` pieces of arguments too long for one record. */
  pieces?: Map<number, string[]>;
}

interface ProcessInfo {
  exe: string;
  cmd?: string;
}

function addField(fields: Fields, key: string, value: string): void {
  const old = fields[key];
  if (old === undefined) fields[key] = value;
  else if (Array.isArray(old)) old.push(value);
  else fields[key] = [old, value];
}

function firstString(v: FieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
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
  return n < ARG_KEYS.length ? ARG_KEYS[n] : `a${n}`;
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
  private readonly pendingByNode = new Map<string, Map<number, Group>>();
  /** Recently seen processes per node (pids are per host), for ParentImage/ParentCommandLine. */
  private readonly processesByNode = new Map<string, Map<number, ProcessInfo>>();
  /** Scratch header, refilled for every line. */
  private readonly header: AuditHeader = { type: '', time: 0, serial: 0, body: 0, bodyEnd: 0, enriched: -1 };
  private emit: Emit | undefined;
  /** Group and record type the pair sink is filling. */
  private cur: Group | undefined;
  private curType = '';
  private readonly rawSink: PairSink = (k, v, u, e) => this.pair(k, v, u, e);
  private readonly enrichedSink: PairSink = (k, v) => {
    if (this.cur) addField(this.cur.fields, k, v);
  };

  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    this.emit = emit;
    const rec = this.header;
    const bad = parseHeader(text, rec);
    if (bad !== undefined) {
      reportLine(this.ctx, lineNo, `not an audit record (${bad}); skipped: ${excerpt(text)}`);
      return;
    }
    let group = this.pendingByNode.get(rec.node ?? '')?.get(rec.serial);
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
        this.pendingOf(rec.node).set(rec.serial, g); // re-fetched: a flush above may have dropped an emptied map
      }
      if (g.raws.length >= MAX_RECORDS_PER_GROUP) {
        reportLine(this.ctx, lineNo, `audit event ${rec.time / 1000}:${rec.serial} has more than ${MAX_RECORDS_PER_GROUP} records; record skipped`);
      } else this.add(g, rec, text);
    }
    const open = this.pendingByNode.get(rec.node ?? '');
    if (open) this.age(rec, open);
  }

  private pendingOf(node: string | undefined): Map<number, Group> {
    const key = node ?? '';
    let m = this.pendingByNode.get(key);
    if (!m) this.pendingByNode.set(key, (m = new Map()));
    return m;
  }

  end(emit: Emit): void {
    this.emit = emit;
    for (const pending of this.pendingByNode.values()) for (const g of [...pending.values()]) this.flush(g);
  }

  private newGroup(rec: AuditHeader, lineNo: number): Group {
    return { time: rec.time, serial: rec.serial, node: rec.node, line: lineNo, types: [], fields: {}, raws: [], execve: false };
  }

  /** Flushes groups that can no longer receive records, oldest first. */
  private age(latest: AuditHeader, pending: Map<number, Group>): void {
    for (const g of pending.values()) {
      const old = latest.time - g.time > MAX_AGE_MS || latest.serial - g.serial > MAX_SERIAL_GAP || pending.size > MAX_PENDING;
      if (!old) break;
      this.flush(g);
    }
  }

  private flush(g: Group): void {
    const pending = this.pendingOf(g.node);
    if (pending.get(g.serial) === g) pending.delete(g.serial);
    if (pending.size === 0) this.pendingByNode.delete(g.node ?? '');
    if (this.emit) this.finish(g, this.emit);
  }

  private add(g: Group, rec: AuditHeader, text: string): void {
    g.raws.push(text);
    const type = rec.type;
    if (!g.types.includes(type)) g.types.push(type);
    if (type === 'EXECVE') g.execve = true;
    this.cur = g;
    this.curType = type;
    scanPairs(text, rec.body, rec.bodyEnd, this.rawSink);
    if (rec.enriched >= 0) scanPairs(text, rec.enriched, text.length, this.enrichedSink);
    this.cur = undefined;
    if (type === 'SYSCALL') {
      // Known as soon as the record is read, so children whose groups complete first still find their parent.
      const f = g.fields;
      const pid = pidKey(f.pid);
      const exe = firstString(f.exe);
      const procs = this.processesOf(g.node);
      if (pid >= 0 && exe !== undefined && procs.get(pid)?.exe !== exe) this.remember(procs, pid, { exe });
    }
  }

  private pair(key: string, raw: string, unquoted: boolean, encodedKey: boolean): void {
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
    addField(g.fields, key, value);
  }

  private finish(g: Group, emit: Emit): void {
    const f = g.fields;
    f.type = g.types.length === 1 ? g.types[0] : g.types;
    let args: string[] | undefined;
    if (g.execve) {
      args = [];
      // argc is authoritative when present; otherwise the highest argument seen.
      const argc = typeof f.argc === 'string' ? Number(f.argc) : NaN;
      const seen = Math.max(g.args?.length ?? 0, g.pieces ? Math.max(...g.pieces.keys()) + 1 : 0);
      const count = Number.isInteger(argc) && argc >= 0 ? Math.min(argc, MAX_ARGS) : seen;
      for (let n = 0; n < count; n++) {
        const whole = g.args?.[n];
        const pieces = g.pieces?.get(n);
        const v = whole ?? (pieces ? pieces.join('') : '');
        args.push(v);
        f[argKey(n)] = v;
      }
    } else if (g.syscallArgs) {
      for (let n = 0; n < g.syscallArgs.length; n++) if (g.syscallArgs[n] !== undefined) f[argKey(n)] = g.syscallArgs[n];
    }
    if (f.SYSCALL === undefined && typeof f.syscall === 'string') {
      const name = syscallName(firstString(f.arch), f.syscall);
      if (name) f.SYSCALL = name;
    }
    // Concatenation builds a rope that is flattened only if the raw text is ever read.
    let raw = g.raws[0] ?? '';
    for (let i = 1; i < g.raws.length; i++) raw = raw + '\n' + g.raws[i];
    emit(makeEvent(f, AUDITD, FORMAT, this.ctx.file, g.line, raw, g.time, g.node));
    const pid = firstString(f.pid);
    const exe = firstString(f.exe);
    if (pid === undefined || exe === undefined || !g.types.includes('SYSCALL')) return;
    const cmd = args && args.length > 0 ? args.join(' ') : undefined;
    const ppid = firstString(f.ppid);
    const procs = this.processesOf(g.node);
    const parent = procs.get(pidKey(f.ppid));
    if (args && f.success !== 'no') emit(this.processEvent(g, f, pid, exe, cmd, ppid, parent, raw));
    const key = pidKey(f.pid);
    if (key >= 0) this.remember(procs, key, { exe, cmd: args ? cmd : procs.get(key)?.cmd });
  }

  private processEvent(g: Group, f: Fields, pid: string, exe: string, cmd: string | undefined, ppid: string | undefined, parent: ProcessInfo | undefined, raw: string) {
    const p: Fields = { Image: exe };
    if (cmd !== undefined) p.CommandLine = cmd;
    p.ProcessId = numberOr(pid);
    if (ppid !== undefined) p.ParentProcessId = numberOr(ppid);
    if (parent) {
      p.ParentImage = parent.exe;
      if (parent.cmd !== undefined) p.ParentCommandLine = parent.cmd;
    }
    const user = firstString(f.UID) ?? firstString(f.uid);
    if (user !== undefined) p.User = user;
    const cwd = firstString(f.cwd);
    if (cwd !== undefined) p.CurrentDirectory = cwd;
    const auid = firstString(f.auid);
    if (auid !== undefined && auid !== '4294967295' && auid !== 'unset') p.LogonId = numberOr(auid);
    return makeEvent(p, PROCESS_CREATION, FORMAT, this.ctx.file, g.line, raw, g.time, g.node);
  }

  private processesOf(node: string | undefined): Map<number, ProcessInfo> {
    const key = node ?? '';
    let m = this.processesByNode.get(key);
    if (!m) {
      // Bounded even for files with countless distinct node= names.
      if (this.processesByNode.size >= MAX_NODES) this.processesByNode.clear();
      this.processesByNode.set(key, (m = new Map()));
    }
    return m;
  }

  private remember(procs: Map<number, ProcessInfo>, pid: number, info: ProcessInfo): void {
    procs.delete(pid);
    procs.set(pid, info);
    if (procs.size > MAX_PROCESSES) {
      // Forget the least recently seen tenth; Map iteration is insertion order.
      let drop = MAX_PROCESSES / 10;
      for (const k of procs.keys()) {
        procs.delete(k);
        if (--drop <= 0) break;
      }
    }
  }

}

const RECORD = /^(node=\S+ )?type=[A-Z_0-9]+ msg=audit\(\d+\.\d+:\d+\):/;

export const auditdDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Linux audit.log (raw or ENRICHED), grouped per event; auditd and process_creation',
  sniff(lines: string[]): number {
    const s = share(lines, (l) => RECORD.test(l));
    return s >= 0.5 ? s : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new AuditdState(ctx);
  },
};
