/**
 * PHP hiding techniques treated as transparent steps: constant-folded payloads become layers;
 * bitwise-built strings, assembled names, home-made decoders and underscore-only names are
 * reported where folding cannot see through them.
 */
import { callIndex, dollarPairs, isRegexSpace, matchesAt, type AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';
import { braceBody, callArgs } from '../../text.js';
import { looksLikeCode, unescapeDq } from '../../decode.js';
import { bareCode, plainLiteral, splitTopArgs } from './code.js';
import { MAX_EVAL, evalStringExpr, type VarResolver } from './fold.js';
import { DANGEROUS_NAMES, NOT_BEFORE_SINK, TINY_SCRIPT, callMatches } from './signatures.js';
import { hasAnyText, textAt } from './probe.js';

/**
 * Payloads kept as constant strings and decoded at runtime: evaluate the arguments of code
 * sinks and decoders with constant propagation; decoded code becomes a layer to analyze.
 */
const DEOBFUSCATE_AT = [
  'eval',
  'assert',
  'create_function',
  'base64_decode',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'str_rot13',
  'strrev',
  'str_replace',
  'hex2bin',
  'file_put_contents',
  'fwrite',
  'fputs',
];

export function deobfuscate(ctx: AnalyzerContext, resolve: VarResolver): void {
  let n = 0;
  for (const m of callMatches(ctx, callIndex(ctx), DEOBFUSCATE_AT, '').slice(0, 400)) {
    const args = callArgs(ctx.code, m.open, MAX_EVAL);
    if (!/\$/.test(args) && m.name !== 'str_replace') continue; // pure literals are handled by the obfuscation analyzer
    const fn = m.name;
    const parts = splitTopArgs(args);
    const writes = fn === 'file_put_contents' || fn === 'fwrite' || fn === 'fputs';
    const target = fn === 'create_function' || writes ? parts[1] : fn === 'eval' || fn === 'assert' ? parts[0] : `${fn}(${args})`;
    // one plain literal is no assembly: `create_function('$a,$b', 'return $a - $b;')`
    if (!target || (target !== `${fn}(${args})` && plainLiteral(target) !== undefined)) continue;
    const v = evalStringExpr(target, resolve);
    if (v === undefined || v.length < 8 || !looksLikeCode(v)) continue;
    if (writes && !/<\?|\$_(?:GET|POST|REQUEST|COOKIE)|eval|assert|system/i.test(v)) continue;
    ctx.layers.push({ text: v, offset: m.index, how: `constant folding of ${fn}()`, language: 'php' });
    ctx.ev.add('obfuscation', `code assembled from string pieces and handed to ${fn}()`, fn === 'str_replace' || fn === 'strrev' || writes ? 2 : 5, m.index, m[0].length);
    if (++n >= 6) break;
  }
}

/** Where the literal XOR search found one (-1: none), or undefined when its scan was capped. */
export function bitwiseStrings(ctx: AnalyzerContext): number | undefined {
  const { ev } = ctx;
  const bare = bareCode(ctx);
  let bitwise = 0;
  let firstBit = -1;
  let xorAt = -1;
  let capped = false;
  let seenBits = 0;
  for (const m of matchesAt(BITWISE, bare, bitwiseStarts(bare), 200)) {
    if (firstBit === -1) firstBit = m.index;
    if (xorAt === -1 && /^['"]\s*\^\s*['"]$/.test(m[0])) xorAt = m.index;
    if (++seenBits >= 200) capped = true;
    bitwise++;
  }
  if (bitwise >= 6) ev.add('obfuscation', `strings assembled with bitwise operators (${bitwise} places)`, bitwise >= 12 ? 10 : 7, firstBit, 20);
  // the literal XOR search is the bitwise scan's own first alternative: reuse its result
  return xorAt !== -1 || !capped ? xorAt : undefined;
}

export const BITWISE = /['"]\s*[\^|&]\s*['"~(]|[\^|&]\s*~\s*['"]/g;

/**
 * Where BITWISE can match, ascending: every match has an operator followed (spaces between) by
 * a quote, `~` or `(`, and begins at it or at the quote just before it. Operators are rarer
 * than quotes, so native searches for them find these few offsets faster than the regex tries
 * every one.
 */
export function bitwiseStarts(bare: string): number[] {
  const out: number[] = [];
  for (const op of ['^', '|', '&']) {
    for (let k = bare.indexOf(op); k !== -1; k = bare.indexOf(op, k + 1)) {
      let j = k + 1;
      while (isRegexSpace(bare.charCodeAt(j))) j++;
      const c = bare.charCodeAt(j);
      if (c !== 39 && c !== 34 && c !== 126 && c !== 40) continue;
      let q = k - 1;
      while (q >= 0 && isRegexSpace(bare.charCodeAt(q))) q--;
      const p = bare.charCodeAt(q);
      if (p === 39 || p === 34) out.push(q);
      out.push(k);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Whether `code` holds `\$_{1,12}\s*\(`: a call through `$_`, `$__`, ... Walked from the `$_`
 * occurrences (most are `$_GET`-style names, ruled out at their next character) instead of a
 * regex tried at every offset.
 */
export function underscoreCall(code: string): boolean {
  for (let i = code.indexOf('$_'); i !== -1; i = code.indexOf('$_', i + 2)) {
    let j = i + 1;
    while (code.charCodeAt(j) === 95) j++;
    // a longer run of underscores cannot match: after 12 of them the pattern needs a space or `(`
    if (j - i - 1 > 12) continue;
    while (j < code.length && isRegexSpace(code.charCodeAt(j))) j++;
    if (code.charCodeAt(j) === 40) return true;
  }
  return false;
}

/** A tiny script evaluating a computed value; code written with underscore-only names. */
export function loaderShapes(ctx: AnalyzerContext, hasRequest: boolean): void {
  const { code, ev } = ctx;
  if (ctx.size < 3000) {
    const ev2 = /(?<![\w>$:])(?:eval|assert)\s*\(\s*(?:\$\{|\$\w+\s*[[{(]|\$\w+\s*\))/.exec(ctx.lower);
    if (ev2 && (hasRequest || /\$\{|['"]\s*\^|\bchr\s*\(|base64_decode|str_rot13|strrev/i.test(code)))
      // with request input in a few lines, the computed value can only be what the client sent
      ev.add('flow', 'tiny script evaluating a computed value (one-line loader)', hasRequest && ctx.size < TINY_SCRIPT ? 8 : 6, ev2.index, ev2[0].length);
  }
  // the dynamic-call test is the rarer one: run it first, collect the names only then
  const unders = dollarPairs(ctx).brace || underscoreCall(code) ? new Set(code.match(/\$_{1,12}(?![\w])/g) ?? []) : new Set<string>();
  if (unders.size >= 4) ev.add('obfuscation', `code written with underscore-only variable names (${unders.size}) and dynamic calls`, 9, code.search(/\$_{2,12}(?![\w])/), 10);
}

/**
 * Whether the lower-cased code holds a place where a name can be assembled: exactly
 * /['"]\s*\.\s*(?:['"]|chr)|chr\s*\(|\\x|\\[0-9]|strrev|str_rot13|base64_decode|hex2bin/.test(lower),
 * found by native searches for each alternative's rarest part instead of a regex tried at every
 * offset of the file (most files have none of them).
 */
export function mayAssembleNames(lower: string): boolean {
  for (let i = lower.indexOf('\\'); i !== -1; i = lower.indexOf('\\', i + 1)) {
    const c = lower.charCodeAt(i + 1);
    if (c === 120 || (c >= 48 && c <= 57)) return true;
  }
  if (hasAnyText(lower, ['base64_decode', 'hex2bin', 'str_rot13', 'strrev'])) return true;
  // `chr\s*\(` and `['"]\s*\.\s*chr`
  for (let i = textAt(lower, 'chr'); i !== -1; i = textAt(lower, 'chr', i + 1)) {
    let j = i + 3;
    while (isRegexSpace(lower.charCodeAt(j))) j++;
    if (lower.charCodeAt(j) === 40) return true;
    if (quoteDotBefore(lower, i)) return true;
  }
  // `['"]\s*\.\s*['"]`
  for (let i = lower.indexOf('.'); i !== -1; i = lower.indexOf('.', i + 1)) {
    let j = i + 1;
    while (isRegexSpace(lower.charCodeAt(j))) j++;
    const c = lower.charCodeAt(j);
    if ((c === 39 || c === 34) && quoteBefore(lower, i)) return true;
  }
  return false;
}

/** Whether a quote (spaces between) ends right before offset `at`. */
function quoteBefore(s: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && isRegexSpace(s.charCodeAt(k))) k--;
  const c = s.charCodeAt(k);
  return c === 39 || c === 34;
}

/** Whether `['"]\s*\.\s*` ends right before offset `at`. */
function quoteDotBefore(s: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && isRegexSpace(s.charCodeAt(k))) k--;
  return s.charCodeAt(k) === 46 && quoteBefore(s, k);
}

/** Dangerous names assembled from pieces: 'as'.'sert', "\x73ystem", strrev('tressa'), chr(97).chr(115)... */
export function builtNames(ctx: AnalyzerContext, xorFound?: number): void {
  const { code, ev } = ctx;
  const re = /(?:(?:strrev|str_rot13|base64_decode|hex2bin)\s*\(\s*)?(?:(?:'(?:[^'\\\n]|\\.){0,40}'|"(?:[^"\\$\n]|\\.){0,80}"|chr\s*\(\s*\d{1,3}\s*\))\s*\.?\s*){1,24}\)?/gi;
  let n = 0;
  // the long literal-chain regex only pays off where pieces can be assembled at all
  const pieces = mayAssembleNames(ctx.lower);
  for (const m of pieces ? matches(re, code, 20000) : []) {
    const raw = m[0];
    const assembled = /\.\s*(?:'|"|chr)|\\x|\\\d|strrev|str_rot13|base64_decode|hex2bin|chr\s*\(/i.test(raw);
    if (!assembled) continue;
    const v = evalStringExpr(raw);
    if (v === undefined) continue;
    const low = v.toLowerCase().trim();
    if (DANGEROUS_NAMES.has(low) && !/^(?:base64_decode|include|require)$/.test(low)) {
      ev.add('obfuscation', `function name "${low}" assembled from pieces or escapes`, 8, m.index, raw.length);
      if (++n > 3) break;
    }
  }
  // bitwise-NOT / XOR strings used as names: $f = ~"\x8c\x86..."; or "abc"^"..."
  const nott = code.includes('~') && /=\s*~\s*(['"])((?:[\x80-\xff]|\\x[89a-f][0-9a-f]){3,})\1/i.exec(code);
  if (nott) {
    const lit = nott[1] === '"' ? unescapeDq(nott[2]!) : nott[2]!;
    const v = [...lit].map((c) => String.fromCharCode(~c.charCodeAt(0) & 0xff)).join('');
    ev.add(
      'obfuscation',
      DANGEROUS_NAMES.has(v.toLowerCase()) ? `function name "${v.toLowerCase()}" hidden with bitwise NOT` : 'string hidden with bitwise NOT',
      DANGEROUS_NAMES.has(v.toLowerCase()) ? 9 : 5,
      nott.index,
      nott[0].length,
    );
  }
  const xorAt = xorFound ?? bareCode(ctx).search(/['"]\s*\^\s*['"]/);
  const xor = xorAt === -1 ? null : /(['"])[^'"\n]{2,40}\1\s*\^\s*(['"])[^'"\n]{2,40}\2/.exec(code.slice(Math.max(0, xorAt - 50), xorAt + 50));
  if (xor) xor.index += Math.max(0, xorAt - 50);
  if (xor) ev.add('obfuscation', 'string built by XOR of two literals', 5, xor.index, xor[0].length);
}

/**
 * eval(f('...long literal...')) where f is defined in the same file: a home-made decoder
 * (character shifting, XOR, base64 under another name) whose output is run as code.
 */
export function customDecoders(ctx: AnalyzerContext, resolve: VarResolver): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['eval', 'assert', 'create_function'])) return;
  for (const m of callMatches(ctx, calls, ['eval', 'assert'], NOT_BEFORE_SINK)) {
    // the payload is a literal or a variable holding one (`eval(dec($blob, $table))`)
    const inner = /^\s*@?\s*([a-z_]\w{0,60})\s*\(\s*(['"]|\$\w{1,40}\s*[,)])/i.exec(code.slice(m.open + 1, m.open + 200));
    if (!inner) continue;
    const fname = inner[1]!.toLowerCase();
    if (DANGEROUS_NAMES.has(fname) || /^(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|urldecode|rawurldecode|stripslashes|trim)$/.test(fname)) continue;
    const held = inner[2]!.startsWith('$') ? resolve(inner[2]!.replace(/[\s,)]+$/, '')) : undefined;
    if (inner[2]!.startsWith('$') && held === undefined) continue;
    const lit = held ?? callArgs(code, m.open + 1 + inner.index + inner[0].length - inner[2]!.length - 1, 200000);
    const def = new RegExp(`\\bfunction\\s+&?\\s*${fname}\\s*\\(`, 'i').exec(code);
    if (!def) continue;
    const body = braceBody(code, code.indexOf('{', def.index), 20000);
    // decoding builtins, XOR, a decoding step called through a variable, or a substitution table walked per character
    const decodes =
      /\b(?:base64_decode|gzinflate|gzuncompress|str_rot13|strrev|chr|ord|hex2bin|pack|convert_uudecode)\s*\(|\^/i.test(body) ||
      /\breturn\s+\$\w+\s*\(/.test(body) ||
      /\$\w+\s*\[\s*\$\w+\s*\[\s*\$\w+\s*\]\s*\]/.test(body);
    if (lit.length >= 100 && decodes) {
      ev.add('obfuscation', `eval() of a long literal decoded by the file's own function ${inner[1]}()`, 10, m.index, m[0].length);
      return;
    }
  }
}

/**
 * Where `function <fname>(` is defined in `code` (first match), looked up once per name: the
 * same helper is assigned from many times in an application (`$x = __('...')`), and each
 * lookup reads the whole file.
 */
function definitionOf(code: string, fname: string, memo: Map<string, RegExpExecArray | null>): RegExpExecArray | null {
  let def = memo.get(fname);
  if (def === undefined) {
    def = new RegExp(`\\bfunction\\s+&?\\s*${fname}\\s*\\(`, 'i').exec(code);
    memo.set(fname, def);
  }
  return def;
}

/**
 * A function name produced at runtime by the file's own decoder and then called:
 * $f = dec('6A76..'); $f(dec('...')) — the decoder hides which function runs.
 */
export function decodedCallees(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  // a decoder needs character arithmetic or a decoding builtin somewhere in the file
  if (!calls.has('$') || !calls.hasAnyOf(['chr', 'ord', 'hexdec', 'base64_decode', 'str_rot13', 'strrev', 'gzinflate', 'pack'])) return;
  const defs = new Map<string, RegExpExecArray | null>();
  for (const m of matches(/(\$\w{1,40})\s*=\s*([a-z_]\w{0,60})\s*\(\s*['"][^'"\n]{4,400}['"]/gi, code, 200)) {
    const fname = m[2]!;
    if (
      DANGEROUS_NAMES.has(fname.toLowerCase()) ||
      /^(?:base64_decode|str_rot13|strrev|hex2bin|gzinflate|gzuncompress|urldecode|trim|strtolower|strtoupper|sprintf|md5|sha1|__|_e|_x|esc_\w+)$/i.test(fname)
    )
      continue;
    const def = definitionOf(code, fname, defs);
    if (!def) continue;
    const body = braceBody(code, code.indexOf('{', def.index), 20000);
    if (!/\b(?:chr|ord|hexdec|base64_decode|str_rot13|strrev|gzinflate|pack)\s*\(|\^/i.test(body) || !/\breturn\b/.test(body)) continue;
    const v = m[1]!.replace('$', '\\$');
    const call = new RegExp(`(?<![\\w>:$])${v}\\s*\\(`).exec(code.slice(m.index + m[0].length));
    if (call) {
      // `$f(dec('...'))`: what runs and what it is given are both hidden behind the decoder
      const arg = code.slice(m.index + m[0].length + call.index + call[0].length, m.index + m[0].length + call.index + call[0].length + 200);
      if (new RegExp(`^\\s*@?\\s*${fname}\\s*\\(\\s*['"]`, 'i').test(arg))
        ev.add('obfuscation', `function name and its argument both produced by the file's own decoder ${fname}() (hidden call)`, 11, m.index, m[0].length);
      else ev.add('obfuscation', `function name produced by the file's own decoder ${fname}() and then called`, 9, m.index, m[0].length);
      return;
    }
  }
}
