/**
 * The COM objects a classic ASP page creates that run commands (WScript.Shell, Shell.Application,
 * WScript.Network) or touch files: named by a literal, by class id (`<object classid="clsid:..">`,
 * `GetObject("new:72C24DD5-...")`), or by a name the page assembles (`"WScr" & "ipt.Shell"`,
 * Chr() codes, a variable holding either) to keep the name out of a text search.
 */
import { matchesAt, type AnalyzerContext } from '../context.js';
import { matches } from '../flow.js';
import { callArgs } from '../text.js';
import { anyWord, literalOffsets, mergeAscending } from '../words.js';
import { envAt, foldExpr, pageFunctions, type PageFunctions } from './asp-fold.js';

/** COM objects that run commands or code: hiding their names is how a shell dodges a text search. */
export const DANGEROUS_PROGID = /^(?:WScript\.Shell|Shell\.Application|(?:MSScriptControl\.)?ScriptControl(?:\.1)?|WScript\.Network)$/i;
/** File and stream objects: CMS pages split these names too, to get past hosting antivirus. */
const FILE_PROGID = /^(?:ADODB\.Stream|Scripting\.FileSystemObject)$/i;
/** The shell objects, by ProgID or by the class ids of WScript.Shell and Shell.Application (`new:{..}` monikers). */
const SHELL_NAME = /^(?:WScript\.Shell|Shell\.Application|WScript\.Network|new:\{?(?:72C24DD5|13709620)-[-0-9a-f]{0,40}\}?)$/i;

/** Words (lower case) one of which the literal shell-object pattern must contain. */
const SHELL_WORDS = ['wscript.shell', 'shell.application', 'wscript.network', '72c24dd5', '13709620'];
const LITERAL_SHELL =
  /(?:CreateObject|new\s+ActiveXObject)\s*\(\s*["'](?:WScript\.Shell|Shell\.Application|WScript\.Network)["']|CLSID:(?:72C24DD5|13709620)|GetObject\s*\(\s*["']new:\{?(?:72C24DD5|13709620)/i;

export interface ComObject {
  index: number;
  length: number;
  /** The ProgID (or moniker) the page builds, when it builds one. */
  assembled?: string;
  /** The name is built from pieces or character codes (not only kept in a constant). */
  pieces?: boolean;
}

/** Calls that create or bind a COM object by a name they are given. */
export const CREATORS = /\b(?:CreateObject|ActiveXObject|GetObject)\s*\(/gi;
/** The words (lower case) one of which opens every match of CREATORS. */
const CREATOR_WORDS = ['createobject', 'activexobject', 'getobject'];
/** literalOffsets' default cap: a list that long may have been cut short. */
const OFFSETS_CAP = 100000;

/**
 * `matches(CREATORS, code, cap)`, as a list: the case-blind pattern tried at every character of
 * the page cost more than the rest of assembledComObject. Every match opens with one of
 * CREATOR_WORDS in some case of its ASCII letters (`\b` takes no character), and a case-blind
 * regex without the `u` flag matches an ASCII letter only with its two cases, which lower-casing
 * folds: so every match starts where `lower` holds one of the words, when lower-casing kept the
 * length (then each character maps to one at the same offset). The pattern anchored at those
 * offsets, ascending and each after the last match's end, finds what the global scan finds.
 */
export function creatorCalls(code: string, lower: string, cap: number): RegExpExecArray[] {
  if (lower.length === code.length) {
    let starts: number[] = [];
    let cut = false;
    for (const w of CREATOR_WORDS) {
      const at = literalOffsets(lower, w, OFFSETS_CAP);
      if (at.length >= OFFSETS_CAP) cut = true;
      starts = mergeAscending(starts, at);
    }
    if (!cut) return matchesAt(CREATORS, code, starts, cap);
  }
  return [...matches(CREATORS, code, cap)];
}
const LITERAL_ARG = /^\s*(?:"[^"\n]*"|'[^'\n]*')\s*$/;

/** The value of a VBScript string expression of literals and Chr()/ChrW() codes joined with & or +, if it is only that. */
export function foldVbString(expr: string): string | undefined {
  const parts = expr.split(/\s*[&+]\s*/);
  let out = '';
  for (const raw of parts) {
    const p = raw.trim();
    const lit = /^"((?:[^"]|"")*)"$/.exec(p) ?? /^'([^']*)'$/.exec(p);
    if (lit) {
      out += lit[1]!.replace(/""/g, '"');
      continue;
    }
    const chr = /^chrw?\s*\(\s*(?:&H([0-9a-f]{1,4})|&O?([0-7]{1,6})|(\d{1,5}))\s*\)$/i.exec(p);
    if (!chr) return undefined;
    out += String.fromCharCode(chr[1] ? parseInt(chr[1], 16) : chr[2] ? parseInt(chr[2], 8) : Number(chr[3]));
  }
  return out.length > 0 && out.length < 100 ? out : undefined;
}

