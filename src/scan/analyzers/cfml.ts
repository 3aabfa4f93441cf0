/**
 * ColdFusion / CFML: request scopes (form, url, cookie, cgi) reaching cfexecute,
 * Evaluate, java.lang.Runtime via createObject, and cffile writes.
 */
import type { AnalyzerContext } from '../context.js';
import { Taint, matches, type FlowSpec } from '../flow.js';

export const CFML_FLOW: FlowSpec = {
  source: /(?<![\w.])(?:form|url|cookie)\s*(?:\.\s*\w+|\[)|\bcgi\s*\.\s*(?:query_string|http_\w+)|\bgetHTTPRequestData\s*\(/i,
  // same-line blanks after a separator only (see ASP_FLOW: `\s*` there is quadratic on a blank run)
  assign: /(?:<cfset\s+|\bvar\s+|[;{\n][^\S\n]*)([\w.]+)\s*=(?!=)\s*([^;\n>]{1,300})/gi,
  varRef: /\b([A-Za-z_][\w.]*)\b/g,
};

export function analyzeCfml(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const taint = new Taint(code, CFML_FLOW);
  const readsRequest = CFML_FLOW.source.test(code) || /IsDefined\s*\(\s*["'](?:form|url|cookie)\./i.test(code);
  for (const m of matches(/<cfexecute\b([^>]{0,400})>?|\bcfexecute\s*\(([^)]{0,400})/gi, code, 100)) {
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
  for (const m of matches(/\b(?:Evaluate|PrecisionEvaluate|iif)\s*\(([^)]{0,300})/gi, code, 200)) {
    // evaluate("form.#name#") only reads a field by a computed name; code comes from the value
    const arg = m[1]!.replace(/(["'])(?:form|url|cookie)\.[^"']*\1/gi, '""');
    if (taint.touches(arg)) ev.add('flow', 'request input reaches Evaluate()', 12, m.index, m[0].length);
  }
  for (const m of matches(/<cffile\b([^>]{0,400})>/gi, code, 200)) {
    const a = m[1]!;
    if (/action\s*=\s*["']?(?:write|upload|append)/i.test(a) && taint.touches(a.replace(/filefield\s*=\s*["'][^"']*["']/i, ''))) {
      ev.add('flow', 'request chooses a file (or its content) that cffile writes', 6, m.index, m[0].length);
    }
  }
  const jdbc = /<cfquery\b[^>]{0,200}(?:datasource|dbtype)\s*=\s*["']?#\s*(?:form|url)\./i.exec(code);
  if (jdbc) ev.add('flow', 'request chooses the datasource of a query', 3, jdbc.index, 30);
}

/** `#cmd#` with no scope: CFML looks it up in FORM/URL too; the page checks FORM.cmd. */
function unscopedRequestVar(code: string, attrs: string): boolean {
  for (const m of attrs.matchAll(/#\s*([A-Za-z_]\w{0,40})\s*#/g)) {
    const name = m[1]!;
    const assigned = new RegExp(`<cfset\\s+(?:variables\\.)?${name}\\s*=|\\b(?:var\\s+)?${name}\\s*=(?!=)|<cfparam\\s+name\\s*=\\s*["']${name}["']`, 'i').test(code);
    if (!assigned && new RegExp(`(?:form|url)\\.${name}\\b`, 'i').test(code)) return true;
  }
  return false;
}
