/**
 * Obfuscation, weighed per language: decode chains, long encoded blobs, escape-heavy
 * strings, chr()-built strings, script-encoder output. Cheap layers are decoded and handed
 * back for re-analysis, so what the payload does counts more than how it is wrapped.
 * Minified client JavaScript and vendor code are not analyzed here (only server languages).
 */
import { callIndex, matchesAt, type AnalyzerContext } from '../context.js';
import { matches } from '../flow.js';
import { asText, b64, hexDecode, inflateAny, looksLikeCode, reverse, rot13, unescapeDq } from '../decode.js';
import { entropy, longLines } from '../text.js';
import { callsAnyOf, containsWord, firstAt, literalOffsets } from '../words.js';

const DECODER_CALL =
  /\b(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode|base64decode|atob|b64decode|decodebytes|frombase64string|decode_base64|unhex)\s*\(/g;
/** 24 or more `\\xNN` / `\\NNN` escapes in a row (sticky: tried only where escapeRun finds the run). */
const ESCAPE_RUN = /(?:\\x[0-9a-fA-F]{2}|\\[0-7]{3}){24,}/y;
const MIN_ESCAPES = 24;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

/** Whether a 4-character escape (`\\xNN` or `\\NNN`) starts at `i`. */
function escapeAt(code: string, i: number): boolean {
  if (code.charCodeAt(i) !== 92) return false;
  const a = code.charCodeAt(i + 1);
  return a === 120 ? isHex(code.charCodeAt(i + 2)) && isHex(code.charCodeAt(i + 3)) : isOctal(a) && isOctal(code.charCodeAt(i + 2)) && isOctal(code.charCodeAt(i + 3));
}

/**
 * The first match of ESCAPE_RUN, found by walking backslashes instead of trying the regex at
 * each one: every escape is four characters and holds no backslash after its first, so the
 * leftmost run of 24 starts at the first backslash that opens 24 escapes in a row, and a
 * shorter run lets the walk resume after it. The regex then runs anchored there (same match).
 */
export function escapeRun(code: string): RegExpExecArray | null {
  for (let i = code.indexOf('\\'); i !== -1; ) {
    let n = 0;
    while (n < MIN_ESCAPES && escapeAt(code, i + 4 * n)) n++;
    if (n >= MIN_ESCAPES) {
      ESCAPE_RUN.lastIndex = i;
      return ESCAPE_RUN.exec(code);
    }
    i = code.indexOf('\\', i + Math.max(1, 4 * n));
  }
  return null;
}

export function analyzeObfuscation(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const lang = ev.language;
  const strict = lang === 'php' || lang === 'asp' || lang === 'aspx' || lang === 'jsp' || lang === 'cfml';

  // nested decoders: f(g(h('...'))) where each is a decoder
  // outside PHP (whose analyzers index the calls anyway) the few decoder names are looked up
  // directly instead of indexing every call of the page for them
  const calls: { hasAnyOf(names: readonly string[]): boolean } = ctx.calls || lang === 'php' ? callIndex(ctx) : new CallLookup(ctx.lower);
  const anyDecoder = calls.hasAnyOf(DECODER_NAMES);
  const nest = !anyDecoder
    ? null
    : /\b(?:gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode|hex2bin)\s*\(\s*(?:gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode|hex2bin)\s*\(/.exec(
        ctx.lower,
      );
  if (nest) ev.add('obfuscation', 'nested decoding functions (decode chain)', 4, nest.index, nest[0].length);

  // decode chains around a literal: find each decoder call, collect the calls wrapped
  // around it and inside it, then apply them innermost first
  let layers = 0;
  for (const m of anyDecoder || calls.hasAnyOf(OTHER_DECODERS) ? matches(DECODER_CALL, ctx.lower, 300) : []) {
    const inner: string[] = [];
    let pos = m.index + m[0].length;
    let im: RegExpExecArray | null;
    const call = /\s*([\w.]+)\s*\(/y;
    while (inner.length < 4) {
      call.lastIndex = pos;
      if (!(im = call.exec(code))) break;
      inner.push(im[1]!.split('.').pop()!.toLowerCase());
      pos = call.lastIndex;
    }
    const litRe = /\s*(['"])([A-Za-z0-9+/=_\-\\\s]{24,})\1/y;
    litRe.lastIndex = pos;
    const lit = litRe.exec(code);
    if (!lit) continue;
    const before = code.slice(Math.max(0, m.index - 160), m.index);
    const outerM = /((?:[\w.]+\s*\(\s*){1,5})$/.exec(before);
    const outer = outerM
      ? outerM[1]!
          .split('(')
          .map((f) => f.trim().split('.').pop()!.toLowerCase())
          .filter((f) => f.length > 0)
      : [];
    const fns = [...outer, m[1]!.toLowerCase(), ...inner].reverse();
    const out = applyChain(lit[2]!, fns);
    if (out && looksLikeCode(out.text)) {
      ctx.layers.push({ text: out.text, offset: m.index, how: out.how, language: lang });
      ev.add('obfuscation', `code hidden behind ${out.how}`, 5, m.index, Math.min(m[0].length, 60));
      if (++layers >= 8) break;
    }
  }

  // long base64 blobs anywhere (payloads kept in variables before decoding)
  let blobs = 0;
  for (const m of base64Runs(code, 400, 100)) {
    const raw = m[0];
    if (ctx.layers.some((l) => !l.ran && l.offset <= m.index && m.index - l.offset < 200)) continue;
    const dec = asText(b64(raw));
    if (dec && looksLikeCode(dec.text)) {
      ctx.layers.push({ text: dec.text, offset: m.index, how: dec.inflated ? 'base64 > inflate' : 'base64', language: lang });
      ev.add('obfuscation', 'long base64 blob that decodes to code', strict ? 5 : 3, m.index, 60);
    } else if (strict && raw.length > 2000 && entropy(raw) > 5.5 && !/^(?:iVBOR|R0lGOD|\/9j\/|AAAB|d09G|T1RUTw|PD94bWwg|PHN2Zy)/.test(raw)) {
      ev.add('obfuscation', 'long high-entropy encoded blob', 2, m.index, 60);
    }
    if (++blobs > 20) break;
  }

  if (lang === 'php') phpEscapedStrings(ctx);

  // \xNN / \NNN escape runs in strings
  const esc = escapeRun(code);
  if (esc) {
    const txt = unescapeDq(esc[0]);
    if (looksLikeCode(txt)) ctx.layers.push({ text: txt, offset: esc.index, how: 'escape sequences', language: lang });
    ev.add('obfuscation', 'long run of hex/octal escapes in a string', strict ? 4 : 2, esc.index, 60);
  }
  // hex blobs handed to a decoder
  const hex = !calls.hasAnyOf(HEX_DECODERS) ? null : /(?:hex2bin|pack\s*\(\s*['"]h\*['"]\s*,|unhex|fromhex)\s*\(?\s*['"]([0-9a-f]{64,})['"]/.exec(ctx.lower);
  if (hex) {
    const dec = asText(hexDecode(hex[1]!));
    if (dec && looksLikeCode(dec.text)) ctx.layers.push({ text: dec.text, offset: hex.index, how: 'hex', language: lang });
    ev.add('obfuscation', 'hex-encoded payload decoded at runtime', 4, hex.index, 40);
  }
  // plain hex strings that decode to code (payload stored as hex digits)
  for (const m of matchesAt(HEX_LITERAL, code, hexLiteralStarts(code), 20)) {
    if (m[1] !== m[3] || m[2]!.length % 2 !== 0) continue;
    const dec = asText(hexDecode(m[2]!));
    if (dec && looksLikeCode(dec.text)) {
      ctx.layers.push({ text: dec.text, offset: m.index, how: 'hex string', language: lang });
      ev.add('obfuscation', 'code stored as a hex string', 4, m.index, 40);
      break;
    }
  }
  // hex digits passed through ROT13 (a-f become n-s): the same payload one str_rot13() away
  if (lang === 'php') rot13Hex(ctx);
  // Java \uXXXX escapes: the compiler decodes them, so shells use them to hide names
  if (lang === 'jsp') {
    const uni = /(?:\\u+[0-9a-fA-F]{4}){12,}/.exec(ctx.text);
    if (uni) {
      const decoded = ctx.text.replace(/\\u+([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      ctx.layers.push({ text: decoded, offset: uni.index, how: 'java unicode escapes', language: 'jsp' });
      ev.add('obfuscation', 'code written as \\uXXXX escapes', 5, uni.index, 60);
    }
  }
  // strings built from character codes: chr(101).chr(118)... / Chr(101)&Chr(118) / String.fromCharCode(...)
  // (at most 2000 pieces per run: an unbounded group repetition overflows the regex engine's stack on megabytes of them)
  // literal gates: each pattern's match contains the literal, found far faster by indexOf
  const chrRun = containsWord(ctx.lower, 'chr') && chrRunAt(ctx);
  if (chrRun) {
    const txt = chrRun[0].replace(/\bchr[wb]?\s*\(\s*(\d{1,3}|&H[0-9a-f]{1,2})\s*\)\s*[.&+]?\s*/gi, (_m, d: string) =>
      String.fromCharCode(d.toLowerCase().startsWith('&h') ? parseInt(d.slice(2), 16) : Number(d)),
    );
    if (looksLikeCode(txt)) ctx.layers.push({ text: txt, offset: chrRun.index, how: 'chr() list', language: lang });
    if (!fileSignature(txt, ctx.code, chrRun.index) && !byteSearch(chrRun[0], txt, ctx.code, chrRun.index))
      ev.add('obfuscation', 'string built from character codes', strict ? 4 : 2, chrRun.index, 60);
  }
  const fcc = strict && containsWord(code, 'fromCharCode') && /String\s*\.\s*fromCharCode\s*\((?:\s*\d{1,3}\s*,){16,}/.exec(code);
  if (fcc && strict) ev.add('obfuscation', 'string built with String.fromCharCode', 2, fcc.index, 60);

  // very long high-entropy lines in server code (minified client JS is not analyzed here)
  if (strict && code.length > 5000) {
    let at = 0;
    let longest = 0;
    let longestAt = -1;
    while (at < code.length) {
      // lines wholly inside the next 5001 characters are at most 5000 long and cannot count:
      // jump past them to the last line break there (found searching back, a short way)
      const nl = code.lastIndexOf('\n', at + 5000);
      if (nl >= at) {
        at = nl + 1;
        continue;
      }
      let e = code.indexOf('\n', at);
      if (e === -1) e = code.length;
      if (e - at > longest) {
        longest = e - at;
        longestAt = at;
      }
      at = e + 1;
    }
    if (longest > 5000) {
      const line = code.slice(longestAt, longestAt + longest);
      const h = entropy(line);
      // (the spaces counted only for a dense line: blanked HTML makes long lines of spaces)
      if (h > 5.3 && (line.match(/ /g)?.length ?? 0) / line.length < 0.03)
        ev.add('obfuscation', `very long dense line (${longest} chars, entropy ${h.toFixed(1)})`, 3, longestAt, 40);
    }
  }
}

/** The decoder names analyzeObfuscation asks about (lower case): the nesting ones, the others, the hex ones. */
const DECODER_NAMES = ['gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'base64_decode', 'strrev', 'convert_uudecode', 'hex2bin'];
const OTHER_DECODERS = ['atob', 'b64decode', 'decodebytes', 'frombase64string', 'decode_base64', 'unhex', 'base64decode'];
const HEX_DECODERS = ['hex2bin', 'pack', 'unhex', 'fromhex'];
const LOOKED_UP = new Set([...DECODER_NAMES, ...OTHER_DECODERS, ...HEX_DECODERS]);
let shortest = Infinity;
let longest = 0;
for (const n of LOOKED_UP) {
  shortest = Math.min(shortest, n.length);
  longest = Math.max(longest, n.length);
}

/**
 * `new CallIndex(lower).hasAnyOf(names)` for the decoder names above, outside PHP (whose
 * analyzers index every call anyway): one walk over the `(` signs of the page reads the
 * identifier before each (blanks between, not after `$`, as CallIndex files it) and keeps it
 * when it is one of those names. A search per name would scan the page a dozen times, most of
 * the names (`strrev`, `atob`, `pack`) opening with letters every page is full of.
 */
export class CallLookup {
  private called?: Set<string>;
  constructor(private readonly lower: string) {}

  hasAnyOf(names: readonly string[]): boolean {
    this.called ??= decoderCalls(this.lower);
    for (const n of names) if (LOOKED_UP.has(n) ? this.called.has(n) : callsAnyOf(this.lower, [n])) return true;
    return false;
  }
}

/** The names of LOOKED_UP that `lower` calls. */
function decoderCalls(lower: string): Set<string> {
  const out = new Set<string>();
  // (each walk back stops at the `(` before: the walks read each character at most twice)
  for (let i = lower.indexOf('('); i !== -1; i = lower.indexOf('(', i + 1)) {
    let j = i - 1;
    while (j >= 0 && isCallSpace(lower.charCodeAt(j))) j--;
    const end = j + 1;
    while (j >= 0 && isIdent(lower.charCodeAt(j))) j--;
    if (end - j - 1 < shortest || end - j - 1 > longest || lower.charCodeAt(j) === 36) continue;
    const name = lower.slice(j + 1, end);
    if (LOOKED_UP.has(name)) out.add(name);
  }
  return out;
}

/** CallIndex's identifier characters and blanks. */
function isIdent(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90) || c >= 128;
}

function isCallSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 160;
}

const CHR_RUN = /(?:\bchr[wb]?\s*\(\s*(?:\d{1,3}|&H[0-9a-f]{1,2})\s*[-+*/\d\s]*\)\s*[.&+]\s*){8,2000}/i;

/**
 * `CHR_RUN.exec(ctx.code)`: every match opens with `chr` in some case, so it starts where the
 * lower-cased code holds `chr` (the same offsets while lower-casing kept the length), and the
 * pattern runs anchored there instead of at every `c` of the page.
 */
/**
 * A few bytes, not text, compared as they are: the signature an upload checks a file's head
 * against (JPEG's FF D8 FF E0 00 10 ..., PNG's 89 50 4E 47 0D 0A 1A 0A) hides nothing. A long
 * byte run is an embedded program (an EXE's MZ header onwards), and bytes XORed with a key
 * (`'{{{{'^chr(25).chr(26)...`) are a cipher: both stay hidden strings.
 */
function fileSignature(bytes: string, code: string, at: number): boolean {
  if (bytes.length > 16 || !binaryBytes(bytes)) return false;
  let b = at - 1;
  while (b >= 0 && (code.charCodeAt(b) === 32 || code.charCodeAt(b) === 9)) b--;
  return code.charCodeAt(b) !== 94; // `^`
}

/**
 * A short byte string built with ChrB() that InStrB() looks for in binary data: VBScript has no
 * byte-string literal, so an upload parser finds `filename=` or a blank line in the posted body
 * this way (`InStrB(data, ChrB(&H66) & ChrB(&H69) ..)`). A search, not hidden text.
 */
function byteSearch(run: string, bytes: string, code: string, at: number): boolean {
  if (bytes.length > 32 || !/^\s*chrb\s*\(/i.test(run) || /chr[w]?\s*\(/i.test(run.replace(/chrb\s*\(/gi, ''))) return false;
  return /\bInStrB\s*\([^()\n]{0,160},\s*$/i.test(code.slice(Math.max(0, at - 200), at));
}

/** Whether at least a quarter of `s` is control characters (other than blanks and line breaks) or bytes above 126. */
export function binaryBytes(s: string): boolean {
  let odd = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c > 126) odd++;
  }
  return s.length > 0 && odd * 4 >= s.length;
}

function chrRunAt(ctx: AnalyzerContext): RegExpExecArray | null {
  const cap = 100000;
  const starts = ctx.lower.length === ctx.code.length ? literalOffsets(ctx.lower, 'chr', cap) : null;
  return starts && starts.length < cap ? firstAt(CHR_RUN, ctx.code, starts) : CHR_RUN.exec(ctx.code);
}

const HEX_LITERAL = /(['"])([0-9a-fA-F]{32,})(['"])/g;

/**
 * Where HEX_LITERAL can match: a quote, a run of 32 or more hex digits, and a quote right after
 * the run (the greedy run gives nothing back that could end in a quote). Any 32 positions in a
 * row hold exactly one multiple of 32, so every such run covers one: only those positions are
 * read, a hex digit there is widened to its whole run, and the run's two ends are checked.
 */
export function hexLiteralStarts(code: string): number[] {
  const out: number[] = [];
  const n = code.length;
  for (let p = 31; p < n; p += 32) {
    if (!isHex(code.charCodeAt(p))) continue;
    let s = p;
    while (s > 0 && isHex(code.charCodeAt(s - 1))) s--;
    let e = p + 1;
    while (e < n && isHex(code.charCodeAt(e))) e++;
    if (e - s >= 32) {
      const before = code.charCodeAt(s - 1);
      const after = code.charCodeAt(e);
      if ((before === 34 || before === 39) && (after === 34 || after === 39)) out.push(s - 1);
    }
    // on to the first sampled position past the run (its other samples would widen it again)
    p += Math.floor((e - p - 1) / 32) * 32;
  }
  return out;
}

/**
 * How many `\\xNN` / `\\NNN` escapes `code` holds, counted up to `cap`, each after the end of
 * the one before (as a global regex would count them): a walk between backslashes.
 */
export function countEscapes(code: string, cap: number): number {
  let n = 0;
  for (let i = code.indexOf('\\'); i !== -1 && n < cap; ) {
    if (escapeAt(code, i)) {
      n++;
      i = code.indexOf('\\', i + 4);
    } else i = code.indexOf('\\', i + 1);
  }
  return n;
}

function applyChain(lit: string, fns: string[]): { text: string; how: string } | undefined {
  let cur: Buffer | string = lit.replace(/\\n|\\r|\s/g, '');
  const how: string[] = [];
  for (const f of fns) {
    const s: string = typeof cur === 'string' ? cur : cur.toString('latin1');
    let next: Buffer | string | undefined;
    if (/base64|atob|b64decode|decodebytes|frombase64string/.test(f)) next = b64(s);
    else if (f === 'gzinflate' || f === 'gzuncompress' || f === 'gzdecode') next = inflateAny(Buffer.from(s, 'latin1'));
    else if (f === 'str_rot13') next = rot13(s);
    else if (f === 'strrev') next = reverse(s);
    else if (f === 'hex2bin' || f === 'unhex') next = hexDecode(s);
    else if (f === 'urldecode' || f === 'rawurldecode') {
      try {
        next = decodeURIComponent(s);
      } catch {
        next = undefined;
      }
    } else if (how.length === 0)
      continue; // wrapper we do not know yet (e.g. eval)
    else break;
    if (next === undefined) return undefined;
    cur = next;
    how.push(f);
  }
  if (how.length === 0) return undefined;
  const final = typeof cur === 'string' ? Buffer.from(cur, 'latin1') : cur;
  const t = asText(final);
  if (!t) return undefined;
  return { text: t.text, how: how.join(' > ') + (t.inflated ? ' > inflate' : '') };
}

/**
 * The maximal runs of base64 characters at least `min` long (with up to two `=` after), at
 * most `cap`, in text order. As in hexLiteralStarts, every run that long covers a multiple of
 * `min`: only those positions are read, and a base64 character there is widened to its run.
 */
export function base64Runs(text: string, min: number, cap: number): Array<{ 0: string; index: number }> {
  const out: Array<{ 0: string; index: number }> = [];
  const n = text.length;
  for (let p = min - 1; p < n && out.length < cap; p += min) {
    if (!isBase64Char(text.charCodeAt(p))) continue;
    let start = p;
    while (start > 0 && isBase64Char(text.charCodeAt(start - 1))) start--;
    let i = p + 1;
    while (i < n && isBase64Char(text.charCodeAt(i))) i++;
    if (i - start >= min) {
      let end = i;
      while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++;
      out.push({ 0: text.slice(start, end), index: start });
    }
    p += Math.floor((i - p - 1) / min) * min;
  }
  return out;
}

/** `[A-Za-z0-9+/]` */
function isBase64Char(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 47 && c <= 57) || c === 43;
}

/**
 * Obfuscators (YAK Pro and the like) scramble control flow with goto and write every
 * string as \x/octal escapes. The goto maze is evidence; the strings are folded back into
 * a layer (same code, readable literals) so the flow analysis sees the real calls.
 */
function phpEscapedStrings(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  let gotos = 0;
  let at = code.indexOf('goto ');
  const first = at;
  while (at !== -1 && gotos < 50) {
    gotos++;
    at = code.indexOf('goto ', at + 5);
  }
  // a maze jumps between many different labels; generated parsers reuse a few (`goto seq_1`)
  const labels = gotos >= 20 ? new Set([...code.matchAll(/\bgoto\s+(\w+)\s*;/g)].slice(0, 200).map((m) => m[1])) : new Set<string>();
  if (gotos >= 20 && labels.size >= 10 && /\bgoto\s+\w+\s*;[\s\S]{0,400}?\b\w+\s*:\s*(?:[^:]|$)/.test(code.slice(first, first + 5000))) {
    ev.add('obfuscation', `control flow scrambled with goto jumps (${gotos >= 50 ? '50+' : gotos})`, 5, first, 20);
  }
  // fold only obfuscated files: a goto maze, or escapes making up a tenth of the text
  // (applications keep a few byte strings in escapes; folding them would re-analyze the file)
  const needed = gotos >= 20 ? 50 : Math.max(500, Math.floor(code.length / 40));
  if (countEscapes(code, needed) < needed) return;
  let changed = 0;
  const folded = code.replace(/"((?:[^"\\\n]|\\.){1,4000})"/g, (lit, body: string) => {
    if (!/\\(?:x[0-9a-fA-F]{2}|[0-7]{3})/.test(body) || /(?<!\\)\$[A-Za-z_{]/.test(body)) return lit;
    changed++;
    return '"' + unescapeDq(body).replace(/["\\$]/g, '\\$&') + '"';
  });
  if (changed >= 5) ctx.layers.push({ text: folded, offset: 0, how: 'escaped string literals folded', language: 'php' });
}

/**
 * A long literal of digits and the letters n-s only is hex run through ROT13: `66756r6374696s6r`
 * is `function`. Stored that way it passes for random digits until str_rot13() and a hex
 * decoder turn it back into code, which is analyzed as a decoded layer.
 */
function rot13Hex(ctx: AnalyzerContext): void {
  const { code } = ctx;
  // such a payload is one long line: only the first 20 lines of 130+ characters are searched
  let n = 0;
  for (const [s, e] of longLines(code, 130)) {
    if (n++ === 20) return;
    if (rot13HexLine(ctx, code.slice(s, e), s)) return;
  }
}

function rot13HexLine(ctx: AnalyzerContext, line: string, offset: number): boolean {
  // a payload cut short (the sample ends inside the literal) still decodes up to its end
  for (const m of matches(/(['"])([0-9a-fA-Fn-sN-S]{128,})(?:\1|\s*$)/g, line, 20)) {
    const body = m[2]!.length % 2 === 0 ? m[2]! : m[2]!.slice(0, -1);
    if (!/[n-sN-S]/.test(body)) continue;
    const dec = asText(hexDecode(rot13(body)));
    if (!dec || !looksLikeCode(dec.text)) continue;
    ctx.layers.push({ text: dec.text, offset: offset + m.index, how: 'rot13 > hex string', language: 'php' });
    ctx.ev.add('obfuscation', 'code stored as ROT13-scrambled hex digits', 5, offset + m.index, 40);
    return true;
  }
  return false;
}
