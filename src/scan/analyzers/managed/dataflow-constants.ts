/**
 * Constant folding over ManagedFlow's tokens (`constOf`): strings built from literals, byte and
 * char arrays and base64, so names hidden from text search (`new String(new byte[]{101,120,
 * 101,99})`) are read as the runtime reads them.
 */
import { FlowStructure, type Assign } from './dataflow-structure.js';

export abstract class FlowConstants extends FlowStructure {
  protected readonly consts = new Map<string, string>();

  /**
   * The string the tokens [from, to) evaluate to when they are built from constants: literals,
   * `+`, constant variables, `new String(bytes|chars)`, byte/char array literals, base64
   * decoders, `reverse()`/`toString()`/`trim()`; undefined otherwise.
   */
  constOf(from: number, to: number, depth = 0): string | undefined {
    if (depth > 8 || to <= from || to - from > 4000) return undefined;
    this.work += to - from;
    if (this.work > this.workCap) return undefined;
    const toks = this.toks;
    // strip a cast `(String)` and wrapping parentheses
    if (this.isOp(from, '(') && this.match[from] === to - 1) return this.constOf(from + 1, to - 1, depth + 1);
    if (this.isOp(from, '(') && this.isId(from + 1) && this.isOp(from + 2, ')')) return this.constOf(from + 3, to, depth + 1);
    // top-level `+`: concatenation (VB.NET's `&` too: on two strings C# does not compile it)
    let parts = this.splitTop(from, to, '+');
    if (parts.length === 1 && this.dialect === 'cs') parts = this.splitTop(from, to, '&');
    if (parts.length > 1) {
      let s = '';
      for (const [f, e] of parts) {
        const v = this.constOf(f, e, depth + 1);
        if (v === undefined) return undefined;
        s += v;
        if (s.length > 4096) return undefined;
      }
      return s;
    }
    const t = toks[from]!;
    if (to - from === 1) {
      if (t.k === 'str') return t.v;
      if (t.k === 'id') return this.consts.get(t.v) ?? this.constVar(t.v, depth);
      return undefined;
    }
    // trailing `.reverse()`, `.toString()`, `.trim()`, `.intern()`
    if (this.isOp(to - 1, ')') && this.isOp(to - 2, '(') && this.isId(to - 3) && this.isOp(to - 4, '.')) {
      const name = toks[to - 3]!.v;
      if (/^(?:toString|ToString|trim|Trim|intern|toCharArray|ToCharArray|getBytes)$/.test(name)) return this.constOf(from, to - 4, depth + 1);
      if (name === 'reverse' || name === 'Reverse') {
        const v = this.constOf(from, to - 4, depth + 1);
        return v === undefined ? undefined : [...v].reverse().join('');
      }
    }
    // new StringBuilder(C) / new StringBuffer(C) / new String(C)
    if (t.k === 'id' && t.v === 'new' && this.isId(from + 1) && this.isOp(from + 2, '(') && this.match[from + 2] === to - 1) {
      const ty = toks[from + 1]!.v;
      if (/^(?:String|StringBuilder|StringBuffer|string)$/.test(ty)) {
        const args = this.args(from + 2);
        return args[0] ? this.constOf(args[0][0], args[0][1], depth + 1) : undefined;
      }
      return undefined;
    }
    // new byte[]{..} / new char[]{..} / new byte[]{..} with casts
    if (t.k === 'id' && t.v === 'new' && this.isId(from + 1) && /^(?:byte|char|Byte|Character)$/.test(toks[from + 1]!.v) && this.isOp(from + 2, '[')) {
      const brace = this.match[from + 2]! + 1;
      if (!this.isOp(brace, '{') || this.match[brace] !== to - 1) return undefined;
      let s = '';
      for (let k = brace + 1; k < to - 1; k++) {
        const u = toks[k]!;
        if (u.k === 'num') {
          const n = /^0x/i.test(u.v) ? Number.parseInt(u.v, 16) : Number.parseInt(u.v, 10);
          if (!Number.isFinite(n)) return undefined;
          s += String.fromCharCode((this.isOp(k - 1, '-') ? -n : n) & 0xff);
        } else if (u.k === 'str' && u.v.length === 1) s += u.v;
        else if (u.k === 'op' && (u.v === ',' || u.v === '-' || u.v === '(' || u.v === ')')) continue;
        else if (u.k === 'id' && /^(?:byte|char)$/.test(u.v)) continue;
        else return undefined;
        if (s.length > 4096) return undefined;
      }
      return s;
    }
    // decoders and pass-through calls: X.decode(C), decodeBuffer(C), FromBase64String(C), GetString(C), String.valueOf(C)
    if (this.isOp(to - 1, ')')) {
      const open = this.match[to - 1]!;
      if (open > from && this.isId(open - 1)) {
        const name = toks[open - 1]!.v;
        const args = this.args(open);
        if (args.length === 0) return undefined;
        const inner = this.constOf(args[0]![0], args[0]![1], depth + 1);
        if (inner === undefined) return undefined;
        if (/^(?:decode|decodeBuffer|parseBase64Binary|FromBase64String|decodeBase64)$/.test(name)) {
          if (!/^[A-Za-z0-9+/=_\-\s]*$/.test(inner)) return undefined;
          return Buffer.from(inner.replace(/\s+/g, ''), 'base64').toString('latin1');
        }
        // the file's own character-shift decoder: `for (..) out += (char)(s.charAt(i) + 10)`
        const shift = args.length === 1 && this.byName.has(name) && !this.isOp(open - 2, '.') ? this.shiftOf(name) : undefined;
        if (shift) return [...inner].map((c) => String.fromCharCode(shift(c.charCodeAt(0)) & 0xffff)).join('');
        if (/^(?:GetString|valueOf|copyValueOf|String|ToString|toString|parseHexBinary)$/.test(name)) {
          if (name === 'parseHexBinary') return /^(?:[0-9a-fA-F]{2})*$/.test(inner) ? Buffer.from(inner, 'hex').toString('latin1') : undefined;
          return inner;
        }
      }
    }
    return undefined;
  }

