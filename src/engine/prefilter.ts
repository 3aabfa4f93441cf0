/**
 * Multi-pattern literal search (Aho–Corasick compiled to a dense DFA) used as the rule
 * prefilter: one pass over a field's value finds the rule literals it contains, so only
 * rules whose required literal occurs are evaluated in full.
 *
 * It is a filter, so it may report a literal that is not there (never the reverse),
 * which keeps it small and fast:
 * - a fixed 64-class alphabet: letters, digits and common punctuation have their own
 *   class, upper case shares the lower-case class (matching is case-insensitive, values
 *   need no lower-casing), every other character shares a class with others;
 * - states are numbered breadth-first, so the hot shallow states sit together.
 * Callers keep literals short (see MAX_SCAN_LITERAL in ruleset.ts) to bound the states.
 */

import { SkipScanner } from './prefilter-skip.js';

const CLASSES = 64;
/** Characters with a class of their own (at most CLASSES - 8, leaving shared classes). */
const OWN = 'abcdefghijklmnopqrstuvwxyz0123456789 .\\/-_:%"\'()=,;$&*?@';
/** Characters with a class of their own: no other character is reported as one of them. */
export const OWN_CLASS_CHARS = OWN;

/** Every character the text of a number, a boolean or undefined can hold (lower-cased). */
const SCALAR_CHARS = '0123456789.-+einfityatrulsd';

/**
 * Whether a literal could be reported in the text of a number, boolean or undefined. The
 * scanner compares character classes; a character with a class of its own (OWN)
 * that no such text holds rules the literal out, anything else might not.
 */
export function scalarsCanHold(lits: readonly string[]): boolean {
  for (const lit of lits) {
    let excluded = false;
    for (const c of lit.toLowerCase()) {
      if (OWN.includes(c) && !SCALAR_CHARS.includes(c)) {
        excluded = true;
        break;
      }
    }
    if (!excluded) return true;
  }
  return false;
}

let classTable: Uint8Array | null = null;

/** Character -> class (0..63), case-folded. */
function classes(): Uint8Array {
  if (classTable === null) {
    const t = new Uint8Array(65536);
    const own = new Map<number, number>();
    for (let i = 0; i < OWN.length; i++) own.set(OWN.charCodeAt(i), i);
    // Characters without their own class share one: false hits only, never misses.
    // ASCII and non-ASCII never share, so the literals of rules about Unicode tricks
    // (homoglyphs, emoji) do not fire on the braces and pipes of everyday command lines.
    const spare = CLASSES - OWN.length;
    const ascii = spare >> 1;
    if (ascii < 1) throw new Error('prefilter alphabet too large');
    for (let c = 0; c < 65536; c++) {
      const l = String.fromCharCode(c).toLowerCase();
      const lc = l.length === 1 ? l.charCodeAt(0) : c;
      const k = own.get(lc);
      t[c] = k !== undefined ? k : lc < 128 ? OWN.length + (lc % ascii) : OWN.length + ascii + (lc % (spare - ascii));
    }
    classTable = t;
  }
  return classTable;
}

/**
 * When skipping beats stepping through every character (measured on SigmaHQ literal
 * sets over Sysmon values): long shortest literals, and few enough literals that most
 * character pairs allow a long jump (many literals, e.g. hash lists, leave few such pairs).
 */
function skipPays(count: number, minLen: number): boolean {
  return minLen >= 5 && count * (minLen - 1) <= 512;
}

/** Most literals one position may have to verify in the skipping search (see below). */
const MAX_SKIP_BUCKET = 8;

/** How a scanner searches: 'auto' picks (see skipPays); the others force one (tests). */
export type ScanStrategy = 'auto' | 'automaton' | 'skip';

export class LiteralScanner {
  private readonly classOf: Uint8Array;
  /** Transition table: row offset of the next state, complemented when it reports patterns. */
  private readonly delta: Int32Array;
  /** Pattern ids ending at each state (own and inherited via failure links). */
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;
  readonly patterns: readonly string[];
  /** Used instead of the automaton when every literal is long enough to skip by. */
  private readonly skip: SkipScanner | null;

