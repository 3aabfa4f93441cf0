/**
 * Backdoors planted into applications (theme functions.php, plugin files) guard their
 * operations with a secret the operator sends: a request value compared with a hard-coded
 * hash-like literal. Behind that gate they rewrite the site's content through its database
 * (link injection, doorway pages). The gate alone is weak; the gate plus request data written
 * into the database by raw SQL is the WP-VCD-style content backdoor.
 */
import type { AnalyzerContext } from '../context.js';

/** The raw request value equal to a literal of 32–64 hex digits (an MD5/SHA shaped secret). */
const RAW_GATE = /\$_(?:GET|POST|REQUEST|COOKIE)\s*\[[^\]\n]{1,40}\]\s*[!=]==?\s*['"][0-9a-f]{32,64}['"]|['"][0-9a-f]{32,64}['"]\s*[!=]==?\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
const GATE_REASON = 'request parameter checked against a hard-coded hash (backdoor password gate)';
/** Raw SQL that changes rows, with request data spliced into it. */
const SQL_WRITE_FROM_REQUEST = /(?:->\s*query|\bmysqli?_query)\s*\(\s*['"](?:UPDATE|INSERT|DELETE|REPLACE)\b[^;]{0,600}\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;

export function analyzeGates(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!code.includes('$_')) return;
  let gated = ev.has(GATE_REASON);
  if (!gated) {
    const m = RAW_GATE.exec(code);
    if (m) {
      ev.add('capability', GATE_REASON, 3, m.index, m[0].length);
      gated = true;
    }
  }
  if (!gated) return;
  const w = SQL_WRITE_FROM_REQUEST.exec(code);
  if (w) ev.add('flow', 'behind the password gate, request data is written into the site database by raw SQL (content injection)', 4, w.index, 40);
}
