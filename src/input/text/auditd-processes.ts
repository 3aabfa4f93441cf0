/**
 * The processes the auditd decoder remembers per host (`node=` prefix; pids are per host),
 * for ParentImage/ParentCommandLine: one ProcessTable per node, with a budget on the
 * processes of all nodes together and on the number of nodes. The least recently used nodes
 * are forgotten first, so a file that names a new host on every line stays bounded while the
 * hosts in steady use keep their tables.
 */
import { type CmdInput, ProcessTable } from './process-table.js';
import { detached } from './common.js';

/** Distinct exe names kept as shared copies; past this the set starts over. */
const MAX_NAMES = 4096;
/** Slots of the cache of recently kept names (a power of two). */
const RECENT = 32;

interface NodeEntry {
  table: ProcessTable;
  /** Clock value of the last use, for eviction. */
  used: number;
}

export class NodeProcesses {
  private readonly nodes = new Map<string, NodeEntry>();
  /** The node asked for last and its entry: consecutive records usually come from one host. */
  private lastKey: string | undefined;
  private last: NodeEntry | undefined;
  private clock = 0;
  /** Processes held by all tables together. */
  private total = 0;
  /** Exe names the tables hold, each a detached copy shared by every entry of that exe (few binaries run many times). */
  private readonly names = new Map<string, string>();
  /**
   * Recently kept names by their length and last character: most exes are one of a few
   * binaries, and comparing one candidate costs less than hashing the exe for the map.
   */
  private readonly recent: string[] = new Array<string>(RECENT).fill('');
  private readonly name = (exe: string): string => {
    const len = exe.length;
    const r = len === 0 ? 0 : (len * 7 + exe.charCodeAt(len - 1)) & (RECENT - 1);
    const hit = this.recent[r]!;
    if (hit === exe) return hit;
    let kept = this.names.get(exe);
    if (kept === undefined) {
      if (this.names.size >= MAX_NAMES) this.names.clear();
      kept = detached(exe);
      this.names.set(kept, kept);
    }
    this.recent[r] = kept;
    return kept;
  };

  /**
   * @param perNode processes one host keeps (past it, that host's least recently seen tenth goes)
   * @param maxTotal processes all hosts keep together
   * @param maxNodes hosts kept
   */
  constructor(
    private readonly perNode: number,
    private readonly maxTotal: number,
    private readonly maxNodes: number,
  ) {}

  /** The table of `node` ("" for records without one), created when new. */
  of(node: string | undefined): ProcessTable {
    const key = node ?? '';
    let e = this.lastKey === key ? this.last : undefined;
    if (e === undefined) {
      e = this.nodes.get(key);
      if (e === undefined) {
        if (this.nodes.size >= this.maxNodes) this.evict(this.maxNodes >> 1, this.total);
        e = { table: new ProcessTable(this.perNode, this.name), used: 0 };
        // The node name is a slice of a line (see detached): a kept key must not keep its chunk.
        this.nodes.set(detached(key), e);
      }
      this.lastKey = key;
      this.last = e;
    }
    e.used = ++this.clock;
    return e.table;
  }

  /** Remembers a process in `node`'s table (see ProcessTable.remember), keeping the budget over all nodes. */
  remember(node: string | undefined, pid: number, exe: string, cmd: CmdInput, unlessSameExe = false): void {
    const table = this.of(node);
    const before = table.size;
    table.remember(pid, exe, cmd, unlessSameExe);
    this.total += table.size - before;
    if (this.total > this.maxTotal) this.evict(this.nodes.size, this.maxTotal - (this.maxTotal >> 3));
  }

  /** Whether remembering a new process of `node` now would evict none (of that host's). */
  hasRoom(node: string | undefined): boolean {
    const e = this.lastKey === (node ?? '') ? this.last : this.nodes.get(node ?? '');
    return e === undefined || e.table.size < this.perNode - 1;
  }

  /** Hosts and processes held (for tests of the bounds). */
  get nodeCount(): number {
    return this.nodes.size;
  }

  get processCount(): number {
    return this.total;
  }

  /** Forgets the least recently used nodes until at most `nodes` remain and at most `processes` are held (never the node in use). */
  private evict(nodes: number, processes: number): void {
    const byAge = [...this.nodes].sort((a, b) => a[1].used - b[1].used);
    for (const [key, e] of byAge) {
      if (this.nodes.size <= nodes && this.total <= processes) break;
      if (e === this.last) continue;
      this.nodes.delete(key);
      this.total -= e.table.size;
    }
  }
}
