/**
 * Recently seen processes of one host, pid -> (exe, cmd), for the auditd decoder's parent
 * lookups. It behaves exactly like a Map that deletes and re-sets a pid on every `remember`
 * (so iteration order is recency) and drops its oldest tenth when it grows past `max`, but
 * lives in typed arrays: audit logs look up a random pid for nearly every event, and a Map of
 * tens of thousands of small objects made those lookups the decoder's largest single cost
 * (scattered memory, and objects that live long enough to burden the old generation).
 */
export class ProcessTable {
  /**
   * Open-addressed (linear probing) hash slots: entry + 1, 0 when empty. The arrays start at
   * 64 bytes, which V8 keeps on the heap: a host seen once (aggregated logs name many) then
   * costs no ArrayBuffer of its own.
   */
  private slots = new Int32Array(16);
  /** Per entry: its pid (pids may exceed int32), recency links (-1: none), exe and cmd. */
  private pids = new Float64Array(8);
  private prev = new Int32Array(8);
  private next = new Int32Array(8);
  private readonly exes: string[] = [];
  private readonly cmds: Array<string | undefined> = [];
  /** Least and most recently remembered entries (-1: none). */
  private head = -1;
  private tail = -1;
  private count = 0;
  /** Entries handed out so far; freed ones are reused first. */
  private used = 0;
  private readonly free: number[] = [];

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

  /** The entry holding pid, or -1. */
  entryOf(pid: number): number {
    return this.slots[this.slotOf(pid)]! - 1;
  }

  exeAt(entry: number): string {
    return this.exes[entry]!;
  }

  cmdAt(entry: number): string | undefined {
    return this.cmds[entry];
  }

  exeOf(pid: number): string | undefined {
    const e = this.entryOf(pid);
    return e < 0 ? undefined : this.exes[e];
  }

  cmdOf(pid: number): string | undefined {
    const e = this.entryOf(pid);
    return e < 0 ? undefined : this.cmds[e];
  }

  /**
   * Stores pid as the most recently seen process, then forgets the oldest tenth when over `max`.
   * `unlessSameExe`: does nothing when pid is already held with this exe (what `exeOf(pid) !== exe`
   * before the call tests, with one probe of the table instead of two).
   */
  remember(pid: number, exe: string, cmd: string | undefined, unlessSameExe = false): void {
    const s = this.slotOf(pid);
    let e = this.slots[s]! - 1;
    if (unlessSameExe && e >= 0 && this.exes[e] === exe) return;
    // The kept copy is stored whether or not the entry's exe had the same text: asking for it
    // costs one comparison in NodeProcesses' cache of recent names, and comparing the entry's
    // exe with the new one first (a slice of its line, not a kept copy) cost another.
    const kept = this.name(exe);
    if (e >= 0 && e === this.tail) {
      // Already the most recent (an execve's group remembers its pid when its SYSCALL record is
      // read and again when it completes): only the values change, and nothing can be over max.
      this.exes[e] = kept;
      this.cmds[e] = cmd;
      return;
    }
    if (e >= 0) this.unlink(e);
    else {
      e = this.allocate();
      this.pids[e] = pid;
      this.count++;
      // Keep the table at most half full; growing moves every slot, so find pid's again.
      if (this.count * 2 > this.slots.length) {
        this.rehash(this.slots.length * 2);
        this.slots[this.slotOf(pid)] = e + 1;
      } else this.slots[s] = e + 1;
    }
    this.exes[e] = kept;
    this.cmds[e] = cmd;
    this.append(e);
    if (this.count > this.max) {
      // As a Map iterated from its oldest key, deleting until a tenth of max is gone.
      let drop = this.max / 10;
      while (this.head >= 0) {
        this.remove(this.head);
        if (--drop <= 0) break;
      }
    }
  }

  private home(pid: number): number {
    // Fibonacci hashing of the low 32 bits; equality is checked on the full pid.
    return (Math.imul(pid | 0, 0x9e3779b1) >>> 0) & (this.slots.length - 1);
  }

  /** The slot holding pid, or the empty slot where it would go. */
  private slotOf(pid: number): number {
    const mask = this.slots.length - 1;
    let h = this.home(pid);
    for (;;) {
      const e = this.slots[h]! - 1;
      if (e < 0 || this.pids[e] === pid) return h;
      h = (h + 1) & mask;
    }
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.pids.length) {
      const n = this.used * 2;
      this.pids = grow(this.pids, new Float64Array(n));
      this.prev = grow(this.prev, new Int32Array(n));
      this.next = grow(this.next, new Int32Array(n));
    }
    return this.used++;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size);
    for (let i = 0; i < old.length; i++) {
      const v = old[i]!;
      if (v !== 0) this.slots[this.slotOf(this.pids[v - 1]!)] = v;
    }
  }

  private append(e: number): void {
    this.prev[e] = this.tail;
    this.next[e] = -1;
    if (this.tail >= 0) this.next[this.tail] = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: number): void {
    const p = this.prev[e]!;
    const n = this.next[e]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  /** Deletes entry e: its slot is refilled by shifting later entries of its probe run back. */
  private remove(e: number): void {
    this.unlink(e);
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = this.slotOf(this.pids[e]!);
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = slots[j]!;
      if (v === 0) break;
      const k = this.home(this.pids[v - 1]!);
      // The entry at j may stay unless its home lies cyclically outside (i, j].
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      slots[i] = v;
      i = j;
    }
    slots[i] = 0;
    this.exes[e] = '';
    this.cmds[e] = undefined;
    this.free.push(e);
    this.count--;
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