  private readonly shifts = new Map<string, ((c: number) => number) | undefined>();

  /**
   * The per-character map of the file's own one-parameter method `name` when its body is a
   * shift or XOR loop over its argument's characters (`(char) (s.charAt(i) + 10)`, `c ^ 7`),
   * undefined otherwise.
   */
  protected shiftOf(name: string): ((c: number) => number) | undefined {
    if (this.shifts.has(name)) return this.shifts.get(name);
    let fn: ((c: number) => number) | undefined;
    const own = this.byName.get(name);
    const m = own?.length === 1 ? this.methods[own[0]!] : undefined;
    if (m && m.params.length === 1 && m.close - m.open < 120) {
      const p = m.params[0]!;
      for (let k = m.open; k + 6 < m.close && !fn; k++) {
        // p.charAt(i) OP n  /  p[i] OP n  (C# strings index to chars)
        let e = -1;
        if (this.isId(k, p) && this.isOp(k + 1, '.') && this.isId(k + 2, 'charAt') && this.isOp(k + 3, '(') && this.match[k + 3]! > k) e = this.match[k + 3]! + 1;
        else if (this.isId(k, p) && this.isOp(k + 1, '[') && this.match[k + 1]! > k) e = this.match[k + 1]! + 1;
        if (e < 0 || this.toks[e + 1]?.k !== 'num') continue;
        const n = Number.parseInt(this.toks[e + 1]!.v, /^0x/i.test(this.toks[e + 1]!.v) ? 16 : 10);
        if (!Number.isFinite(n)) continue;
        if (this.isOp(e, '+')) fn = (c) => c + n;
        else if (this.isOp(e, '-')) fn = (c) => c - n;
        else if (this.isOp(e, '^')) fn = (c) => c ^ n;
      }
    }
    this.shifts.set(name, fn);
    return fn;
  }

  /** A variable assigned exactly once, from a constant. */
  protected constVar(name: string, depth: number): string | undefined {
    let found: Assign | undefined;
    for (const a of this.assignsOf(name)) {
      if (found) return undefined;
      found = a;
    }
    if (!found) return undefined;
    this.consts.set(name, '');
    const v = this.constOf(found.from, found.to, depth + 1);
    if (v === undefined) this.consts.delete(name);
    else this.consts.set(name, v);
    return v;
  }

  /** Every constant string any call argument or assignment folds to (for reflective names). */
  *foldedStrings(): Generator<[string, number]> {
    for (const a of this.assigns) {
      const v = this.constOf(a.from, a.to);
      if (v !== undefined) yield [v, a.from];
    }
  }
}
