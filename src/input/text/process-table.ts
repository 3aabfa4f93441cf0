/**
 * Recently seen processes of one host, pid -> (exe, cmd), for the auditd decoder's parent
 * lookups. It behaves exactly like a Map that deletes and re-sets a pid on every `remember`
 * (so iteration order is recency) and drops its oldest tenth when it grows past `max`, but
 * lives in flat arrays indexed by hash slot: audit logs look up a random pid for nearly every
 * event and remember another, so each touch of a table of tens of thousands of processes is a
 * cache miss, and they are what this layout keeps few.
 *
 * A slot holds its pid next to its recency stamp and its command line's place (one Float64Array),
 * and its exe at the same index of one array, so a lookup reads two cache lines and a remember
 * writes the same two (and appends the command line). Recency is
 * the stamp alone (no linked list, whose neighbours' links are two more misses per remember):
 * the oldest tenth is found by selecting on the stamps when the table grows past `max`, which
 * happens once per max/10 new pids.
 *
 * Command lines are not kept as strings: each would be a small object living as long as its
 * process is remembered, which the young-generation collector copies and then promotes, and
 * the old generation marks (with one per event, that was ~5% of the decoder's CPU). Their
 * UTF-16 code units are appended to one buffer instead (see cmdBuffer), and read back as a string
 * only when asked for.
 */

/** Marks an empty slot (pids are never negative). */
const EMPTY = -1;
/** Values per slot in `data`: pid, stamp, command line offset and length (-1: none). */
const W = 4;
/** Smallest command-line buffer (code units; 64 bytes, kept on V8's heap: see `data`). */
const MIN_TEXT = 32;
/** Code units per String.fromCharCode call (its arguments are bounded). */
const TEXT_STEP = 4096;

/** The text `len` code units of `buf` from `off` hold. */
export function unitsText(buf: Uint16Array, off: number, len: number): string {
  if (len <= TEXT_STEP) return String.fromCharCode.apply(null, buf.subarray(off, off + len) as unknown as number[]);
  let out = '';
  for (let i = 0; i < len; i += TEXT_STEP) out += String.fromCharCode.apply(null, buf.subarray(off + i, off + Math.min(len, i + TEXT_STEP)) as unknown as number[]);
  return out;
}

/**
 * What remember stores as the command line: a string; the arguments of an execve, stored as
 * they would be joined by single spaces (an empty list: none); `undefined`: none; KEEP_CMD:
 * the one held for the pid (none when the pid is new).
 */
export const KEEP_CMD: unique symbol = Symbol('keep cmd');
export type CmdInput = string | readonly string[] | undefined | typeof KEEP_CMD;

export class ProcessTable {
  /**
   * Open-addressed (linear probing) slots: [W*s] the pid (EMPTY when free), then its stamp,
   * and its command line's offset in `text` and length (-1: none). The arrays start small
   * (64 bytes or less, which V8 keeps on the heap): a host seen once (aggregated logs name
   * many) then costs no ArrayBuffer of its own.
   */
  private data = new Float64Array(W * 2).fill(EMPTY);
  /** Per slot, its exe (shared copies, see `name`). */
  private exes: Array<string | undefined> = new Array<string | undefined>(2).fill(undefined);
  /** Slots (a power of two). */
  private cap = 2;
  /**
   * The command lines' code units, appended: a range is never written again, so a range
   * handed out stays valid; when full, the live ranges move to a new buffer.
   */
  private text = new Uint16Array(MIN_TEXT);
  private textUsed = 0;
  /** Code units of `text` that live entries use. */
  private textLive = 0;
  private count = 0;
  /** Stamp of the latest remember that stored (stamps are distinct and increase). */
  private clock = 0;

  /**
   * @param max processes kept (past it, the least recently remembered tenth goes)
   * @param name maps an exe to the string to keep (see NodeProcesses: a shared copy); called
   *   by every remember that stores the process
   */
  constructor(
    private readonly max: number,
    private readonly name: (exe: string) => string = (exe) => exe,
  ) {}