/**
 * The first COM object a page creates whose name it assembles (pieces, Chr() codes, or a variable
 * holding a constant at that point) into a shell or file object's name. Literal names are left
 * to the plain patterns.
 */
export function assembledComObject(ctx: AnalyzerContext): ComObject | undefined {
  const { code, lower } = ctx;
  if (!anyWord(lower, ['createobject', 'activexobject', 'getobject'])) return undefined;
  // replaying the page's assignments is the costly step: a few calls only
  let replays = 8;
  let fns: PageFunctions | undefined;
  for (const m of creatorCalls(code, lower, 100)) {
    const args = callArgs(code, m.index + m[0].length - 1);
    if (args === '' || LITERAL_ARG.test(args)) continue;
    const joined = /[&+]/.test(args);
    let name = joined ? foldVbString(args) : undefined;
    let pieces = name !== undefined;
    const variable = /^\s*([A-Za-z_]\w{0,254})\s*$/.exec(args)?.[1];
    // pieces held in constants (`P1 & P2`), one variable, a function of them (`StrReverse(N)`):
    // folded with the page's constants at the call
    if (name === undefined && args.length < 300 && replays-- > 0) {
      // a call of one of the page's own functions (`CreateObject(decode("llehS.tpircSW"))`) is
      // run with its body: a decoder the page wrote for the name is the disguise itself
      const callee = /^\s*([A-Za-z_]\w{0,254})\s*\(/.exec(args)?.[1];
      fns ??= callee !== undefined && anyWord(lower, ['function']) ? pageFunctions(code, lower) : undefined;
      const own = callee !== undefined && fns?.bodies.has(callee.toLowerCase()) === true;
      const v = foldExpr(args.trim(), envAt(code, m.index), own ? fns : undefined);
      if (v && 'text' in v && v.text.length < 100) name = v.text.trim();
      // a name kept in a constant (`Const FSO = "Scripting.FileSystemObject"`) is no disguise; one the page puts together is
      pieces = name !== undefined && (own || !variable || assignedFromPieces(code, variable));
    }
    if (name && (SHELL_NAME.test(name) || DANGEROUS_PROGID.test(name) || FILE_PROGID.test(name))) return { index: m.index, length: m[0].length, assembled: name, pieces };
  }
  return undefined;
}

/** Whether some assignment of `name` joins pieces (`&`, `+`) or character codes. */
function assignedFromPieces(code: string, name: string): boolean {
  const re = new RegExp(`(?:^|[\\n:;])[ \\t]*(?:Const[ \\t]+|Dim[ \\t]+|var[ \\t]+)?${name}[ \\t]*=[ \\t]*([^\\n]{1,300})`, 'gi');
  for (const m of matches(re, code, 20)) if (/[&+]|\bchrw?\s*\(/i.test(m[1]!)) return true;
  return false;
}

/** The page's first shell object: a literal name or class id, else `assembled` when that names one. */
export function shellObject(ctx: AnalyzerContext, assembled: ComObject | undefined): ComObject | undefined {
  const lit = anyWord(ctx.lower, SHELL_WORDS) ? LITERAL_SHELL.exec(ctx.code) : null;
  if (lit) return { index: lit.index, length: lit[0].length };
  return assembled?.assembled !== undefined && SHELL_NAME.test(assembled.assembled) ? assembled : undefined;
}

/** Whether an assembled name is one of the dangerous objects (not only a file object). */
export function isDangerous(name: string): boolean {
  return DANGEROUS_PROGID.test(name) || SHELL_NAME.test(name);
}
