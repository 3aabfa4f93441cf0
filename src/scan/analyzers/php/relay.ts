/**
 * Relays: a small page that takes the whole posted request and sends it on to another
 * server, handing back the answer. Put in front of a shell on a second host, it hides the
 * real shell's address and lets the operator rewrite what WAFs look for (`base64_decode(`)
 * on the way. Applications forward single fields to known APIs, not the whole request.
 */
import { callIndex, type AnalyzerContext } from '../../context.js';
import type { Taint } from '../../flow.js';

const WHOLE_REQUEST = /\$\w+\s*=\s*\$_(?:POST|REQUEST)\s*;|\bforeach\s*\(\s*\$_(?:POST|REQUEST)\s+as\b|http_build_query\s*\(\s*\$_(?:POST|REQUEST)\s*\)/;
const FIXED_URL = /['"]https?:\/\/[^'"\s]{4,200}['"]/;

export function analyzeRelay(ctx: AnalyzerContext): void {
  if (ctx.size > 8192) return;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['curl_exec', 'file_get_contents', 'fsockopen', 'stream_socket_client', 'fopen'])) return;
  if (!calls.hasAnyOf(['http_build_query', 'curl_setopt', 'stream_context_create', 'fwrite', 'fputs'])) return;
  const { code, ev } = ctx;
  const whole = WHOLE_REQUEST.exec(code);
  if (!whole || !FIXED_URL.test(code) || !/\b(?:echo|print|exit|die)\b/.test(code)) return;
  ev.add('flow', 'forwards the whole posted request to another server and returns its answer (relay)', 6, whole.index, whole[0].length);
}

/**
 * The fetched page's links rewritten to come back through this script with the target in a
 * parameter (`src="' . $_SERVER['PHP_SELF'] . '?url=..."`): a browsing proxy (PHProxy/Glype
 * style). Planted on a server, it lets anyone browse from it and hides where they came from.
 */
const LINK_REWRITE = /(?:src|href|action)[^;\n]{0,60}\$_SERVER\s*\[\s*['"](?:PHP_SELF|SCRIPT_NAME|REQUEST_URI)['"]\s*\]\s*\.\s*['"]\?(\w{1,30})=/i;

export function browsingProxy(ctx: AnalyzerContext, taint: Taint): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['fopen', 'file_get_contents', 'curl_exec', 'fsockopen', 'readfile', 'file'])) return;
  if (!calls.hasAnyOf(['preg_replace', 'str_replace', 'preg_replace_callback'])) return;
  const { code, ev } = ctx;
  const rw = LINK_REWRITE.exec(code);
  if (!rw) return;
  // the parameter the links carry is the one the page fetches
  const param = rw[1]!;
  if (!new RegExp(`\\$_(?:GET|POST|REQUEST)\\s*\\[\\s*['"]${param}['"]\\s*\\]`).test(code)) return;
  const fetch = /\b(?:fopen|file_get_contents|curl_init|fsockopen|readfile)\s*\(([^;]{1,200})/i.exec(code);
  if (!fetch || !taint.touches(fetch[1]!)) return;
  ev.add('flow', 'browsing proxy: fetches request-chosen URLs and rewrites their links to come back through itself', 6, rw.index, rw[0].length);
}