  get size(): number {
    return this.count;
  }

  /** The entry holding pid, or -1 (valid until the next remember). */
  entryOf(pid: number): number {
    if (pid < 0) return -1;
    const s = this.slotOf(pid);
    return this.data[W * s] === EMPTY ? -1 : s;
  }

  exeAt(entry: number): string {
    return this.exes[entry]!;
  }

  cmdAt(entry: number): string | undefined {
    const len = this.data[W * entry + 3]!;
    return len < 0 ? undefined : unitsText(this.text, this.data[W * entry + 2]!, len);
  }

  /**
   * The buffer the command lines are in now, and the entry's range there (length -1: none):
   * the command line without reading it as a string. A buffer is never written again where it
   * holds a range, so a caller may keep the three and read them later with unitsText.
   */
  get cmdBuffer(): Uint16Array {
    return this.text;
  }

  cmdOffAt(entry: number): number {
    return this.data[W * entry + 2]!;
  }

  cmdLengthAt(entry: number): number {
    return this.data[W * entry + 3]!;
  }

  exeOf(pid: number): string | undefined {
    const e = this.entryOf(pid);
    return e < 0 ? undefined : this.exes[e];
  }

  cmdOf(pid: number): string | undefined {
    const e = this.entryOf(pid);
    return e < 0 ? undefined : this.cmdAt(e);
  }

  /**
   * Stores pid as the most recently seen process, then forgets the oldest tenth when over `max`.
   * `unlessSameExe`: does nothing when pid is already held with this exe (what `exeOf(pid) !== exe`
   * before the call tests, with one probe of the table instead of two).
   */
  remember(pid: number, exe: string, cmd: CmdInput, unlessSameExe = false): void {
    let s = this.slotOf(pid);
    const held = this.data[W * s] !== EMPTY;
    if (unlessSameExe && held && this.exes[s] === exe) return;
    // The kept copy is stored whether or not the entry's exe had the same text: asking for it
    // costs one comparison in NodeProcesses' cache of recent names, and comparing the entry's
    // exe with the new one first (a slice of its line, not a kept copy) cost another.
    const kept = this.name(exe);
    if (held) {
      // Already the most recent (an execve's group remembers its pid when its SYSCALL record is
      // read and again when it completes): only the values change.
      if (this.data[W * s + 1] !== this.clock) this.data[W * s + 1] = ++this.clock;
      this.exes[s] = kept;
      if (cmd !== KEEP_CMD) {
        const len = this.data[W * s + 3]!;
        if (len > 0) this.textLive -= len;
        this.data[W * s + 3] = -1;
        // (Appending may move the live text, this entry's included: its slot stays.)
        this.setCmd(s, cmd);
      }
      return;
    }
    this.count++;
    // Keep the table at most half full; growing moves every slot, so find pid's again.
    if (this.count * 2 > this.cap) {
      this.rehash(this.cap * 2, -Infinity);
      s = this.slotOf(pid);
    }
    const data = this.data;
    data[W * s] = pid;
    data[W * s + 1] = ++this.clock;
    data[W * s + 3] = -1;
    this.exes[s] = kept;
    if (cmd !== KEEP_CMD) this.setCmd(s, cmd);
    if (this.count > this.max) this.evict();
  }

