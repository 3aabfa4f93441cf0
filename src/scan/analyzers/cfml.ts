/**
 * ColdFusion / CFML: request scopes (form, url, cookie, cgi) reaching cfexecute,
 * Evaluate, java.lang.Runtime via createObject, and cffile writes.
 */
import { isRegexSpace, type AnalyzerContext } from '../context.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { callArgs, splitTopArgs } from '../text.js';

export const CFML_FLOW: FlowSpec = {
  source: /(?<![\w.])(?:form|url|cookie)\s*(?:\.\s*\w+|\[)|\bcgi\s*\.\s*(?:query_string|http_\w+)|\bgetHTTPRequestData\s*\(/i,
  // same-line blanks after a separator only (see ASP_FLOW: `\s*` there is quadratic on a blank run)
  assign: /(?:<cfset\s+|<cfscript>\s*|\bvar\s+|[;{\n][^\S\n]*)([\w.]+)\s*=(?!=)\s*([^;\n>]{1,300}[\w.]*)/gi,
  varRef: /\b([A-Za-z_][\w.]*)\b/g,
  assignStarts: cfmlAssignStarts,
};

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
}

/**
 * Every offset where CFML_FLOW.assign can start, from the `=` signs: the name before one (a run
 * of word characters and dots, then blanks) follows same-line blanks after `;`, `{` or a line
 * break, blanks after `var` or `<cfset`, or any blanks after `<cfscript>`. Anchored at these offsets the pattern finds what a
 * global scan finds, without being tried at every separator of the page.
 */
export function cfmlAssignStarts(code: string): number[] {
  const out: number[] = [];
  for (let k = code.indexOf('='); k !== -1; k = code.indexOf('=', k + 1)) {
    let j = k - 1;
    while (j >= 0 && isRegexSpace(code.charCodeAt(j))) j--;
    const end = j;
    while (j >= 0 && isNameChar(code.charCodeAt(j))) j--;
    if (j + 1 > end) continue;
    // `;`, `{` or a line break, then same-line blanks
    let h = j;
    while (h >= 0 && code.charCodeAt(h) !== 10 && isRegexSpace(code.charCodeAt(h))) h--;
    const c = code.charCodeAt(h);
    if (c === 59 || c === 123 || c === 10) out.push(h);
    let b = j;
    while (b >= 0 && isRegexSpace(code.charCodeAt(b))) b--;
    // `<cfscript>`, then any blanks
    if (b >= 9 && code.charCodeAt(b) === 62 && code.slice(b - 9, b + 1).toLowerCase() === '<cfscript>') out.push(b - 9);
    // `var` or `<cfset`, then blanks
    if (b === j) continue;
    if (b >= 2 && code.slice(b - 2, b + 1).toLowerCase() === 'var') out.push(b - 2);
    if (b >= 5 && code.slice(b - 5, b + 1).toLowerCase() === '<cfset') out.push(b - 5);
  }
  out.sort((x, y) => x - y);
  return out.filter((v, i) => i === 0 || v !== out[i - 1]);
}

/**
 * The part of an Evaluate()/iif() call whose text CFML runs as code, from the call's `(` at
 * `open`: iif's condition is an ordinary value (only its two branches are evaluated), and
 * `de(x)` hands the evaluator x as a quoted string, which evaluates to x itself, not to code
 * (`iif(n GT url.start, de(url.start), de(n))` picks a value). `evaluate("form.#name#")` only
 * reads a field by a computed name; code comes from the value.
 */
export function evaluatedText(code: string, open: number, iif: boolean): string {
  let args = callArgs(code, open, 400);
  // (not closed in reach: the name it stops in is read whole, VBScript-style names run long)
  if (code[open + 1 + args.length] !== ')') args += /^[\w.]*/.exec(code.slice(open + 1 + args.length, open + 20000))![0];
  const parts = splitTopArgs(args);
  return (
    (iif ? parts.slice(1) : parts)
      // (an evaluator inside runs what de() hands it: `evaluate(evaluate(de(url.c)))`)
      .map((p) => (/\b(?:Evaluate|PrecisionEvaluate|iif)\s*\(/i.test(p) ? p : withoutDe(p)).replace(/(["'])(?:form|url|cookie)\.[^"']*\1/gi, '""'))
      .join(',')
  );
}

/** `text` with the arguments of its `de()` calls left out (`de("")` stays: a literal). */
function withoutDe(text: string): string {
  const re = /(?<![\w.])de\s*\(/gi;
  let out = '';
  let from = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const open = m.index + m[0].length - 1;
    const inner = callArgs(text, open);
    out += `${text.slice(from, open + 1)}""`;
    from = Math.min(text.length, open + 1 + inner.length);
    re.lastIndex = from;
  }
  return out + text.slice(from);
}

export function analyzeCfml(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const taint = new Taint(code, CFML_FLOW);
  const readsRequest = CFML_FLOW.source.test(code) || /IsDefined\s*\(\s*["'](?:form|url|cookie)\./i.test(code);
  for (const m of matches(/<cfexecute\b([^>]{0,400}[\w.]*)>?|\bcfexecute\s*\(([^)]{0,400}[\w.]*)/gi, code, 100)) {
    const attrs = m[1] ?? m[2] ?? '';
    if (taint.touches(attrs) || unscopedRequestVar(code, attrs)) ev.add('flow', 'request input reaches cfexecute', 12, m.index, m[0].length);
    else ev.add('capability', 'runs OS commands (cfexecute)', 4, m.index, m[0].length);
    if (readsRequest) ev.add('flow', 'OS command execution in a page that reads request input', 4, m.index, m[0].length);
  }
  // cfquery whose SQL text is a request field: an SQL console
  for (const m of matches(/<cfquery\b([^>]{0,300})>([\s\S]{0,400}?)<\/cfquery>/gi, code, 100)) {
    const body = m[2]!.trim();
    if (!/^#\s*(?:form|url)\.\w+\s*#$/i.test(body)) continue;
    const dsn = /datasource\s*=\s*["']?#\s*(?:form|url)\./i.test(m[1]!);
    ev.add(
      'flow',
      dsn ? 'request chooses the database connection and the SQL it runs (database client backdoor)' : 'request input is the whole SQL text of a query (SQL console)',
      dsn ? 9 : 6,
      m.index,
      30,
    );
  }
  const rt = /createObject\s*\(\s*["']java["']\s*,\s*["']java\.lang\.(?:Runtime|ProcessBuilder)["']/i.exec(code);
  if (rt) ev.add('capability', 'reaches java.lang.Runtime/ProcessBuilder from CFML', 8, rt.index, rt[0].length);
  for (const m of matches(/\b(Evaluate|PrecisionEvaluate|iif)\s*\(/gi, code, 200)) {
    const arg = evaluatedText(code, m.index + m[0].length - 1, m[1]!.toLowerCase() === 'iif');
    if (taint.touches(arg)) ev.add('flow', 'request input reaches Evaluate()', 12, m.index, m[0].length);
  }
  for (const m of matches(/<cffile\b([^>]{0,400}[\w.]*)>/gi, code, 200)) {
    const a = m[1]!;
    if (/action\s*=\s*["']?(?:write|upload|append)/i.test(a) && taint.touches(a.replace(/filefield\s*=\s*["'][^"']*["']/i, ''))) {
      // the requester names the file and writes its text: any page, a .cfm script included
      const both = taint.touches(attr(a, 'file')) && taint.touches(attr(a, 'output'));
      ev.add(
        'flow',
        both ? 'request chooses both the file cffile writes and its content (uploader)' : 'request chooses a file (or its content) that cffile writes',
        both ? 10 : 6,
        m.index,
        m[0].length,
      );
    }
  }
  cfmlFileManager(ctx, taint);
  const jdbc = /<cfquery\b[^>]{0,200}(?:datasource|dbtype)\s*=\s*["']?#\s*(?:form|url)\./i.exec(code);
  if (jdbc) ev.add('flow', 'request chooses the datasource of a query', 3, jdbc.index, 30);
}

/** `#cmd#` with no scope: CFML looks it up in FORM/URL too; the page checks FORM.cmd. */
function unscopedRequestVar(code: string, attrs: string): boolean {
  for (const m of attrs.matchAll(/#\s*([A-Za-z_]\w*)\s*#/g)) {
    const name = m[1]!;
    const assigned = new RegExp(`<cfset\\s+(?:variables\\.)?${name}\\s*=|\\b(?:var\\s+)?${name}\\s*=(?!=)|<cfparam\\s+name\\s*=\\s*["']${name}["']`, 'i').test(code);
    if (!assigned && new RegExp(`(?:form|url)\\.${name}\\b`, 'i').test(code)) return true;
  }
  return false;
}

/** The value of attribute `name` in a tag's attribute text ('' when absent). */
function attr(attrs: string, name: string): string {
  return new RegExp(`\\b${name}\\s*=\\s*("[^"]*"|'[^']*'|[^\\s>]+)`, 'i').exec(attrs)?.[1] ?? '';
}

/** cffile actions that read a file out or change the file system. */
const CFFILE_OPS = /^(?:read|readbinary|delete|copy|move|rename)$/;

/**
 * A remote file manager in CFML: the request names the folder `<cfdirectory>` lists and the
 * files `<cffile>` reads, deletes, copies or moves (or the script functions doing the same).
 * Applications list and read their own folders, built from configuration and fixed paths.
 */
function cfmlFileManager(ctx: AnalyzerContext, taint: Taint): void {
  const { code, ev } = ctx;
  const kinds = new Set<string>();
  let first = -1;
  const hit = (kind: string, at: number) => {
    kinds.add(kind);
    if (first === -1 || at < first) first = at;
  };
  for (const m of matches(/<cfdirectory\b([^>]{0,400}[\w.]*)>/gi, code, 200)) {
    const action = attr(m[1]!, 'action').replace(/["']/g, '').toLowerCase() || 'list';
    if (taint.touches(attr(m[1]!, 'directory'))) hit(action === 'list' ? 'list' : `directory ${action}`, m.index);
  }
  for (const m of matches(/<cffile\b([^>]{0,400}[\w.]*)>/gi, code, 200)) {
    const action = attr(m[1]!, 'action').replace(/["']/g, '').toLowerCase();
    if (CFFILE_OPS.test(action) && (taint.touches(attr(m[1]!, 'file')) || taint.touches(attr(m[1]!, 'source')))) hit(action, m.index);
  }
  for (const m of matches(/\b(directoryList|fileRead|fileReadBinary|fileDelete|fileCopy|fileMove|directoryDelete)\s*\(([^)]{0,300}[\w.]*)/gi, code, 200)) {
    const kind = m[1]!.toLowerCase() === 'directorylist' ? 'list' : m[1]!.toLowerCase();
    if (taint.touches(m[2]!)) hit(kind, m.index);
  }
  if (kinds.size === 0) return;
  const lists = kinds.has('list');
  const readsOrChanges = [...kinds].some((k) => k !== 'list');
  // an application page pulls in its own templates; a standalone page browsing and reading
  // whatever folder the requester names is the tool itself
  const standalone = !/<cfinclude\b|<cfmodule\b/i.test(code);
  // one operation on a request-named path is what a download page or a test fixture does: context only
  const w = lists && readsOrChanges && standalone ? 10 : 3;
  ev.add('flow', `request chooses file-system paths the page passes to ${[...kinds].slice(0, 4).join(', ')} (file manager)`, w, first, 30);
}
