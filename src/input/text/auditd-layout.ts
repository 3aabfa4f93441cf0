/**
 * Per record type memory for the audit.log scanner (see scanPairs): the keys the last record
 * of the type had, and whole-body patterns for the layouts it keeps repeating. Audit logs are
 * millions of records in a handful of layouts; recognising a known layout in one step is
 * what makes scanning them cheap. Nothing here changes what is decoded, only how fast.
 */
import { otherKeyId, type PairSink } from './auditd-record.js';

/** Receives the pairs a KeyGuess's owner has said need none of the PairSink's arguments or checks. */
export type DirectSink = (key: string, value: string, slot: number) => void;

/** Whether a pair with this key and kind may go to the DirectSink (asked once per layout position). */
export type DirectTest = (key: string, unquoted: boolean, encodedKey: boolean) => boolean;

/**
 * The keys the last record of one type had, in order, for scanPairs to try first: records of
 * a type nearly always repeat their layout, and confirming `key=` with one search is much
 * cheaper than finding the '=', checking for spaces and looking the key up character by
 * character. A wrong guess only costs that search; the entry is then relearned.
 */
export class KeyGuess {
  /** `key=` per pair position. */
  readonly withEq: string[] = [];
  readonly keys: string[] = [];
  readonly slots: number[] = [];
  readonly encoded: boolean[] = [];
  /** Whether the value at each position was unquoted, in the last scan. */
  readonly unquoted: boolean[] = [];
  /** Whole-body patterns of this type's recent layouts, most recently matched first (see matchLayout). */
  readonly layouts: Layout[] = [];
  /** Patterns compiled so far: a type whose layout keeps changing stops getting new ones. */
  compiled = 0;
  /** The layout findLayout matched last. */
  matched: Layout | undefined = undefined;

  /** Layout matches send the pairs `isDirect` accepts to `direct` instead of the scan's sink. */
  constructor(
    readonly isDirect?: DirectTest,
    readonly direct?: DirectSink,
  ) {}
}

/** Positions guessed per record type; later pairs of very long records are scanned plainly. */
export const MAX_GUESSED = 64;

/**
 * One record layout (keys in order, each value quoted or not) as a sticky regex over the
 * whole body, values captured. Running one native pattern is several times cheaper than
 * finding each key and value with separate searches, on the records that make up the bulk
 * of audit logs (SYSCALL, PATH, EXECVE, ...).
 */
export interface Layout {
  re: RegExp;
  keys: string[];
  slots: number[];
  /** Per pair: the shape id of its key (the slot, or otherKeyId for an uncommon key; see mixShape). */
  ids: number[];
  /** Per pair: the `encodedKey` argument the plain scan passes (only unquoted values can be encoded). */
  encoded: boolean[];
  unquoted: boolean[];
  /** Per pair: goes to the guess's DirectSink. */
  direct: boolean[];
}

const MAX_LAYOUTS = 4;
const MAX_COMPILED = 16;
/**
 * Keys that may appear literally in a pattern. Longer keys are left to the plain scan: a
 * hostile record with a key of many kilobytes would make a pattern V8 refuses to compile
 * ("Regular expression too large"), and a throw there would end the decoding of the file.
 */
const PLAIN_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Matches s[start, end of line) against the guess's layouts and feeds their pairs to the
 * sink; returns the pair count, or -1 when none matches. A pattern only matches bodies the
 * plain scan reads as exactly those pairs: single spaces or runs of them between pairs,
 * `key="text without quotes"`, or `key=text` whose first character is no quote or brace.
 */
export function matchLayout(s: string, start: number, sink: PairSink, guess: KeyGuess): number {
  const m = findLayout(s, start, guess);
  if (m === null) return -1;
  const l = guess.matched!;
  const n = l.keys.length;
  const direct = guess.direct;
  for (let k = 0; k < n; k++) {
    if (l.direct[k]) direct!(l.keys[k]!, m[k + 1]!, l.slots[k]!);
    else sink(l.keys[k]!, m[k + 1]!, l.unquoted[k]!, l.encoded[k]!, l.slots[k]!);
  }
  return n;
}