  /** Stores slot s's command line (its old one, if any, already released). */
  private setCmd(s: number, cmd: string | readonly string[] | undefined): void {
    if (cmd === undefined) return;
    let len: number;
    if (typeof cmd === 'string') len = cmd.length;
    else {
      if (cmd.length === 0) return;
      len = cmd.length - 1;
      for (let a = 0; a < cmd.length; a++) len += cmd[a]!.length;
    }
    if (this.textUsed + len > this.text.length) this.moveText(len);
    const text = this.text;
    const off = this.textUsed;
    let o = off;
    if (typeof cmd === 'string') {
      for (let i = 0; i < len; i++) text[o++] = cmd.charCodeAt(i);
    } else {
      for (let a = 0; a < cmd.length; a++) {
        if (a > 0) text[o++] = 32;
        const arg = cmd[a]!;
        for (let i = 0; i < arg.length; i++) text[o++] = arg.charCodeAt(i);
      }
    }
    this.textUsed = o;
    this.textLive += len;
    this.data[W * s + 2] = off;
    this.data[W * s + 3] = len;
  }

  /**
   * Moves the live command lines to a new buffer with room for `need` more code units and three
   * times as much as they use, so that moving costs at most a third of a copy per code unit appended. The
   * old buffer is left as it is: ranges handed out still read it.
   */
  private moveText(need: number): void {
    const old = this.text;
    const data = this.data;
    const next = new Uint16Array(Math.max(MIN_TEXT, 4 * (this.textLive + need)));
    let o = 0;
    for (let s = 0; s < this.cap; s++) {
      const len = data[W * s + 3]!;
      if (data[W * s] === EMPTY || len < 0) continue;
      const off = data[W * s + 2]!;
      data[W * s + 2] = o;
      // (A view per short command line would cost more than its copy.)
      if (len > 64) {
        next.set(old.subarray(off, off + len), o);
        o += len;
      } else for (let i = off; i < off + len; i++) next[o++] = old[i]!;
    }
    this.text = next;
    this.textUsed = o;
  }

  /**
   * Forgets the oldest entries, as a Map iterated from its oldest key deletes them one by one
   * until a tenth of max (rounded up, at least one) is gone.
   */
  private evict(): void {
    const drop = Math.min(this.count, Math.max(1, Math.ceil(this.max / 10)));
    const stamps = new Float64Array(this.count);
    const data = this.data;
    let n = 0;
    for (let s = 0; s < this.cap; s++) if (data[W * s] !== EMPTY) stamps[n++] = data[W * s + 1]!;
    // Stamps are distinct: the drop oldest are exactly those up to the drop-th smallest.
    const last = select(stamps, drop - 1);
    this.count -= drop;
    this.rehash(this.cap, last);
  }

  private home(pid: number): number {
    // Fibonacci hashing of the low 32 bits; equality is checked on the full pid.
    return (Math.imul(pid | 0, 0x9e3779b1) >>> 0) & (this.cap - 1);
  }

  /** The slot holding pid, or the empty slot where it would go. */
  private slotOf(pid: number): number {
    const data = this.data;
    const mask = this.cap - 1;
    let h = this.home(pid);
    for (;;) {
      const p = data[W * h]!;
      if (p === EMPTY || p === pid) return h;
      h = (h + 1) & mask;
    }
  }

  /** Moves the entries stamped after `after` into `size` fresh slots (the others are forgotten). */
  private rehash(size: number, after: number): void {
    const oldData = this.data;
    const oldExes = this.exes;
    const oldCap = this.cap;
    this.cap = size;
    const data = (this.data = new Float64Array(W * size).fill(EMPTY));
    this.exes = new Array<string | undefined>(size).fill(undefined);
    for (let s = 0; s < oldCap; s++) {
      const pid = oldData[W * s]!;
      if (pid === EMPTY) continue;
      if (oldData[W * s + 1]! <= after) {
        const len = oldData[W * s + 3]!;
        if (len > 0) this.textLive -= len;
        continue;
      }
      const t = this.slotOf(pid);
      for (let k = 0; k < W; k++) data[W * t + k] = oldData[W * s + k]!;
      this.exes[t] = oldExes[s];
    }
  }
}

/** The k-th smallest of `a` (0-based; `a` is reordered): quickselect with a median-of-three pivot. */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = lo + ((hi - lo) >> 1);
    // Median of lo, mid and hi as the pivot, so sorted or reversed runs stay linear.
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
