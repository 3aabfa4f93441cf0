/**
 * ColdFusion / CFML: request scopes (form, url, cookie, cgi) reaching cfexecute,
 * Evaluate, java.lang.Runtime via createObject, and cffile writes.
 */
import type { AnalyzerContext } from '../context.js';
import { Taint, matches, type FlowSpec } from '../flow.js';

export const CFML_FLOW: FlowSpec = {
  source: /(?<![\w.])(?:form|url|cookie)\s*(?:\.\s*\w+|\[)|\bcgi\s*\.\s*(?:query_string|http_\w+)|\bgetHTTPRequestData\s*\(/i,
  assign: /(?:<cfset\s+|\bvar\s+|[;{\n]\s*)([\w.]+)\s*=(?!=)\s*([^;\n>]{1,300})/gi,
  varRef: /\b([A-Za-z_][\w.]*)\b/g,
};

export function analyzeCfml(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const taint = new Taint(code, CFML_FLOW);
  for (const m of matches(/<cfexecute\b([^>]{0,400})>?|\bcfexecute\s*\(([^)]{0,400})/gi, code, 100)) {
    const attrs = m[1] ?? m[2] ?? '';
    if (taint.touches(attrs)) ev.add('flow', 'request input reaches cfexecute', 12, m.index, m[0].length);
    else ev.add('capability', 'runs OS commands (cfexecute)', 4, m.index, m[0].length);
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
