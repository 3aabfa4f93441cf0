/**
 * Compiles a Sigma wildcard string into a plain string test. Common shapes (exact,
 * prefix, suffix, substring) map to native string methods; everything else uses a
 * segment matcher that is linear per segment (no backtracking across `*`).
 */
import { ANY, ONE, type SigmaStr, type StrPart } from './strings.js';

export type StringTest = (value: string) => boolean;

/** A run between two `*`: literal text and `?` (one character each). */
type Segment = StrPart[];

function segLength(seg: Segment): number {
  let n = 0;
  for (const p of seg) n += typeof p === 'string' ? p.length : 1;
  return n;
}

function segMatchAt(seg: Segment, v: string, pos: number): boolean {
  for (const p of seg) {
    if (p === ONE) {
      if (pos >= v.length) return false;
      pos++;
    } else if (typeof p === 'string') {
      if (!v.startsWith(p, pos)) return false;
      pos += p.length;
    }
  }
  return true;
}

/** Leftmost position >= from where the segment matches, or -1. */
function segFind(seg: Segment, v: string, from: number): number {
  const len = segLength(seg);
  const first = seg[0];
  for (let i = from; i + len <= v.length; i++) {
    if (typeof first === 'string') {
      const j = v.indexOf(first, i);
      if (j < 0 || j + len > v.length) return -1;
      i = j;
    }
    if (segMatchAt(seg, v, i)) return i;
  }
  return -1;
}

export function compileGlob(s: SigmaStr): StringTest {
  const parts = s.parts;
  if (parts.length === 0) return (v) => v.length === 0;
  if (parts.length === 1) {
    const p = parts[0]!;
    if (p === ANY) return () => true;
    if (typeof p === 'string') return (v) => v === p;
  }
  if (parts.length === 2) {
    const [a, b] = parts;
    if (a === ANY && typeof b === 'string') return (v) => v.endsWith(b);
    if (b === ANY && typeof a === 'string') return (v) => v.startsWith(a);
  }
  if (parts.length === 3 && parts[0] === ANY && parts[2] === ANY && typeof parts[1] === 'string') {
    const mid = parts[1];
    return (v) => v.includes(mid);
  }
  // General case: split into segments at `*`.
  const segs: Segment[] = [[]];
  for (const p of parts) {
    if (p === ANY) segs.push([]);
    else segs[segs.length - 1]!.push(p);
  }
  const head = segs[0]!;
  if (segs.length === 1) {
    const len = segLength(head);
    return (v) => v.length === len && segMatchAt(head, v, 0);
  }
  const tail = segs[segs.length - 1]!;
  const middle = segs.slice(1, -1).filter((g) => g.length > 0);
  const headLen = segLength(head);
  const tailLen = segLength(tail);
  return (v) => {
    if (v.length < headLen + tailLen) return false;
    if (!segMatchAt(head, v, 0)) return false;
    const end = v.length - tailLen;
    if (!segMatchAt(tail, v, end)) return false;
    let pos = headLen;
    for (const seg of middle) {
      const at = segFind(seg, v, pos);
      if (at < 0 || at + segLength(seg) > end) return false;
      pos = at + segLength(seg);
    }
    return pos <= end;
  };
}
