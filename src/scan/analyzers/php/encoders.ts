/**
 * Traces PHP encoders leave in the code they emit, whatever payload they wrap: identifiers
 * made of random bytes (PHPJiaMi/EnPHP style: names that are not text in any encoding) and
 * variable names written as escaped string literals (`${"\x47L\x4f\x42ALS"}[...]`, which no
 * author types by hand). Each is weak alone; with dynamic evaluation it is an encoded shell.
 */
import { callIndex, includesText, type AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isText(latin1: string): boolean {
  try {
    UTF8.decode(Buffer.from(latin1, 'latin1'));
    return true;
  } catch {
    return false;
  }
}

/** `'A'=>'x'` pairs: one character mapped to another, the entries of a substitution table. */
const CHAR_PAIR = /['"]([A-Za-z0-9+/=])['"]\s*=>\s*['"]([A-Za-z0-9+/=])['"]/g;

/** Calls through which encoded code finally runs: the traces below only matter next to one. */
const RUNS = ['eval', 'assert', 'create_function'];

export function analyzeEncoderTraces(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // a payload file holding reversed source runs nothing itself: checked on its own
  // the reversed names share `_$` (`TSOP_$`...) or `_46` (`edoced_46esab`): two searches rule most files out
  const reversedPieces = ctx.text.includes('_$') || ctx.text.includes('_46');
  if (reversedPieces && (includesText(ctx.text, 'TSOP_$') || includesText(ctx.text, 'TEG_$') || includesText(ctx.text, 'TSEUQER_$') || includesText(ctx.text, 'edoced_46esab')))
    reversedSource(ctx);
  hexNameTable(ctx);
  if (!callIndex(ctx).hasAnyOf(RUNS)) return;
  // a literal table mapping most of the base64 alphabet onto itself, shuffled: the key of a
  // substitution cipher over an encoded payload
  if (code.includes("'=>'") || code.includes('"=>"') || code.includes("' => '")) {
    const keys = new Set<string>();
    let first = -1;
    for (const m of matches(CHAR_PAIR, code, 400)) {
      if (m[1] === m[2]) continue;
      keys.add(m[1]!);
      if (first < 0) first = m.index;
    }
    if (keys.size >= 50) ev.add('obfuscation', `character substitution table over the base64 alphabet (${keys.size} entries; encoder output)`, 5, first, 30);
  }
  // a long literal with no letter or digit at all: a payload kept as punctuation (XOR-decoded)
  // (many different marks: a ruler of '=' or '-' in a banner is not one)
  const punct = /(['"])[!-/:-@[-`{-~]{200,}/.exec(code);
  if (punct && new Set(punct[0].slice(0, 2000)).size >= 12) ev.add('obfuscation', 'long string literal made only of punctuation (encoded payload)', 4, punct.index, 30);
  // identifiers of high bytes that do not decode as UTF-8: names generated from random bytes
  if (/[\x80-\xff]/.test(code)) {
    const names = new Set<string>();
    let first = -1;
    for (const m of matches(/(?:\$|\bfunction\s+)([\x80-\xff][\x80-\xff\w]{1,40})/g, code, 2000)) {
      const name = m[1]!;
      if (names.has(name) || isText(name)) continue;
      names.add(name);
      if (first < 0) first = m.index;
      if (names.size >= 10) break;
    }
    if (names.size >= 10) ev.add('obfuscation', 'identifiers made of random bytes (encoder output)', 5, first, 20);
  }
  // names drawn from look-alike characters only ($OOO0O00, $lIl1lI): chosen to be unreadable
  if (code.includes('$O') || code.includes('$l') || code.includes('$I') || code.includes('$_0')) {
    const names = new Set<string>();
    let first = -1;
    for (const m of matches(/\$((?:[O0]|_[O0]){6,40}|[lI1]{6,40})\b/g, code, 500)) {
      const n = m[1]!;
      // both look-alikes must appear: a name of O or l alone can be a real word's initials
      if (!(/[O]/.test(n) && /0/.test(n)) && !(/[lI]/.test(n) && /1|I/.test(n) && /l/.test(n))) continue;
      names.add(n);
      if (first < 0) first = m.index;
      if (names.size >= 5) break;
    }
    if (names.size >= 5) ev.add('obfuscation', 'variable names made of look-alike characters (O/0, l/I/1; encoder output)', 5, first, 20);
  }
  // variable names spelled as escaped strings: ${"\x47..."}
  if (code.includes('${"\\x') || code.includes("${'\\x")) {
    let n = 0;
    let first = -1;
    for (const m of matches(/\$\{\s*"(?:[^"\\\n]|\\x[0-9a-fA-F]{2}){0,40}\\x[0-9a-fA-F]{2}(?:[^"\\\n]|\\x[0-9a-fA-F]{2}){0,40}"\s*\}/g, code, 200)) {
      if (first < 0) first = m.index;
      if (++n >= 5) break;
    }
    if (n >= 5) ev.add('obfuscation', 'variable names written as escaped string literals (encoder output)', 5, first, 20);
  }
}

/** Source written backwards (`;)]'a'[TSOP_$(lave`): a payload another file reverses and runs. */
function reversedSource(ctx: AnalyzerContext): void {
  const rev = /TSOP_\$|TEG_\$|TSEUQER_\$|EIKOOC_\$|edoced_46esab|etalfnizg/.exec(ctx.text);
  if (rev && (ctx.text.match(/TSOP_\$|TEG_\$|TSEUQER_\$|EIKOOC_\$|edoced_46esab|etalfnizg|\(lave\b|\(tressa\b|\(metsys\b/g)?.length ?? 0) >= 2) {
    ctx.ev.add('obfuscation', 'PHP source stored backwards (a payload to be reversed and run)', 6, rev.index, 20);
  }
}

/** Names whose presence in a hidden function table says what the table is for. */
const RUNNER_NAMES = new Set(['exec', 'system', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'eval', 'assert', 'create_function']);
const WRITER_NAMES = new Set(['move_uploaded_file', 'file_put_contents', 'fwrite', 'fputs', 'unlink', 'chmod', 'rename', 'copy']);

/**
 * Function names stored as hex strings (`"7368656c6c5f65786563"` is shell_exec) and decoded at
 * run time into a table the code calls through: no readable name of what runs is left.
 * Applications keep hashes and colours in hex, not identifiers.
 */
function hexNameTable(ctx: AnalyzerContext): void {
  // the names have to be decoded at run time by one of these
  if (!callIndex(ctx).hasAnyOf(['hex2bin', 'pack', 'hexdec', 'base_convert'])) return;
  // identifiers start with a letter or `_`: their hex begins with 4, 5, 6 or 7
  const names: string[] = [];
  let first = -1;
  for (const m of matches(/['"]([4-7][0-9A-Fa-f]{5,63})['"]/g, ctx.code, 400)) {
    const hex = m[1]!;
    if (hex.length % 2 !== 0) continue;
    const name = Buffer.from(hex, 'hex').toString('latin1');
    if (!/^[A-Za-z_][A-Za-z0-9_]{2,31}$/.test(name)) continue;
    names.push(name.toLowerCase());
    if (first < 0) first = m.index;
  }
  if (names.length < 8) return;
  const runner = names.find((n) => RUNNER_NAMES.has(n));
  const writer = names.find((n) => WRITER_NAMES.has(n));
  if (!runner && !writer) return;
  ctx.ev.add('obfuscation', `function names stored hex-encoded (${names.length}, including ${runner ?? writer}) for calls through a table`, runner ? 8 : 5, first, 30);
}