  constructor(patterns: readonly string[], strategy: ScanStrategy = 'auto') {
    this.patterns = patterns;
    const classOf = classes();
    this.classOf = classOf;
    let minLen = Infinity;
    for (const p of patterns) minLen = Math.min(minLen, p.length);
    const skip = patterns.length > 0 && minLen >= 2 && (strategy === 'skip' || (strategy === 'auto' && skipPays(patterns.length, minLen)));
    let skipper = skip ? new SkipScanner(patterns, classOf, Math.min(minLen, 200)) : null;
    // Many literals ending in one pair would make hostile text (that pair, repeated)
    // cost a verification of each of them per character: the automaton is linear.
    if (skipper !== null && strategy === 'auto' && skipper.maxBucket > MAX_SKIP_BUCKET) skipper = null;
    this.skip = skipper;
    // Trie (insertion order ids).
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    patterns.forEach((p, id) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = classOf[p.charCodeAt(i)]!;
        let n = children[s]!.get(c);
        if (n === undefined) {
          n = children.length;
          children.push(new Map());
          own.push([]);
          children[s]!.set(c, n);
        }
        s = n;
      }
      own[s]!.push(id);
    });
    const states = children.length;
    // Breadth-first renumbering.
    const order: number[] = [0];
    for (let qi = 0; qi < order.length; qi++) for (const n of children[order[qi]!]!.values()) order.push(n);
    const newId = new Int32Array(states);
    order.forEach((old, i) => {
      newId[old] = i;
    });

    const delta = new Int32Array(states * CLASSES);
    const fail = new Int32Array(states);
    const outs: number[][] = new Array(states);
    for (let i = 0; i < states; i++) outs[i] = own[order[i]!]!;
    // Root transitions.
    for (const [c, n] of children[0]!) delta[c] = newId[n]!;
    // States in BFS order: failure links and full transition rows.
    for (let i = 1; i < states; i++) {
      const f = fail[i]!;
      if (outs[f]!.length) outs[i] = outs[i]!.concat(outs[f]!);
      const kids = children[order[i]!]!;
      const row = i * CLASSES;
      const frow = f * CLASSES;
      for (let c = 0; c < CLASSES; c++) {
        const kid = kids.get(c);
        if (kid !== undefined) {
          const n = newId[kid]!;
          delta[row + c] = n;
          // the child's failure state: where the parent's failure goes on c
          fail[n] = i === 0 ? 0 : delta[frow + c]!;
        } else {
          delta[row + c] = delta[frow + c]!;
        }
      }
    }
    this.outStart = new Int32Array(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      this.outStart[s] = total;
      total += outs[s]!.length;
    }
    this.outStart[states] = total;
    this.outIds = new Int32Array(total);
    for (let s = 0, k = 0; s < states; s++) for (const id of outs[s]!) this.outIds[k++] = id;
    // Transitions hold the target's row offset (no multiply in the loop), complemented
    // (negative) when the target state reports patterns: one load and one sign test per
    // character on the common path.
    for (let i = 0; i < delta.length; i++) {
      const n = delta[i]!;
      delta[i] = this.outStart[n + 1]! > this.outStart[n]! ? ~(n * CLASSES) : n * CLASSES;
    }
    this.delta = delta;
  }

  /** Calls `hit(patternId)` for every (possible) pattern occurrence in `text`; repeats possible. */
  scan(text: string, hit: (id: number) => void): void {
    if (this.skip !== null) {
      this.skip.scan(text, hit);
      return;
    }
    const delta = this.delta;
    const classOf = this.classOf;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const x = delta[s + classOf[text.charCodeAt(i)]!]!;
      if (x >= 0) {
        s = x;
        continue;
      }
      s = ~x;
      const st = (s / CLASSES) | 0;
      const b = this.outStart[st + 1]!;
      for (let k = this.outStart[st]!; k < b; k++) hit(this.outIds[k]!);
    }
  }

  get states(): number {
    return this.delta.length / CLASSES;
  }

  /** Approximate memory use in bytes (for benchmarks). */
  get bytes(): number {
    return this.delta.byteLength + this.outIds.byteLength + this.outStart.byteLength;
  }
}
