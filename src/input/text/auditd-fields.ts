/**
 * Reading the pairs of an auditd event's records (see auditd-group.ts), two ways:
 *
 * - fields(): every pair, into the event's fields, when they are first read. Until then an
 *   event costs only the grouping of its records: a field no rule reads is never built.
 * - track(): as a record arrives in a group with a SYSCALL record, only the pairs the decoder
 *   needs itself (pid, exe, ppid, ..., EXECVE's arguments: the process_creation event and the
 *   process table). A record in a layout seen before is matched by a pattern that captures
 *   just those values (see LeanLayout); others are scanned as fields() scans them.
 *
 * Both read a record's pairs exactly as the plain scan does; the layouts and key guesses they
 * share change only how fast.
 */
import type { FieldValue, Fields } from '../../event/event.js';
import { type AuditHeader, decodeHexValue, KEY_SLOTS, keySlot, type PairSink, parseHeader, scanPairs } from './auditd-record.js';
import { type DirectSink, findLayout, KeyGuess, type Layout, type LeanLayout, leanLayout } from './auditd-layout.js';
import { buildFields, mixShape } from './field-shapes.js';
import { syscallName } from './auditd-syscalls.js';
import { EAGER, type Group, newPairs, type Pairs, push, pushTracked, REPEATED, resetPairs, track, TRACKED } from './auditd-group.js';

/** More arguments than this in one execve are dropped (keeps a hostile `a999999=` line bounded). */
const MAX_ARGS = 10000;
const MAX_SPARE = 16;
/** Lists longer than this (huge events) are not kept for reuse. */
const MAX_SPARE_LENGTH = 1024;
/** Lean patterns kept per record type, most recently matched first. */
const MAX_LEAN = 4;

/** Shape ids of the keys fields() assigns, apart from those of scanned keys (slots and otherKeyId). */
const TYPE_ID = 4096;
const ARG_ID = TYPE_ID + 1;
const SYSCALL_ID = keySlot('SYSCALL');

/** Shared key strings for EXECVE arguments (a template string per argument would be re-internalized every time). */
const ARG_KEYS = Array.from({ length: 64 }, (_, i) => `a${i}`);

function argKey(n: number): string {
  return n < ARG_KEYS.length ? ARG_KEYS[n]! : `a${n}`;
}

