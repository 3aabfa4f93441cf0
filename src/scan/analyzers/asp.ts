/**
 * Classic ASP (VBScript and JScript): request input reaching Execute/ExecuteGlobal/Eval,
 * WScript.Shell / Shell.Application, and file or stream writes.
 *
 * Names are matched up to VBScript's own limit of 255 characters (`[A-Za-z_]\w{0,254}`):
 * a shorter cap let a shell hide its flow behind one long variable name.
 */
import { checksUploadExtension } from './asp-uploads.js';
import { aspClassScopes } from './asp-classes.js';
import type { AnalyzerContext } from '../context.js';
import { analyzeWriters, readsTextFile } from './writers.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { callArgs } from '../text.js';
import { containsWord, firstAt, literalOffsets } from '../words.js';
import { fileManager, sqlClient } from './admin-tools.js';
import { evaluatedCode, type RunCode } from './asp-interp.js';
import { envAt, foldExpr, NO_FUNCTIONS, pageFunctions, statementEnd, type Folded, type PageFunctions } from './asp-fold.js';
import { aspAssignStarts } from './asp-assign.js';
import { aspFlowFor, sessionReads } from './asp-sources.js';
import { setElsewhere } from './asp-hooks.js';
import { isJscriptPage, ownProcedureCall, procedureMatches } from './asp-scan.js';
import { taintParameters } from './asp-params.js';
import { EVAL_ALIAS, evalAliasStarts, functionCtorCalls, importLoop, readsRequest, sessionSets, UNSAFE_EVAL } from './asp-gates.js';
import { assembledComObject, isDangerous, shellObject } from './asp-objects.js';

export { aspAssignStarts };