/**
 * The match of the first of the guess's layouts that matches s[start, end of line) (the layout
 * is then `guess.matched`, and moves to the front), or null. Values are m[1], m[2], ... in the
 * layout's key order; a caller that stores them itself saves a call per pair (see matchLayout).
 */
export function findLayout(s: string, start: number, guess: KeyGuess): RegExpExecArray | null {
  const layouts = guess.layouts;
  for (let i = 0; i < layouts.length; i++) {
    const l = layouts[i]!;
    l.re.lastIndex = start;
    const m = l.re.exec(s);
    if (m === null) continue;
    if (i > 0) {
      layouts[i] = layouts[0]!;
      layouts[0] = l;
    }
    guess.matched = l;
    return m;
  }
  return null;
}

/** Adds the layout the guess holds for its first n positions, if it can be a pattern and matches s from start. */
export function learnLayout(s: string, start: number, guess: KeyGuess, n: number): void {
  if (n === 0 || n > MAX_GUESSED || guess.compiled >= MAX_COMPILED) return;
  let src = ' *';
  for (let i = 0; i < n; i++) {
    const k = guess.keys[i]!;
    if (!PLAIN_KEY.test(k)) return;
    if (i > 0) src += ' +';
    // An unquoted value runs to the next space and starts with anything but a quote or brace (or is empty).
    src += guess.unquoted[i] ? `${k}=([^ "'{][^ ]*|)` : `${k}="([^"]*)"`;
  }
  guess.compiled++;
  const re = new RegExp(`${src} *$`, 'y');
  re.lastIndex = start;
  if (!re.test(s)) return;
  const keys = guess.keys.slice(0, n);
  const unquoted = guess.unquoted.slice(0, n);
  const encoded = guess.encoded.slice(0, n).map((e, i) => e && unquoted[i]!);
  const isDirect = guess.isDirect;
  const direct = keys.map((k, i) => guess.direct !== undefined && isDirect?.(k, unquoted[i]!, encoded[i]!) === true);
  const slots = guess.slots.slice(0, n);
  const ids = slots.map((slot, i) => (slot >= 0 ? slot : otherKeyId(keys[i]!)));
  const layout: Layout = { re, keys, slots, ids, encoded, unquoted, direct };
  if (guess.layouts.length >= MAX_LAYOUTS) guess.layouts.pop();
  guess.layouts.unshift(layout);
}

/**
 * A layout's pattern that captures only the values at `pos` (layout positions, in order), for
 * reading a few pairs of a record without the others. Its values also exclude \x1d, so that it
 * only matches bodies without an ENRICHED tail, which the layout's own pattern (tried only on
 * such bodies) would match: a match means the record's pairs are exactly the layout's.
 */
export interface LeanLayout {
  re: RegExp;
  layout: Layout;
  pos: number[];
  /** Per captured value: the argument index its value is stored at as it is (see leanLayout's `argOf`), or -1. */
  arg: number[];
}

/**
 * The lean pattern of `layout` keeping the positions `keep` accepts (see LeanLayout); `argOf`
 * tells, per kept position, the index of the argument its value is as it is (-1: none).
 */
export function leanLayout(layout: Layout, keep: (k: number) => boolean, argOf: (k: number) => number = () => -1): LeanLayout {
  let src = ' *';
  const pos: number[] = [];
  const arg: number[] = [];
  for (let i = 0; i < layout.keys.length; i++) {
    const kept = keep(i);
    if (kept) {
      pos.push(i);
      arg.push(argOf(i));
    }
    const open = kept ? '(' : '(?:';
    if (i > 0) src += ' +';
    src += layout.unquoted[i] ? `${layout.keys[i]}=${open}[^ "'{\\x1d][^ \\x1d]*|)` : `${layout.keys[i]}="${open}[^"\\x1d]*)"`;
  }
  return { re: new RegExp(`${src} *$`, 'y'), layout, pos, arg };
}