export function firstString(v: FieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
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

/**
 * The index of a whole EXECVE argument key (`a` and digits only: no `[i]` piece, no `_len`)
 * below MAX_ARGS, whose quoted value pair() stores as it is in the argument list; -1 otherwise.
 */
function plainArg(key: string): number {
  if (!isNumbered(key)) return -1;
  const n = argIndex(key);
  return n >= 0 && n < MAX_ARGS ? n : -1;
}

/** `a` and a digit: an argument key (EXECVE's, or SYSCALL's a0..a3). */
function isNumbered(key: string): boolean {
  const c1 = key.charCodeAt(1);
  return key.charCodeAt(0) === 97 && key.length > 1 && c1 >= 48 && c1 <= 57;
}

/** EXECVE arguments (`a0`, `a1[3]`) are hex-encoded like the ENCODED keys; SYSCALL's a0..a3 are plain hex numbers. */
function isExecveArg(key: string, type: string): boolean {
  return type === 'EXECVE' && isNumbered(key) && !key.endsWith('_len');
}

/**
 * Whether pair() stores a `type` record's pair with this key and kind as it is, whatever the
 * value: no `(null)` check, no hex decoding, not an argument. Mirrors pair()'s tests.
 */
function isPlainPair(type: string, key: string, unquoted: boolean, encodedKey: boolean): boolean {
  if (unquoted && (key === 'key' || encodedKey || isExecveArg(key, type))) return false;
  const c1 = key.charCodeAt(1);
  return !(isNumbered(key) && (type === 'EXECVE' || (type === 'SYSCALL' && key.length === 2 && c1 <= 51)));
}

/**
 * The arguments of an execve group: argc is authoritative when present (and not repeated);
 * otherwise the highest argument seen. In the usual case, whole arguments a0..a(argc-1), the
 * pairs' own list becomes the argument list (its holes filled) instead of being copied.
 */
export function execveArgs(p: Pairs): string[] {
  const argc = p.argcAt >= 0 ? Number(p.vals[p.argcAt]) : NaN;
  const seen = Math.max(p.args?.length ?? 0, p.pieces ? Math.max(...p.pieces.keys()) + 1 : 0);
  const count = Number.isInteger(argc) && argc >= 0 ? Math.min(argc, MAX_ARGS) : seen;
  const own = p.args !== undefined && p.pieces === undefined && count === p.args.length;
  const args = own ? p.args! : [];
  for (let a = 0; a < count; a++) {
    const whole = p.args?.[a];
    const pieces = p.pieces?.get(a);
    const v = whole ?? (pieces ? pieces.join('') : '');
    if (own) args[a] = v;
    else args.push(v);
  }
  return args;
}

/**
 * Whether no pair of the record can change what the tracked pairs say (EXECVE's arguments
 * aside): a pair with key K comes only from the text `K=`, and the first pid, exe and ppid are
 * all that is read of those, while a second argc or success makes it REPEATED (which changes
 * nothing once it is, nor a success that is not "no"). The records after a SYSCALL record then
 * mostly cost a search or two instead of a pattern. (uid, auid, cwd and UID are not tracked: the
 * process event reads them with its fields, see AuditdProcessEvent.)
 */
function settled(p: Pairs, text: string, body: number): boolean {
  if (p.pidAt < 0 || p.exeAt < 0 || p.ppidAt < 0) return false;
  if (p.argcAt !== REPEATED && text.indexOf('argc=', body) >= 0) return false;
  const success = p.successAt;
  return !((success === -1 || (success >= 0 && p.vals[success] === 'no')) && text.indexOf('success=', body) >= 0);
}

/** Reads groups' records for one decoder state; see the module comment. */
export class GroupReader {
  /** Key layouts of the body and the ENRICHED tail per common record type (by type slot), for scanPairs. */
  private readonly bodyGuesses: Array<KeyGuess | undefined> = new Array<KeyGuess | undefined>(KEY_SLOTS).fill(undefined);
  private readonly tailGuesses: Array<KeyGuess | undefined> = new Array<KeyGuess | undefined>(KEY_SLOTS).fill(undefined);
  /** Lean patterns per record type (by type slot), and the layouts they were made from. */
  private readonly leans: Array<LeanLayout[] | undefined> = new Array<LeanLayout[] | undefined>(KEY_SLOTS).fill(undefined);
  private readonly leaned = new WeakSet<Layout>();
  /** Scratch header for records read again. */
  private readonly header: AuditHeader = { type: '', typeSlot: -1, time: 0, serial: 0, body: 0 };
  /** Key and value lists of finished reads, reused (emptied) so that busy logs do not regrow them per event. */
  private readonly spareKeys: string[][] = [];
  private readonly spareVals: FieldValue[][] = [];
  private readonly sparePairs: Pairs[] = [];
  /** Pairs and record type the sinks are filling, and whether only the tracked pairs are kept. */
  private cur: Pairs | undefined;
  private curType = '';
  private tracking = false;
  private readonly rawSink: PairSink = (k, v, u, e, slot) => this.pair(k, v, u, e, slot);
  private readonly enrichedSink: PairSink = (k, v, _u, _e, slot) => {
    if (this.cur === undefined) return;
    if (this.tracking) pushTracked(this.cur, k, v, slot);
    else push(this.cur, k, v, slot);
  };
  /** For pairs pair() would store unchanged (see isPlainPair); layout matches reach it only from fields(). */
  private readonly directSink: DirectSink = (k, v, slot) => {
    if (this.cur) push(this.cur, k, v, slot);
  };

  /** Empty pairs for a group's tracked pairs (give them back with release). */
  trackPairs(): Pairs {
    return this.sparePairs.pop() ?? newPairs([], []);
  }

  release(p: Pairs): void {
    if (this.sparePairs.length >= MAX_SPARE || p.keys.length > MAX_SPARE_LENGTH) return;
    resetPairs(p);
    this.sparePairs.push(p);
  }

  /** Adds the tracked pairs of record i of g (the group's lines were all accepted as records) to g.track. */
  trackRecord(g: Group, i: number): void {
    const h = this.header;
    parseHeader(g.raws[i]!, h);
    this.track(g, i, h.type, h.typeSlot, h.body);
  }

  /** Adds the tracked pairs of record i of g (its type, type slot and body start) to g.track. */
  track(g: Group, i: number, type: string, ts: number, body: number): void {
    const p = g.track!;
    const text = g.raws[i]!;
    if (type !== 'EXECVE' && settled(p, text, body)) return;
    this.tracking = true;
    const leans = ts < 0 ? undefined : this.leans[ts];
    if (leans !== undefined) {
      for (let k = 0; k < leans.length; k++) {
        const lean = leans[k]!;
        lean.re.lastIndex = body;
        const pos = lean.pos;
        if (pos.length === 0) {
          if (!lean.re.test(text)) continue;
        } else {
          const m = lean.re.exec(text);
          if (m === null) continue;
          const l = lean.layout;
          this.cur = p;
          this.curType = type;
          const arg = lean.arg;
          for (let j = 0; j < pos.length; j++) {
            const at = pos[j]!;
            const a = arg[j]!;
            if (a >= 0) {
              // What pair() does with a quoted whole argument (see plainArg).
              (p.args ??= [])[a] = m[j + 1]!;
              continue;
            }
            if (!l.direct[at]) {
              this.pair(l.keys[at]!, m[j + 1]!, l.unquoted[at]!, l.encoded[at]!, l.slots[at]!);
              continue;
            }
            // What pushTracked does for a pair pair() would store unchanged (a kept direct one is tracked).
            const i = p.n++;
            p.keys[i] = l.keys[at]!;
            p.vals[i] = m[j + 1]!;
            track(p, EAGER[l.slots[at]!]!, i);
          }
          this.cur = undefined;
        }
        if (k > 0) {
          leans[k] = leans[0]!;
          leans[0] = lean;
        }
        this.tracking = false;
        return;
      }
    }
    this.scan(p, type, ts, text, body, false);
    this.tracking = false;
    if (ts >= 0) this.learnLean(type, ts, text, body);
  }

  /** Makes a lean pattern of the type's newest layout, if it has none yet and it matches this record. */
  private learnLean(type: string, ts: number, text: string, body: number): void {
    const l = this.bodyGuesses[ts]?.layouts[0];
    if (l === undefined || this.leaned.has(l)) return;
    this.leaned.add(l);
    const lean = leanLayout(
      l,
      (k) => {
        const slot = l.slots[k]!;
        return (slot >= 0 && EAGER[slot] !== 0) || (type === 'EXECVE' && isNumbered(l.keys[k]!));
      },
      (k) => (type === 'EXECVE' && !l.unquoted[k] ? plainArg(l.keys[k]!) : -1),
    );
    lean.re.lastIndex = body;
    if (!lean.re.test(text)) return;
    const list = (this.leans[ts] ??= []);
    if (list.length >= MAX_LEAN) list.pop();
    list.unshift(lean);
  }

  /** Fields built so far by fields(): the decoder's measure of whether its events' fields are read. */
  built = 0;
  /** The argument list of the execve group assemble() last read (undefined for other groups). */
  lastArgs: string[] | undefined;

  /** The fields of a complete group, read from its records (kept by a group read lazily). */
  fields(g: Group): Fields {
    this.built++;
    const p = this.groupPairs(g);
    const f = this.assemble(g, p);
    this.releaseAll(p);
    return f;
  }

  /**
   * All pairs of a complete group's records, without counting toward `built` (for the lazy
   * process event's user, cwd and login id; give them back with releaseAll).
   */
  groupPairs(g: Group): Pairs {
    const p = this.allPairs();
    const h = this.header;
    // A lazy group's record types are found here, from the headers read anyway.
    const types: string[] | undefined = g.types === undefined ? [] : undefined;
    for (let i = 0; i < g.raws.length; i++) {
      const text = g.raws[i]!;
      parseHeader(text, h);
      if (types !== undefined && !types.includes(h.type)) types.push(h.type);
      this.scan(p, h.type, h.typeSlot, text, h.body, true);
    }
    if (types !== undefined) g.types = types;
    return p;
  }

  /** Empty pairs for all of a group's pairs (give them back with releaseAll once their values are read). */
  allPairs(): Pairs {
    return newPairs(this.spareKeys.pop() ?? [], this.spareVals.pop() ?? []);
  }

  releaseAll(p: Pairs): void {
    if (this.spareKeys.length < MAX_SPARE && p.keys.length <= MAX_SPARE_LENGTH) {
      // The fields object holds the values itself; the lists are free again (stale entries past `n` are ignored).
      this.spareKeys.push(p.keys);
      this.spareVals.push(p.vals);
    }
  }

  /** Adds all pairs of a record (type slot `ts`, body from `body`) to p. */
  addRecord(p: Pairs, type: string, ts: number, text: string, body: number): void {
    this.scan(p, type, ts, text, body, true);
  }

  /** The fields of a group from all its pairs: the keys after the pairs replace same-named ones. */
  assemble(g: Group, p: Pairs): Fields {
    this.lastArgs = undefined;
    const keys = p.keys;
    const vals = p.vals;
    const sets = p.n;
    let n = sets;
    let hash = mixShape(p.hash, TYPE_ID);
    keys[n] = 'type';
    const types = g.types!;
    vals[n++] = types.length === 1 ? types[0]! : types;
    if (g.execve) {
      const args = execveArgs(p);
      this.lastArgs = args;
      for (let a = 0; a < args.length; a++) {
        keys[n] = argKey(a);
        vals[n++] = args[a]!;
        hash = mixShape(hash, ARG_ID + a);
      }
    } else if (p.syscallArgs) {
      for (let a = 0; a < p.syscallArgs.length; a++) {
        if (p.syscallArgs[a] === undefined) continue;
        keys[n] = argKey(a);
        vals[n++] = p.syscallArgs[a]!;
        hash = mixShape(hash, ARG_ID + a);
      }
    }
    if (!p.namedSyscall && p.syscallAt >= 0) {
      const name = syscallName(p.archAt >= 0 ? firstString(vals[p.archAt]) : undefined, vals[p.syscallAt] as string);
      if (name) {
        keys[n] = 'SYSCALL';
        vals[n++] = name;
        hash = mixShape(hash, SYSCALL_ID);
      }
    }
    return buildFields(keys, vals, n, sets, hash);
  }

  /** Reads one record's pairs into p: all of them (`all`), or the tracked ones (this.tracking set). */
  private scan(p: Pairs, type: string, ts: number, text: string, body: number, all: boolean): void {
    const gs = text.indexOf('\u001d', body);
    const bodyEnd = gs < 0 ? text.length : gs;
    this.cur = p;
    this.curType = type;
    const bodyGuess = ts < 0 ? undefined : (this.bodyGuesses[ts] ??= new KeyGuess((k, u, e) => isPlainPair(type, k, u, e), this.directSink));
    // Tracking tries no full layouts: its lean patterns failed, and so would they.
    const m = all && bodyGuess !== undefined && bodyEnd === text.length && bodyGuess.layouts.length > 0 ? findLayout(text, body, bodyGuess) : null;
    if (m !== null) this.addLayout(p, bodyGuess!.matched!, m);
    else scanPairs(text, body, bodyEnd, this.rawSink, 0, bodyGuess, false);
    if (gs >= 0) {
      const tailGuess = ts < 0 ? undefined : (this.tailGuesses[ts] ??= new KeyGuess(() => true, this.directSink));
      scanPairs(text, gs + 1, text.length, this.enrichedSink, 0, tailGuess);
    }
    this.cur = undefined;
  }

  /**
   * The pairs of a body a layout matched (values m[1], m[2], ...): what matchLayout and push do
   * pair by pair, with the counters in locals and no call per plain pair.
   */
  private addLayout(g: Pairs, l: Layout, m: RegExpExecArray): void {
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
    if (this.tracking) pushTracked(g, key, value, slot);
    else push(g, key, value, slot);
  }
}