export const ASP_FLOW: FlowSpec = {
  // (server variables a client writes freely: custom and free-text headers, the query string,
  // the raw request; not Host, which pages build their own URLs from, nor the Content-Type upload
  // classes parse)
  source:
    /\bRequest\s*(?:\.\s*(?:Form|QueryString|Item|Cookies|BinaryRead|TotalBytes)\b|\s*\(|\s*\[|\.\s*ServerVariables\s*\(\s*"(?:HTTP_(?:X_\w+|USER_AGENT|REFERER|COOKIE|AUTHORIZATION)|QUERY_STRING|ALL_RAW|ALL_HTTP)")/i,
  // after the separator only same-line blanks: `\s*` there ran from every line of a blank run to
  // its end and back (quadratic: 500 KB of CRLFs took 60 CPU-s); the next line's own `\n` starts its match
  // (a string literal is read whole: `"Driver={SQL Server};Uid=" & user` and `"http://" & host`
  // hold separators that end the statement only outside quotes)
  // (an element of an array or dictionary, `arr(0) = Request(..)`, taints the array; the
  // session's and application's own keys are sessionCarried's)
  assign:
    /(?:^|[\n:;]|<%|\bthen\b|\belse\b)[^\S\n]*(?:Set\s+|var\s+)?(?!(?:Session|Application)[^\S\n]*\()([A-Za-z_]\w{0,254})(?:[^\S\n]*\([^()\n"]{1,60}\))?\s*=(?!=)\s*((?:"[^"\n]{0,300}"|[^\n:;"]){1,300})/gi,
  varRef: /\b([A-Za-z_]\w*)\b/g,
  assignStarts: aspAssignStarts,
  sanitize: queryResults,
};

/**
 * `expr` with its database queries' results blanked: `conn.Execute("SELECT .. WHERE id=" & id)`
 * returns the database's rows, whatever the request chose as the key (the SQL itself is judged
 * by sqlClient). The VBScript statement Execute takes no `.` before it and returns nothing.
 */
function queryResults(expr: string): string {
  if (!expr.includes('xecute')) return expr;
  const call = /\.\s*Execute\s*\(/gi;
  let out = '';
  let from = 0;
  for (let m = call.exec(expr); m !== null; m = call.exec(expr)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let quoted = false;
    let close = open;
    for (; close < expr.length; close++) {
      const c = expr.charCodeAt(close);
      if (c === 34) quoted = !quoted;
      else if (!quoted && c === 40) depth++;
      else if (!quoted && c === 41 && --depth === 0) break;
    }
    // (the arguments are blanked, not cut: lengths and offsets stay)
    out += expr.slice(from, open + 1) + ' '.repeat(Math.min(close, expr.length) - open - 1);
    from = Math.min(close, expr.length);
    call.lastIndex = Math.max(from, call.lastIndex);
  }
  return out + expr.slice(from);
}

/** Whether `lower` holds a name of the HTTP client objects (`/XMLHTTP|WinHttp/i` can match the code). */
function hasHttpClient(lower: string): boolean {
  return containsWord(lower, 'xmlhttp') || containsWord(lower, 'winhttp');
}

/** A server-side include of a file with a non-script extension (every match opens with `<!--`). */
const HIDDEN_INCLUDE = /<!--\s*#include\s+(?:file|virtual)\s*=\s*["']?[^"'\s>]{0,200}\.(?:txt|jpg|jpeg|gif|png|bmp|ico|log|dat|rar|zip|doc|pdf)["']?\s*-->/i;

export function analyzeAsp(ctx: AnalyzerContext): void {
  const { code, ev, lower } = ctx;
  const { spec, readers } = aspFlowFor(ctx, ASP_FLOW);
  const taint = sessionCarried(ctx, new Taint(code, spec), spec);
  // `For Each k In Request.Form : Execute k & "=Request.Form(...)"`: every parameter the
  // requester names becomes a page variable (register_globals by hand)
  // (each case-blind pattern below is gated by a word its every match holds, looked up in
  // `lower`: a native substring search rules out most pages before the regex scans them)
  const imported = containsWord(lower, 'execute') ? importLoop(code, lower) : null;
  if (imported) importedGlobals(code, taint);
  const hasRequest = readsRequest(code, lower, spec.source, ASP_FLOW.source);
  taintParameters(ctx, taint, spec, hasRequest);
  analyzeWriters(ctx, taint);
  // (in a library of several classes, a member name in one class is not the same name in another)
  fileManager(ctx, taint, aspClassScopes(ctx, taint));
  sqlClient(ctx, taint);
  executeSinks(ctx, taint, readers);
  // a COM object whose name the page puts together (or keeps in a variable) is created all the same
  const assembled = assembledComObject(ctx);
  const shellObj = shellObject(ctx, assembled);
  if (shellObj) {
    ev.add('capability', 'creates a Windows shell COM object', 4, shellObj.index, shellObj.length);
    for (const m of matches(/\.\s*(Run|Exec|ShellExecute)\b\s*\(?([^\n]{0,300})/gi, code, 200)) {
      // `"Server.Exec" & "ute"` in a report's text is not a call
      if (insideString(code, m.index)) continue;
      const arg = m[2]!;
      if (taint.hasSource(arg)) ev.add('flow', `request input reaches shell ${m[1]}`, 12, m.index, m[0].length);
      else if (taint.touches(arg)) ev.add('flow', `request-derived variable reaches shell ${m[1]}`, 11, m.index, m[0].length);
      else ev.add('capability', `runs OS commands (${m[1]})`, 3, m.index, m[0].length);
    }
    if (hasRequest) ev.add('flow', 'shell object in a page that reads request input', 3, shellObj.index, shellObj.length);
    writtenThenRun(ctx);
  }
  // writers: request picks file name and content (uploader/dropper)
  let uploadChecked: boolean | undefined;
  for (const m of containsWord(lower, 'textfile') || containsWord(lower, 'savetofile')
    ? matches(/\b(?:CreateTextFile|OpenTextFile|SaveToFile)\b\s*\(?([^\n]{0,200})/gi, code, 200)
    : []) {
    // `Public Function SaveToFile(ByVal Path, ...)`: an upload class defining its method, not a write
    // (and `Set SaveToFile = ...` is that method setting its return value)
    if (/(?:Function|Sub)[ \t]+$/i.test(code.slice(Math.max(0, m.index - 12), m.index)) || /^=(?!=)/.test(m[1]!)) continue;
    // a call of the page's own procedure of that name (`CreateTextFile txt, CacheFile(id), ""`): its body's write is judged where it opens the file
    if (ownProcedureCall(code, m.index, m[0])) continue;
    // a text file opened for reading is not written
    const opener = /^\w+/.exec(m[0])![0];
    if (readsTextFile(opener, m[0].slice(opener.length))) continue;
    if (taint.touches(m[1]!) && /\.\s*Write(?:Line)?\b[^\n]{0,120}(?:Request|\b(?:[A-Za-z_]\w*)\b)/i.test(code) && hasRequest && !pageChosenPath(code, m.index, m[1]!)) {
      // (an upload component that checks extensions against a list writes the types it allows: asp-uploads.ts)
      ev.add('flow', 'request chooses a file to write', (uploadChecked ??= checksUploadExtension(code)) ? 3 : 6, m.index, m[0].length);
      break;
    }
  }
  // any variable the page later runs, opens or writes is the requester's to set
  if (imported) ev.add('flow', 'every request parameter imported as a page variable through Execute (register_globals by hand)', 5, imported.index, 40);
  // JScript: eval handed around as a value ({'E': eval}, var f = eval) to dodge `eval(`
  // (a function that returns eval itself is the same trick: `function f(x){ if (x) return Request(...); else return eval }`)
  // (both eval patterns run only where the page names `eval`: see evalAliasStarts)
  const evals = literalOffsets(code, 'eval');
  const hasEval = evals.length > 0;
  const alias = hasEval ? firstAt(EVAL_ALIAS, code, evalAliasStarts(code, evals)) : null;
  if (alias) ev.add('obfuscation', 'eval passed around as a value (aliased code execution)', hasRequest ? 10 : 6, alias.index, alias[0].length);
  // COM object names assembled from pieces ("mS"&chr(115)&"cR"...): hides a shell or script host from plain-text search
  if (assembled?.pieces)
    ev.add('obfuscation', `COM object name assembled from pieces (${assembled.assembled})`, isDangerous(assembled.assembled!) ? 8 : 4, assembled.index, assembled.length);
  // server-side HTTP client fetching a URL the request names: an open proxy / SSRF relay
  if (hasHttpClient(lower) && /XMLHTTP|WinHttp/i.test(code)) {
    for (const m of matches(/\.\s*Open\b\s*\(?\s*(?:"(?:GET|POST|HEAD|PUT)"|[A-Za-z_]\w*)\s*,\s*([^,\n]{1,200})/gi, code, 50)) {
      if (taint.touches(m[1]!) && !fixedUrlPrefix(code, m[1]!, taint)) {
        ev.add('flow', 'request chooses a URL the server fetches (proxy / SSRF tool)', 5, m.index, m[0].length);
        break;
      }
    }
  }
  const unsafe = hasEval ? firstAt(UNSAFE_EVAL, code, evals) : null;
  if (unsafe) ev.add('capability', 'JScript.NET eval with the "unsafe" (full trust) option', /unsafe/i.test(unsafe[1]!) ? 10 : 8, unsafe.index, unsafe[0].length);
  // JScript's Function constructor compiles its last argument as a function body: eval by another name
  // (the call is looked for first: VBScript pages, nearly all, hold no `Function(` to find, and
  // the page test reads the whole text)
  const ctor = code.includes('Function') ? functionConstructor(code, taint) : undefined;
  if (ctor && (isJscriptPage(ctx.text) || /<script[^>]{0,80}language\s*=\s*["']?j(?:ava)?script[^>]{0,80}runat/i.test(ctx.text))) {
    const direct = taint.hasSource(ctor.args);
    ev.add('flow', `${direct ? 'request input' : 'request-derived variable'} reaches the JScript Function constructor (eval)`, direct ? 12 : 11, ctor.m.index, ctor.m[0].length);
  }
  // script engines hosted by the page: MSScriptControl runs whatever string it is given
  const sc = containsWord(lower, 'scriptcontrol') && /CreateObject\s*\(\s*"(?:MSScriptControl\.)?ScriptControl(?:\.1)?"/i.exec(code);
  if (sc) {
    const run = /\.\s*(?:ExecuteStatement|Eval|Run|AddCode)\b\s*\(?([^\n]{0,300})/i.exec(code);
    ev.add(
      'capability',
      'hosts a script engine (MSScriptControl) that runs strings as code',
      run && (taint.touches(run[1]!) || /request/i.test(run[1]!)) ? 12 : 7,
      sc.index,
      sc[0].length,
    );
  }
  // XSLT with embedded script blocks run by the server
  // (the transform call first: its words are looked up in `lower`, the stylesheet's in the raw text)
  const transforms =
    (containsWord(lower, 'transformnode') || containsWord(lower, 'xslcompiledtransform') || containsWord(lower, 'xsltransform')) &&
    /transformNode|TransformNodeToObject|XslCompiledTransform|XslTransform/i.test(code);
  const xslt = transforms ? /<msxsl:script\b|msxsl:script/i.exec(ctx.text) : null;
  if (xslt) ev.add('capability', 'runs script embedded in an XSLT stylesheet (msxsl:script)', 9, xslt.index, 20);
  // UTF-7 code page: `+AHs-`-style escapes hide keywords from scanners and people
  const u7 = ctx.text.includes('65000') && /<%@[^%]{0,80}codepage\s*=\s*["']?65000/i.exec(ctx.text);
  if (u7) {
    ev.add('obfuscation', 'page declared as UTF-7 (code page 65000) to hide its code', 7, u7.index, u7[0].length);
    const decoded = ctx.text.replace(/\+([A-Za-z0-9/+]{0,20000})-?/g, (_m, b64: string) => utf7Run(b64));
    if (decoded !== ctx.text) ctx.layers.push({ text: decoded, offset: u7.index, how: 'UTF-7 escapes decoded', language: 'asp' });
  }
  const enc = ctx.text.includes('#@~^') ? /#@~\^[A-Za-z0-9+/]{6}==/.exec(ctx.text) : null;
  if (enc) ev.add('obfuscation', 'script encoded with the Microsoft Script Encoder', 6, enc.index, 12);
  // server-side include of a file with a harmless extension: code kept where scanners and people do not look
  const ssi = firstAt(HIDDEN_INCLUDE, ctx.text, literalOffsets(ctx.text, '<!--'));
  if (ssi) ev.add('obfuscation', 'server-side include of a file with a non-script extension (code hidden under a harmless name)', 5, ssi.index, ssi[0].length);
  const fso = shellObj && hasRequest ? /CreateObject\s*\(\s*"Scripting\.FileSystemObject"/i.exec(code) : null;
  if (fso) ev.add('capability', 'file system and shell access behind request input (file manager)', 3, fso.index, fso[0].length);
}

/** The first call of JScript's Function constructor whose arguments the request reaches. */
function functionConstructor(code: string, taint: Taint): { m: RegExpExecArray; args: string } | undefined {
  for (const m of functionCtorCalls(code)) {
    const args = callArgs(code, m.index + m[0].length - 1);
    if (taint.touches(args)) return { m, args };
  }
  return undefined;
}

/**
 * A script or program the page writes to disk and then starts through the Windows shell
 * (`CreateTextFile("c:\\net.vbs")` ... `.Run "c:\\net.vbs"`): a dropper that runs what it drops.
 */
function writtenThenRun(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const written = new Set<string>();
  for (const m of matches(/\b(?:CreateTextFile|SaveToFile)\b\s*\(?\s*"([^"\n]{1,200}\.(?:vbs|vbe|js|jse|wsf|bat|cmd|exe|ps1))"/gi, code, 50)) written.add(m[1]!.toLowerCase());
  if (written.size === 0) return;
  for (const m of matches(/\.\s*(?:Run|Exec|ShellExecute)\b\s*\(?\s*"([^\n]{1,300})/gi, code, 50)) {
    const line = m[1]!.toLowerCase();
    if ([...written].some((w) => line.includes(w))) {
      ev.add('capability', 'writes a script or program to disk and runs it through the Windows shell (dropper)', 8, m.index, m[0].length);
      return;
    }
  }
}

/**
 * A fetched URL variable every assignment of which starts with the page's own prefix (a literal
 * or a variable the request does not reach): `FromURL = sPath & "list.asp?id=" & id` fetches the
 * site's own page with a request-chosen id (a static-page generator), not a requester's URL.
 */
function fixedUrlPrefix(code: string, arg: string, taint: Taint, depth = 0): boolean {
  // the URL variable, or the one that starts it (`base & "list.asp"`)
  const name = /^\s*\(?\s*([A-Za-z_]\w{0,254})\s*(?:[,)&]|$)/.exec(arg)?.[1];
  if (!name || /^Request$/i.test(name)) return false;
  const rhs = [...matches(new RegExp(`(?:^|[\\n:])[ \\t]*${name}[ \\t]*=[ \\t]*(${RHS})`, 'gi'), code, 50)].map((m) => m[1]!.trim());
  // a parameter of one of the page's functions: the URL is what every caller passes
  // (`GetBody(url)` called as `GetBody(sosoUrl)` with `sosoUrl = "http://site/q?w=" & key`)
  if (rhs.length === 0) return depth < 3 && callersPassFixedUrls(code, name, taint, depth + 1);
  return rhs.every((r) => {
    // a literal URL, or the site's own address (`"http://" & Request.ServerVariables("SERVER_NAME") & ...`)
    if (/^"[^"\n]*"$/.test(r) || OWN_HOST.test(r)) return true;
    const head = /^(?:"[^"\n]*"|[A-Za-z_]\w*)/.exec(r)?.[0];
    return (
      head !== undefined &&
      /&/.test(r) &&
      (head.startsWith('"') ? /^"(?:https?:\/\/[^"/]+\/|\/|\.\.?\/|[\w-]+\.asp)/i.test(head) : !taint.touches(head) && !/^Request$/i.test(head))
    );
  });
}

/** A URL on the server's own host name. */
const OWN_HOST = /^"https?:\/\/"\s*&\s*Request\s*\.\s*ServerVariables\s*\(\s*"(?:SERVER_NAME|HTTP_HOST|LOCAL_ADDR)"\s*\)/i;

/** VBScript right-hand side to the statement's end, string literals read whole (`:` and `;` inside them do not end it). */
const RHS = '(?:"[^"\\n]{0,300}"|[^\\n:"]){1,300}';

/** Whether `param` is a parameter of a page function every call of which passes a fixed-prefix URL in its place. */
function callersPassFixedUrls(code: string, param: string, taint: Taint, depth: number): boolean {
  const def = /\b(?:Function|Sub)[ \t]+([A-Za-z_]\w{0,254})[ \t]*\(([^)\n]{0,200})\)/gi;
  for (const d of matches(def, code, 500)) {
    const params = d[2]!.split(',').map((p) =>
      p
        .trim()
        .replace(/^(?:ByVal|ByRef)\s+/i, '')
        .toLowerCase(),
    );
    const k = params.indexOf(param.toLowerCase());
    if (k === -1) continue;
    const calls = [...matches(new RegExp(`(?<![\\w.])${d[1]}[ \\t]*\\(`, 'gi'), code, 50)].filter((c) => c.index !== d.index + d[0].indexOf(d[1]!));
    if (calls.length === 0) return false;
    return calls.every((c) => {
      const a = callArgs(code, c.index + c[0].length - 1).split(',')[k];
      return a !== undefined && (/^\s*"(?:https?:\/\/[^"/]+\/|\/)/i.test(a) || fixedUrlPrefix(code, a, taint, depth));
    });
  }
  return false;
}

/** Extensions a page writes that no server runs: a static-page generator's output. */
const STATIC_EXT = /&\s*"[^"\n]{0,40}\.(?:html?|shtml|txt|xml|css|json|log|js|jpg|gif|png)"\s*$/i;

/**
 * A written path the page, not the requester, decides: a variable whose assignments end with a
 * fixed static extension (`FilePath = FilePath & ".html"`: the request picks a page number, the
 * file stays HTML), or a parameter of an upload class method the page never calls (the library's
 * caller decides where uploads go; upload components are ordinary).
 */
function pageChosenPath(code: string, at: number, args: string): boolean {
  const name = /^\s*\(?\s*([A-Za-z_]\w{0,254})\s*[,)]/.exec(args)?.[1];
  if (!name) return false;
  const rhs = [...matches(new RegExp(`(?:^|[\\n:])[ \\t]*${name}[ \\t]*=[ \\t]*([^\\n:]{1,300})`, 'gi'), code, 50)].map((m) => m[1]!.replace(/\s*'.*$/, '').trim());
  if (rhs.some((r) => STATIC_EXT.test(r)) && !rhs.some((r) => /\.(?:asp|asa|cer|cdx|aspx|php|jsp)"/i.test(r))) return true;
  const defs = [...matches(/\b(?:Function|Sub)[ \t]+([A-Za-z_]\w{0,254})[ \t]*\(([^)\n]{0,200})\)/gi, code.slice(0, at), 500)];
  const def = defs[defs.length - 1];
  if (!def || !/\bClass[ \t]+\w/i.test(code) || /\bEnd[ \t]+(?:Function|Sub)\b/i.test(code.slice(def.index, at))) return false;
  const params = def[2]!.split(',').map((p) =>
    p
      .trim()
      .replace(/^(?:ByVal|ByRef)\s+/i, '')
      .toLowerCase(),
  );
  if (!params.includes(name.toLowerCase())) return false;
  const calls = code.match(new RegExp(`\\.\\s*${def[1]}\\b|(?<![\\w.])${def[1]}\\b`, 'gi'))?.length ?? 0;
  return calls <= 1;
}

/**
 * Whether `name` is assigned an HTTP response: `.ResponseText` / `.ResponseBody` directly, or
 * the result of one of the page's functions that returns one (`aspCode = GetPage(url)`).
 */
function fetchedCode(code: string, lower: string, name: string): boolean {
  if (!hasHttpClient(lower) || !/XMLHTTP|WinHttp/i.test(code)) return false;
  const fetchers = new Set<string>();
  for (const m of matches(/\bFunction[ \t]+([A-Za-z_]\w{0,254})\b([\s\S]{0,1500}?)\bEnd[ \t]+Function\b/gi, code, 300))
    if (/\.\s*Response(?:Text|Body)\b/i.test(m[2]!) && /XMLHTTP|WinHttp|\.\s*Send\b/i.test(m[2]!)) fetchers.add(m[1]!.toLowerCase());
  const esc = name.replace(/\W/g, '');
  for (const m of matches(new RegExp(`(?:^|[\\n:])[ \\t]*${esc}[ \\t]*=[ \\t]*([^\\n:]{1,300})`, 'gi'), code, 50)) {
    const rhs = m[1]!;
    if (/\.\s*Response(?:Text|Body)\b/i.test(rhs)) return true;
    const callee = /^\s*([A-Za-z_]\w{0,254})\s*\(/.exec(rhs)?.[1]?.toLowerCase();
    if (callee && fetchers.has(callee)) return true;
  }
  return false;
}

/** One UTF-7 shifted run (`+AGUAdgBh-`): modified base64 of UTF-16BE; `+-` is a plus sign. */
function utf7Run(b64: string): string {
  if (b64 === '') return '+';
  const bytes = Buffer.from(b64, 'base64');
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  let out = '';
  for (let i = 0; i < even.length; i += 2) out += String.fromCharCode((even[i]! << 8) | even[i + 1]!);
  return out;
}

/**
 * After a register_globals import, a variable the page declares (`Dim`) but never assigns can
 * only hold what the requester sent under its name: those are request data, and whatever the
 * page derives from them follows (the taint's own propagation). A variable the page assigns
 * keeps the page's value where it is read, so it is left to the ordinary flow.
 */
function importedGlobals(code: string, taint: Taint): void {
  const declared = new Set<string>();
  for (const m of matches(/(?:^|[\n:])[ \t]*(?:Dim|Public|Private)[ \t]+([A-Za-z_][\w \t,]{0,2000})/gi, code, 200))
    for (const raw of m[1]!.split(',')) {
      const name = raw.trim();
      if (/^[A-Za-z_]\w{0,254}$/.test(name) && !/^(?:Sub|Function|Const|Property|Class)$/i.test(name)) declared.add(name);
    }
  const assigned = new Set([...taint.assignments.keys()].map((k) => k.toLowerCase()));
  let added = 0;
  for (const name of declared) {
    if (assigned.has(name.toLowerCase())) continue;
    taint.vars.add(name);
    taint.direct.add(name);
    added++;
  }
  if (added > 0) taint.propagate();
}

/**
 * Execute / ExecuteGlobal / Eval (and JScript eval): the requester's text run as code is a shell;
 * a request value spliced into fixed code (`Execute("Call Install_" & name & "()")`) is code
 * injection in an application; fixed strings are ordinary. String literals are read as code,
 * not as data: `Execute(name & "=Request.Form(" & q & name & q & ")")` runs the page's own code.
 * Constant and character-built code is handed on as a decoded layer, so an obfuscated
 * `Execute(Request(...))` is judged by what it runs.
 */
function executeSinks(ctx: AnalyzerContext, taint: Taint, readers: string): void {
  // every report below starts from a call of Execute/ExecuteGlobal/Eval, directly or inside one
  // of the page's wrappers (pageFunctions' evaluators): a page naming neither word has none
  // (the patterns are case-blind over ASCII, and `lower` keeps every ASCII letter of `code`)
  if (!containsWord(ctx.lower, 'eval') && !containsWord(ctx.lower, 'execute')) return;
  const { code, ev } = ctx;
  // a page (or its class) that defines its own Execute/Eval calls that, not the VBScript statement
  const own = new Set<string>();
  for (const m of procedureMatches(OWN_EVALUATOR, ctx, 10)) own.add(m[1]!.toLowerCase());
  const envBudget = { left: 20 };
  const fns = containsWord(ctx.lower, 'function') && /\bfunction\b/i.test(code) ? pageFunctions(code, ctx.lower) : NO_FUNCTIONS;
  evalWrappers(ctx, taint, fns);
  let runs: RunCode[] | undefined;
  const keyedReads = readers === DEFAULT_READERS ? KEYED_READS : keyedReadsOf(readers);
  for (const m of matches(/(?<![\w.])(Execute|ExecuteGlobal|Eval)\b[ \t]*(\(?)([^\n]{0,300})/gi, code, 500)) {
    const name = m[1]!;
    if (own.has(name.toLowerCase())) continue;
    // (and `Set SaveToFile = ...` is that method setting its return value)
    if (/(?:Function|Sub)[ \t]+$/i.test(code.slice(Math.max(0, m.index - 12), m.index)) || /^=(?!=)/.test(m[1]!)) continue;
    // VBScript `:` separates statements: `Execute code : Foo(err)` runs only `code`
    // (the statement ends at `%>` too; the opening parenthesis belongs to the argument)
    const arg = firstStatement(m[2] + m[3]!.split('%>')[0]!);
    if (!m[2] && !/^(?:[ \t]+\S|")/.test(m[0].slice(name.length))) continue; // a bare word, not a call
    // SQL handed to a data-access helper named Execute, not VBScript
    if (/^\s*\(?\s*"\s*(?:select|insert|update|delete|exec|create|drop|alter)\s/i.test(arg)) continue;
    // the key of `Request("cmd")` is a name, not code around the request value
    const literals = arg.replace(keyedReads, 'Request').match(/"(?:[^"\n]|"")*"|'[^'\n]*'/g) ?? [];
    // session keys stay: a session value the request filled is a source of its own
    // (a server variable the client writes stays a read once its name is blanked)
    const bare = arg
      .replace(SERVER_VARIABLE, (sv) => (taint.hasSource(sv) ? 'Request("")' : '""'))
      .replace(/(\bSession\s*\(\s*"[\w.-]{1,40}"\s*\))|"(?:[^"\n]|"")*"|'[^'\n]*'/gi, (_all, keep: string | undefined) => keep ?? '""');
    const fixedCode = literals.some((l) => /[\w(=]/.test(l.slice(1, -1)));
    const value = foldArgument(code, arg, m.index, envBudget, fns);
    if (value && 'request' in value) {
      ev.add('flow', `request input reaches ${name} (request named by an evaluated constant)`, 12, m.index, m[0].length);
      continue;
    }
    let folded = value?.text;
    let how = `code passed to ${name} as a constant`;
    let decoded = false;
    // code a function of the page computes (a decoder loop over Mid/Asc/Chr, a key, a split):
    // the page's constant part is run once and what it hands to this call is the code
    if (folded === undefined && !taint.touches(bare) && /^\s*\(?\s*[A-Za-z_]\w*/.test(arg) && !isJscriptPage(ctx.text)) {
      runs ??= evaluatedCode(code);
      // a decoder run with a wrong key or a cut-short cipher yields noise, not code: the page
      // stays a decoder feeding Execute
      const hit = runs.find((r) => r.at === m.index && !isNoise(r.text));
      if (hit) {
        folded = hit.text;
        how = `code ${name} runs, decoded by running the page's own code`;
        // through one of the page's functions (a decoder), request-reading code is hidden code
        const callee = /^\s*\(?\s*([A-Za-z_]\w{0,254})\s*\(/.exec(arg)?.[1];
        decoded = callee !== undefined && new RegExp(`\\bFunction[ \\t]+${callee}\\b`, 'i').test(code);
      }
    }
    if (folded !== undefined && /[\w(]/.test(folded)) ctx.layers.push({ text: `<%${folded}%>`, offset: m.index, how, language: 'asp' });
    // character- or piece-built code that runs a request-derived variable: `Eval("exe" & "cute(c)")`
    // (for an expression folded in place or code out of the page's decoder function; code a loop
    // writes from the page's literals is judged as its layer, where `x = Request.Form("x")` is a read)
    const foldedBare = (decoded ? folded : value?.text)?.replace(/"(?:[^"\n]|"")*"/g, '""');
    if (foldedBare !== undefined && taint.touches(foldedBare) && !taint.touches(bare)) {
      const direct = taint.hasSource(foldedBare);
      ev.add('flow', `${direct ? 'request input' : 'request-derived variable'} reaches ${name} through code built from pieces`, direct ? 12 : 11, m.index, m[0].length);
    } else if (taint.touches(bare)) {
      const direct = taint.hasSource(bare);
      // (in a page of a few lines that includes nothing, the splice is the point: `Execute("a=" & Request("c"))`
      // runs `a=1:CreateObject(..).Run ..` for the requester, a loader dressed as an assignment)
      if (fixedCode) {
        const loader = ctx.size < 2048 && !/<!--\s*#include\b/i.test(ctx.text);
        if (loader) ev.add('flow', `request value spliced into code a page of a few lines runs with ${name} (loader)`, 10, m.index, m[0].length);
        else ev.add('flow', `request value spliced into code run by ${name} (code injection)`, 4, m.index, m[0].length);
      } else ev.add('flow', direct ? `request input reaches ${name}` : `request-derived variable reaches ${name}`, direct ? 12 : 11, m.index, m[0].length);
    } else if (folded !== undefined) {
      // constant code: the decoding is a transparent step, the layer's analysis judges what it runs
    } else if (/^\s*\(?\s*chr[wb]?\s*\(/i.test(arg)) ev.add('obfuscation', `${name} of a string built with Chr()`, 8, m.index, m[0].length);
    else if (/^\s*\(?\s*\w+\s*\(/.test(arg) && !/^\s*\(?\s*(?:Trim|CStr|LCase|UCase)\s*\(\s*"/i.test(arg) && !isArrayElement(code, arg))
      ev.add('obfuscation', `${name} of a string computed by a function (decoder)`, 6, m.index, m[0].length);
    else if (/^\s*\(?\s*[A-Za-z_]\w*\s*\)?\s*$/.test(arg) && fetchedCode(code, ctx.lower, arg.replace(/[\s()]/g, '')))
      ev.add('flow', `${name} runs code the page downloads from a web server (remote payload loader)`, 10, m.index, m[0].length);
    else if (/^\s*\(?\s*[A-Za-z_]\w*\s*\)?\s*$/.test(arg) && setElsewhere(code, ctx.size, arg.replace(/[\s()]/g, '')))
      ev.add('capability', `${name} of code the page never sets (a hook other files fill)`, 3, m.index, m[0].length);
    else if (/^\s*\(?\s*[A-Za-z_]\w*\s*\)?\s*$/.test(arg) || isArrayElement(code, arg)) ev.add('capability', `${name} of dynamic code`, 5, m.index, m[0].length);
  }
}

const OWN_EVALUATOR = /\b(?:Function|Sub)[ \t]+(Execute|ExecuteGlobal|Eval)\b/gi;

const SERVER_VARIABLE = /\bRequest\s*\.\s*ServerVariables\s*\(\s*"[^"\n]*"\s*\)/gi;

/** The names whose keyed reads are request values when the page keeps no alias of Request. */
const DEFAULT_READERS = 'Request|Session';
/**
 * A keyed read by one of `readers` (`Request.Form("cmd")`, `r("cmd")`, or a key the page
 * computes from a literal, `Request.Item(k("dmc"))`): the key is a name, not code.
 */
function keyedReadsOf(readers: string): RegExp {
  const lit = `(?:"(?:[^"\\n]|"")*"|'[^'\\n]*')`;
  return new RegExp(`\\b(?:${readers})\\s*(?:\\.\\s*\\w+\\s*)?(?:\\(\\s*(?:${lit}|\\w{1,40}\\s*\\(\\s*${lit}\\s*\\))\\s*\\)|\\[\\s*(?:"[^"\\n]*"|'[^'\\n]*')\\s*\\])`, 'gi');
}
const KEYED_READS = keyedReadsOf(DEFAULT_READERS);

/**
 * Request values kept in the session (`Session("dbstr") = Request("dbstr")`) come back as
 * request data on every later request: database client shells keep the connection string
 * there. The session keys a page fills from the request become sources of their own.
 */
function sessionCarried(ctx: AnalyzerContext, taint: Taint, spec: FlowSpec): Taint {
  const code = ctx.code;
  const keys = new Set<string>();
  for (const m of sessionSets(code, ctx.lower)) if (taint.touches(m[2]!)) keys.add(m[1]!);
  if (keys.size === 0) return taint;
  return new Taint(code, { ...spec, moreSources: sessionReads(keys) });
}

/**
 * The constant an Execute/Eval argument evaluates to: first on its own, then with the page's
 * constant variables at that point (replaying assignments is the costly part: a few sinks only).
 */
function foldArgument(code: string, arg: string, at: number, budget: { left: number }, fns: PageFunctions): Folded | undefined {
  const expr = arg.slice(0, statementEnd(arg, 0)).trim();
  const direct = foldExpr(expr, new Map(), fns);
  if (direct || !/[A-Za-z_]/.test(expr.replace(/"(?:[^"\n]|"")*"/g, '')) || budget.left <= 0) return direct;
  budget.left--;
  return foldExpr(expr, envAt(code, at), fns);
}

/**
 * Calls of the page's own eval wrappers (`function popup(s) { return eval(s, "unsafe") }`):
 * request data, or a constant that names the request, handed to one runs the requester's code;
 * a constant is code the page runs, analyzed as a layer.
 */
function evalWrappers(ctx: AnalyzerContext, taint: Taint, fns: PageFunctions): void {
  if (fns.evaluators.size === 0) return;
  const { code, ev } = ctx;
  const names = [...fns.evaluators].map((n) => n.replace(/[^\w]/g, '')).join('|');
  for (const m of matches(new RegExp(`(?<![\\w.])(${names})[ \\t]*\\(`, 'gi'), code, 200)) {
    if (/function[ \t]+$/i.test(code.slice(Math.max(0, m.index - 12), m.index))) continue;
    const args = callArgs(code, m.index + m[0].length - 1);
    // `popup(popup(Decode("...")))`: the inner run evaluates a hidden constant (`Request.Item["z"]`)
    // and its result, the requester's text, is run again; nothing but a payload fetch needs that
    if (new RegExp(`^\\s*(?:${names}|eval)[ \\t]*\\(`, 'i').test(args)) {
      ev.add('flow', `the result of evaluated code is run again by the page's wrapper ${m[1]}() (eval of eval)`, 11, m.index, m[0].length);
      return;
    }
    const value = foldExpr(args, new Map(), fns);
    const direct = (value !== undefined && 'request' in value) || taint.hasSource(args);
    if (direct || taint.touches(args)) {
      ev.add('flow', `${direct ? 'request input' : 'request-derived variable'} reaches eval through the page's wrapper ${m[1]}()`, direct ? 12 : 11, m.index, m[0].length);
      return;
    }
    if (value && 'text' in value && /[\w(]/.test(value.text))
      ctx.layers.push({ text: `<%${value.text}%>`, offset: m.index, how: `code passed to ${m[1]}() as a constant`, language: 'asp' });
  }
}

/**
 * `Execute(Handlers(i))` where Handlers is an array the page declares or fills (a plugin
 * registry): an element of the page's own list, not a decoder function's output.
 */
function isArrayElement(code: string, arg: string): boolean {
  if (lastElement?.code === code && lastElement.arg === arg) return lastElement.is;
  lastElement = { code, arg, is: arrayElement(code, arg) };
  return lastElement.is;
}

/** The last answer of isArrayElement: a sink's checks ask it twice for one argument. */
let lastElement: { code: string; arg: string; is: boolean } | undefined;

function arrayElement(code: string, arg: string): boolean {
  const name = /^\s*\(?\s*([A-Za-z_]\w{0,254})\s*\(/.exec(arg)?.[1];
  if (!name) return false;
  if (new RegExp(`\\b(?:Function|Sub)[ \\t]+${name}\\b`, 'i').test(code)) return false;
  return new RegExp(`\\b(?:Dim|ReDim(?:[ \\t]+Preserve)?)[ \\t]+(?:[\\w \\t,()]{0,200},[ \\t]*)?${name}[ \\t]*\\(|\\b${name}[ \\t]*=[ \\t]*(?:Array|Split)[ \\t]*\\(`, 'i').test(
    code,
  );
}

/** Whether offset `at` is inside a VBScript string literal of its line (an odd number of quotes before it). */
function insideString(code: string, at: number): boolean {
  const start = code.lastIndexOf('\n', at - 1) + 1;
  let q = 0;
  for (let i = start; i < at; i++) if (code.charCodeAt(i) === 34) q++;
  return q % 2 === 1;
}

/** VBScript text up to the first `:` statement separator outside a string literal. */
function firstStatement(s: string): string {
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) q = !q;
    else if (c === 58 && !q) return s.slice(0, i);
  }
  return s;
}

/** Text with control characters scattered through it (more than 1 in 50): bytes, not script. */
function isNoise(s: string): boolean {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) n++;
  }
  return n * 50 > s.length;
}
