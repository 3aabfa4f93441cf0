/**
 * Backdoors planted into applications (theme functions.php, plugin files) guard their
 * operations with a secret the operator sends: a request value, or its hash, compared with a
 * hard-coded literal (applications check passwords against stored hashes, not literals in the
 * code). Behind that gate they rewrite the site's content through its database (link
 * injection, doorway pages). The gate alone is weak; the gate plus request data written into
 * the database by raw SQL is the WP-VCD-style content backdoor.
 */
import type { AnalyzerContext } from '../../context.js';

/** md5/sha1/crc32/hash() of a request value compared with a hex literal. */
const HASHED_GATE =
  /\b(?:md5|sha1|crc32|hash\s*\(\s*['"]\w+['"]\s*,)\s*\(?\s*\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]]{1,40}\]\s*\)\s*[!=]==?\s*['"][0-9a-f]{8,64}['"]|['"][0-9a-f]{32,64}['"]\s*[!=]==?\s*(?:md5|sha1)\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE)/i;
/** The raw request value equal to a literal of 32–64 hex digits (an MD5/SHA shaped secret). */
const RAW_GATE = /\$_(?:GET|POST|REQUEST|COOKIE)\s*\[[^\]\n]{1,40}\]\s*[!=]==?\s*['"][0-9a-f]{32,64}['"]|['"][0-9a-f]{32,64}['"]\s*[!=]==?\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
/** What every match of HASHED_GATE and RAW_GATE holds. */
const HEX_LITERAL = /['"][0-9a-f]{8}/i;
const GATE_REASON = 'request parameter checked against a hard-coded hash (backdoor password gate)';
/** Raw SQL that changes rows, with request data spliced into it. */
const SQL_WRITE_FROM_REQUEST = /(?:->\s*query|\bmysqli?_query)\s*\(\s*['"](?:UPDATE|INSERT|DELETE|REPLACE)\b[^;]{0,600}\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;

/** The password gate, hashed form first; run for scripts that read the request (both forms do). */
export function passwordGate(ctx: AnalyzerContext): void {
  // every alternative of both ends on or opens with a quoted run of 8 or more hex digits: the
  // one-quote-led pattern rules most pages out before the long alternations are tried everywhere
  if (!HEX_LITERAL.test(ctx.code)) return;
  const gate = HASHED_GATE.exec(ctx.code) ?? RAW_GATE.exec(ctx.code);
  if (gate) ctx.ev.add('capability', GATE_REASON, 3, gate.index, gate[0].length);
}

/** Behind a gate found by passwordGate(): request data written into the database by raw SQL. */
export function analyzeGates(ctx: AnalyzerContext): void {
  if (!ctx.ev.has(GATE_REASON)) return;
  const w = SQL_WRITE_FROM_REQUEST.exec(ctx.code);
  if (w) ctx.ev.add('flow', 'behind the password gate, request data is written into the site database by raw SQL (content injection)', 7, w.index, 40);
}
