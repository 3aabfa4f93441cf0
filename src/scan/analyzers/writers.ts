/**
 * Uploaders and droppers in any language: a file written where the request chooses both
 * the name and the content, or content fetched from the web saved under a script name.
 * Also server code carried inside string literals (a dropper's payload) and JScript
 * strings assembled with `+`, both handed back as layers.
 */
import { checksUploadExtension } from './asp-uploads.js';
import { pageWide, type ScopedTaint } from '../scoped-taint.js';
import { callIndex, isRegexSpace, matchesAt, type AnalyzerContext } from '../context.js';
import type { Taint } from '../flow.js';
import { matches } from '../flow.js';
import { unescapeDq, looksLikeCode } from '../decode.js';
import { anyWord, containsWord, firstAt, literalOffsets } from '../words.js';
import { ownProcedureCall } from './asp-scan.js';

const OPENERS: Record<string, RegExp> = {
  jsp: /\bnew\s+(?:java\.io\.)?(?:FileOutputStream|FileWriter|RandomAccessFile|PrintWriter)\s*\(|\bFiles\s*\.\s*write\s*\(/g,
  aspx: /\bFile\s*\.\s*(?:WriteAllBytes|WriteAllText|AppendAllText|Create|CreateText|OpenWrite)\s*\(|\bnew\s+(?:System\s*\.\s*IO\s*\.\s*)?(?:FileStream|StreamWriter)\s*\(|\.\s*SaveAs\s*\(/gi,
  asp: /\.\s*(?:SaveToFile|CreateTextFile|OpenTextFile|SaveAs)\b/gi,
  php: /\b(?:fopen|file_put_contents)\s*\(/gi,
};
/** Words (lower case) one of which every match of a language's opener holds: a page without any opens no file. */
const OPENER_WORDS: Record<string, readonly string[]> = {
  asp: ['savetofile', 'textfile', 'saveas'],
};
const WRITES: Record<string, RegExp> = {
  jsp: /\.\s*(?:write|print|println|append)\s*\(([^;]{0,300})/g,
  aspx: /\.\s*(?:Write|WriteLine|WriteAllText|WriteAllBytes|SaveAs)\s*\(([^;\n]{0,300})|File\s*\.\s*Write\w*\s*\(([^;\n]{0,300})/gi,
  asp: /\.\s*(?:Write|WriteText|WriteLine)\b\s*\(?([^\n]{0,300})/gi,
  php: /\b(?:fwrite|fputs|file_put_contents)\s*\(([^;]{0,300})/gi,
};

const SCRIPT_NAME = /["'][^"'\n]{0,120}\.(?:php\d?|phtml|asp|aspx|asa|cer|ashx|asmx|jsp|jspx|cfm)["']|SCRIPT_NAME|PATH_TRANSLATED|SCRIPT_FILENAME|__FILE__|PHP_SELF/i;

/** The rest of an opener's statement (up to `;` or the line end, 300 characters at most). */
function openerStatement(code: string, m: RegExpExecArray): string {
  return code.slice(m.index + m[0].length, m.index + m[0].length + 300).split(/[;\n]/)[0]!;
}

/** The path an opener's statement names: its first argument (VBScript calls have no parentheses to split on). */
function pathArgument(lang: string, stmt: string): string {
  return lang === 'asp' ? stmt : stmt.split(',')[0]!;
}

/** The page's own file, by the server variables and constants that name it. */
const OWN_SCRIPT = /SCRIPT_NAME|PATH_TRANSLATED|SCRIPT_FILENAME|__FILE__|PHP_SELF/;

/**
 * A path expression naming a server script: literally, or through a variable holding the
 * page's own name (`ff = Request.ServerVariables("SCRIPT_NAME")`). A variable holding some
 * other `.php` name is not enough: installers write their config scripts that way.
 */
function namesScript(expr: string, taint: Taint): boolean {
  if (SCRIPT_NAME.test(expr)) return true;
  for (const m of expr.matchAll(/[$A-Za-z_][\w$]{0,40}/g)) {
    if (taint.assignments.get(m[0])?.some((rhs) => OWN_SCRIPT.test(rhs))) return true;
  }
  return false;
}

const UPLOAD_TMP_NAME = /\$_FILES\s*\[[^\]\n]{1,60}\]\s*\[\s*['"]tmp_name['"]\s*\]/g;

/** `fopen($f, 'r')`: a literal mode without w/a/x/c/+ only reads. */
function readOnlyOpen(stmt: string): boolean {
  const mode = /,\s*['"]([a-z+]{1,4})['"]/i.exec(stmt)?.[1];
  return mode !== undefined && !/[waxc+]/i.test(mode);
}

/**
 * `fso.OpenTextFile(path)` / `OpenTextFile(path, 1)` / `OpenTextFile path, ForReading`: a text file
 * opened for reading (its I/O mode left out, 1 or ForReading); 2 and 8 write and append.
 * `after`: the text after the method's name.
 */
export function readsTextFile(name: string, after: string): boolean {
  if (!/OpenTextFile$/i.test(name)) return false;
  let s = after.trimStart();
  if (s.startsWith('(')) s = s.slice(1);
  // the second argument at depth zero, quotes read whole
  let depth = 0;
  let q = false;
  let comma = -1;
  for (let i = 0; i < s.length && i < 300; i++) {
    const c = s[i]!;
    if (c === '"') q = !q;
    else if (q) continue;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === '\n' || c === ':') break;
    else if (c === ',' && depth === 0) {
      comma = i;
      break;
    }
  }
  if (comma < 0) return true;
  const mode = /^\s*([\w&]+)\s*(?:[,)]|$)/.exec(s.slice(comma + 1))?.[1];
  return mode !== undefined && /^(?:1|ForReading)$/i.test(mode);
}

/** `Response.Write x` / `out.print(x)` writes to the HTTP response, not to a file. */
function isPageOutput(code: string, at: number): boolean {
  return /\b(?:Response|out|writer|Console)\s*$/i.test(code.slice(Math.max(0, at - 12), at));
}

export function analyzeWriters(ctx: AnalyzerContext, taint: Taint, scoped?: ScopedTaint): void {
  // (read in the scope of each call where the language has one: PHP functions)
  const read = scoped ?? pageWide(taint);
  const lang = ctx.ev.language;
  const opener = OPENERS[lang];
  const writer = WRITES[lang];
  const { code, ev } = ctx;
  // PHP opens files only through fopen()/file_put_contents(): the call index answers without a scan
  const openerWords = OPENER_WORDS[lang];
  // `saveas` is asked twice (an opener word, the upload below): searched once
  let saveAs: boolean | undefined;
  const hasSaveAs = (): boolean => (saveAs ??= containsWord(ctx.lower, 'saveas'));
  if (
    opener &&
    writer &&
    (lang !== 'php' || callIndex(ctx).hasAnyOf(['fopen', 'file_put_contents'])) &&
    (!openerWords || openerWords.some((w) => (w === 'saveas' ? hasSaveAs() : containsWord(ctx.lower, w))))
  ) {
    let pathFromRequest = -1;
    let pathDirect = false;
    for (const m of matches(opener, code, 200)) {
      const stmt = openerStatement(code, m);
      if (lang === 'php' && readOnlyOpen(stmt)) continue;
      if (lang === 'asp' && readsTextFile(m[0], stmt)) continue;
      // PHP's upload temp name is chosen by the server, not the client
      const firstArg = pathArgument(lang, stmt).replace(UPLOAD_TMP_NAME, '');
      if (read.touches(firstArg, m.index)) {
        pathFromRequest = m.index;
        pathDirect = read.touchesDirectly(firstArg, m.index);
        break;
      }
    }
    // content from the request written to a fixed server-script name: a dropper for the next shell
    if (pathFromRequest < 0) {
      for (const m of matches(opener, code, 200)) {
        if (!namesScript(pathArgument(lang, openerStatement(code, m)), taint)) continue;
        for (const w of matches(writer, code, 500)) {
          if (!isPageOutput(code, w.index) && taint.touches(w[1] ?? w[2] ?? '')) {
            ev.add('flow', 'request content written into a server-script file', 10, m.index, 30);
            break;
          }
        }
        break;
      }
    }
    if (pathFromRequest >= 0) {
      let contentFromRequest = false;
      for (const w of matches(writer, code, 500)) {
        if (isPageOutput(code, w.index)) continue;
        const arg = w[1] ?? w[2] ?? '';
        if (read.touches(arg, w.index)) {
          contentFromRequest = true;
          break;
        }
      }
      // in a large application file a path reached through several assignments is often an
      // admin feature (a plugin installer, an import); one step from the request, or a small
      // script, is how uploaders look
      // (an ASP upload component that checks the file's extension against a list is an upload feature: asp-uploads.ts)
      if (contentFromRequest && lang === 'asp' && checksUploadExtension(code))
        ev.add('flow', 'upload feature stores request content under a request-chosen name after an extension check', 4, pathFromRequest, 30);
      else if (contentFromRequest) ev.add('flow', 'request chooses both the file written and its content (uploader)', pathDirect || ctx.size < 16384 ? 11 : 6, pathFromRequest, 30);
      else ev.add('flow', 'request chooses a file to write', 3, pathFromRequest, 30);
    }
  }
  // uploaded file saved under a request-chosen path: Request.Files(0).SaveAs(MapPath(Request("f")))
  const up = (lang !== 'asp' && lang !== 'aspx') || !hasSaveAs() ? null : /Request\s*\.\s*Files\s*[[(][^\n;]{0,40}?[\])]\s*\.\s*SaveAs\s*\(([^\n;]{0,200})/i.exec(code);
  if (up && taint.touches(up[1]!)) ev.add('flow', 'request chooses both the file written and its content (uploader)', 11, up.index, 30);
  // dropper: fetch from the web, save under a server-script name
  const fetch =
    lang === 'php'
      ? callIndex(ctx).hasAnyOf(['curl_exec', 'file_get_contents'])
        ? /\b(?:curl_exec|file_get_contents\s*\(\s*['"]https?:)/i.exec(code)
        : null
      : !anyWord(ctx.lower, FETCH_WORDS) && !(containsWord(ctx.lower, 'download') && anyWord(ctx.lower, FETCH_DOWNLOADS))
        ? null
        : /\b(?:Microsoft\.XMLHTTP|MSXML2\.(?:Server)?XMLHTTP|WinHttp\.WinHttpRequest|WebClient|HttpURLConnection|openStream\s*\(|curl_exec|file_get_contents\s*\(\s*['"]https?:|DownloadFile|DownloadString)/i.exec(
            code,
          );
  if (fetch) {
    const save = scriptSave(code);
    // a page of a few lines that does only this is the dropper itself, not an updater inside an application
    if (save)
      ev.add(
        'capability',
        'downloads content from the web and saves it as a server script (dropper)',
        ctx.size < 2048 && !/<!--\s*#include\b/i.test(ctx.text) ? 11 : 8,
        save.index,
        save[0].length,
      );
  }
  embeddedServerCode(ctx);
  if (lang === 'asp' || lang === 'aspx' || lang === 'node') jsConcat(ctx);
}

/** A save (or file open) under a server-script name, in a statement that names the file as a literal. */
const SCRIPT_SAVE =
  /(?:SaveToFile|CreateTextFile|DownloadFile|file_put_contents|fopen|FileOutputStream|WriteAllText|WriteAllBytes|copy)\b[^;\n]{0,200}?["'][^"'\n]{0,120}\.(?:php\d?|phtml|asp|aspx|asa|cer|ashx|jsp|jspx|cfm)["']/gi;

/** Arguments that are all literals: `"", "role.asp", ""` or `("a.asp", 1, True)`. */
const LITERAL_ARGS = /^[ \t]*\(?[ \t]*(?:"[^"\n]*"|'[^'\n]*'|\d+|true|false)(?:[ \t]*,[ \t]*(?:"[^"\n]*"|'[^'\n]*'|\d+|true|false))*[ \t]*\)?[ \t]*;?[ \t\r]*(?:$|:|')/i;

/**
 * The first save under a server-script name that can hold fetched content. A call of one of the
 * page's own procedures (`createTextFile "", "role.asp", ""` with `Function createTextFile(content,
 * fileDir, code)` in the page) given nothing but literals writes a fixed text, whatever the page
 * downloads elsewhere: it is passed over. The built-in savers take their content from an object
 * or a later write, so their literal arguments say nothing of it.
 */
function scriptSave(code: string): RegExpExecArray | null {
  SCRIPT_SAVE.lastIndex = 0;
  for (let m = SCRIPT_SAVE.exec(code), n = 0; m !== null && n < 50; m = SCRIPT_SAVE.exec(code), n++) {
    const after = m.index + /^\w+/.exec(m[0])![0].length;
    const eol = code.indexOf('\n', after);
    if (ownProcedureCall(code, m.index, m[0]) && LITERAL_ARGS.test(code.slice(after, eol === -1 ? code.length : eol))) continue;
    return m;
  }
  return null;
}

/**
 * Words (lower case) one of which every match of the fetch pattern above holds; the two that
 * share `download` are looked for only on a page that has it (one search instead of two).
 */
const FETCH_WORDS = ['xmlhttp', 'winhttp', 'webclient', 'httpurlconnection', 'openstream', 'curl_exec', 'file_get_contents'];
const FETCH_DOWNLOADS = ['downloadfile', 'downloadstring'];

/** A string literal holding a server-code marker; neither alternative can span a line break. */
export const EMBEDDED_CODE = /"((?:[^"\\\n]|\\.){0,4000}(?:<\?php|<%|<\?=)(?:[^"\\\n]|\\.){0,4000})"|'((?:[^'\\\n]|\\.){0,4000}(?:<\?php|<%|<\?=)(?:[^'\\\n]|\\.){0,4000})'/gi;

/**
 * Where EMBEDDED_CODE can start: a quote with a `<?` or `<%` after it on its line (the pattern
 * matches no line break). Found from the markers, which few lines hold, so the regex is no
 * longer tried at every quote of the file; anchored there it finds what a global scan finds.
 */
export function quotesBeforeMarkers(code: string): number[] {
  const out: number[] = [];
  let lineDone = -1;
  // the next `"` and `'` at or after the walk, each kept until passed: a marker line is mostly
  // blanked template text, which indexOf crosses far faster than a loop reading every character
  let dq = -2;
  let sq = -2;
  for (let k = code.indexOf('<'); k !== -1; k = code.indexOf('<', k + 1)) {
    const c = code.charCodeAt(k + 1);
    if (c !== 63 && c !== 37) continue; // `?`, `%`
    // the last marker of the line bounds its candidate quotes; each line is walked once
    let eol = code.indexOf('\n', k);
    if (eol === -1) eol = code.length;
    if (eol <= lineDone) continue;
    const start = Math.max(code.lastIndexOf('\n', k) + 1, lineDone + 1);
    let last = k;
    for (let j = code.indexOf('<', k + 1); j !== -1 && j < eol; j = code.indexOf('<', j + 1)) {
      const d = code.charCodeAt(j + 1);
      if (d === 63 || d === 37) last = j;
    }
    if (dq !== -1 && dq < start) dq = code.indexOf('"', start);
    if (sq !== -1 && sq < start) sq = code.indexOf("'", start);
    // both kinds in text order, up to the line's last marker
    for (;;) {
      const d = dq !== -1 && dq < last ? dq : -1;
      const q = sq !== -1 && sq < last ? sq : -1;
      if (d === -1 && q === -1) break;
      if (q === -1 || (d !== -1 && d < q)) {
        out.push(d);
        dq = code.indexOf('"', d + 1);
      } else {
        out.push(q);
        sq = code.indexOf("'", q + 1);
      }
    }
    lineDone = eol;
    k = eol;
  }
  return out;
}

/**
 * The offset of the first `<?php` (letters in any case) or `<%` at or after `from`, `<?=` too
 * when `echo`; -1 if none. What `/<\?php|<%/i` (with `|<\?=`) finds, walked from the `<` signs
 * with indexOf instead of a regex tried at every character of the page.
 */
export function serverMarker(code: string, from: number, echo: boolean): number {
  for (let i = code.indexOf('<', from); i !== -1; i = code.indexOf('<', i + 1)) {
    const c = code.charCodeAt(i + 1);
    if (c === 37) return i; // `%`
    if (c !== 63) continue; // `?`
    const d = code.charCodeAt(i + 2);
    if (echo && d === 61) return i; // `=`
    // (`| 0x20` turns `P` and `H` into `p` and `h`, and no other unit into either)
    if ((d | 0x20) === 112 && (code.charCodeAt(i + 3) | 0x20) === 104 && (code.charCodeAt(i + 4) | 0x20) === 112) return i;
  }
  return -1;
}

/** String literals that carry server-side code: analyze what the dropper writes. */
function embeddedServerCode(ctx: AnalyzerContext): void {
  const { code } = ctx;
  // skip the file's own opening tag; look for a second server-code marker inside a string
  const first = serverMarker(code, 0, false);
  if (first === -1 || serverMarker(code, first + 2, true) === -1) return;
  let n = 0;
  for (const m of matchesAt(EMBEDDED_CODE, code, quotesBeforeMarkers(code), 20)) {
    const body = unescapeDq(m[1] ?? m[2] ?? '');
    if (body.length < 12 || !looksLikeCode(body)) continue;
    ctx.layers.push({ text: body, offset: m.index, how: 'server code inside a string literal', language: 'unknown' });
    if (++n >= 4) break;
  }
}

/** VBScript: four or more string literals or Chr() codes joined with `&`/`+`. */
export const VB_PIECES = /"(?:[^"\n]|""){0,200}"(?:\s*[&+]\s*(?:"(?:[^"\n]|""){0,200}"|chr[wb]?\s*\(\s*\d{1,3}\s*\))){3,}/gi;

/**
 * Where VB_PIECES can start. Its first literal ends at a quote followed by a join (`&` or `+`
 * between blanks) and then a quote or `chr`; that literal holds no line break and at most 401
 * characters with its quotes. So every start is a quote at most 401 characters before such a
 * joint on the same line. The joints are found from the `&` and `+` signs with indexOf, and the
 * regex runs anchored at those quotes only, instead of at every quote of the page.
 */
export function vbPieceStarts(code: string): number[] {
  // each joint gives the window [max(line start, e - 401), e) before its quote at e; windows
  // come in the order of their quotes from each sign's scan, and the two scans are merged, so
  // each character is read once and the quotes come out ascending (no set, no sort)
  const amp = jointQuotes(code, '&');
  const plus = jointQuotes(code, '+');
  const out: number[] = [];
  let covered = 0;
  for (let a = 0, p = 0; a < amp.length || p < plus.length; ) {
    const e = p >= plus.length || (a < amp.length && amp[a]! <= plus[p]!) ? amp[a++]! : plus[p++]!;
    const lineStart = code.lastIndexOf('\n', e - 1) + 1;
    for (let q = Math.max(lineStart, e - 401, covered); q < e; q++) if (code.charCodeAt(q) === 34) out.push(q);
    if (e > covered) covered = e;
  }
  return out;
}

/**
 * The quotes (ascending) that end a literal before `op` (blanks between) with a quote or `chr`
 * after it (blanks between): the joints of VB_PIECES.
 */
function jointQuotes(code: string, op: string): number[] {
  const out: number[] = [];
  for (let k = code.indexOf(op); k !== -1; k = code.indexOf(op, k + 1)) {
    let e = k - 1;
    while (e >= 0 && isRegexSpace(code.charCodeAt(e))) e--;
    if (e < 1 || code.charCodeAt(e) !== 34) continue;
    let n = k + 1;
    while (n < code.length && isRegexSpace(code.charCodeAt(n))) n++;
    const c = code.charCodeAt(n);
    if (c !== 34 && c !== 99 && c !== 67) continue; // `"`, `c`, `C`
    out.push(e);
  }
  return out;
}

const JSCRIPT_DIRECTIVE = /<%@\s*LANGUAGE\s*=\s*["']?\s*(?:JScript|Javascript)/i;

/** JScript/JavaScript strings assembled from many `"a"+"b"` pieces: fold and analyze. */
function jsConcat(ctx: AnalyzerContext): void {
  let n = 0;
  // VBScript strings are "..." with "" escapes and join with & (or +); JScript/C# use \ escapes and +
  // (the directive opens with `<%@`: the pattern runs at those places only)
  const vb = ctx.ev.language === 'asp' && firstAt(JSCRIPT_DIRECTIVE, ctx.text, literalOffsets(ctx.text, '<%@')) === null;
  const found = vb
    ? matchesAt(VB_PIECES, ctx.code, vbPieceStarts(ctx.code), 200)
    : matches(/(?:"(?:[^"\\\n]|\\.){0,200}"|'(?:[^'\\\n]|\\.){0,200}')(?:\s*\+\s*(?:"(?:[^"\\\n]|\\.){0,200}"|'(?:[^'\\\n]|\\.){0,200}')){3,}/g, ctx.code, 200);
  for (const m of found) {
    const pieces = vb ? (m[0].match(/"(?:[^"\n]|"")*"|chr[wb]?\s*\(\s*\d{1,3}\s*\)/gi) ?? []) : (m[0].match(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g) ?? []);
    const joined = pieces
      .map((p) => (vb ? (/^chr/i.test(p) ? String.fromCharCode(Number(/\d+/.exec(p)![0])) : p.slice(1, -1).replace(/""/g, '"')) : unescapeDq(p.slice(1, -1))))
      .join('');
    if (joined.length < 8) continue;
    if (/\b(?:eval|Execute|Request|exec|ActiveXObject|WScript|cmd)\b/i.test(joined)) {
      ctx.layers.push({ text: joined, offset: m.index, how: 'string pieces joined with +', language: ctx.ev.language });
      ctx.ev.add('obfuscation', 'code-like text assembled from many string pieces', 4, m.index, 40);
      if (++n >= 4) break;
    }
  }
}
