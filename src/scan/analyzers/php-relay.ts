/**
 * Relays: a small page that takes the whole posted request and sends it on to another
 * server, handing back the answer. Put in front of a shell on a second host, it hides the
 * real shell's address and lets the operator rewrite what WAFs look for (`base64_decode(`)
 * on the way. Applications forward single fields to known APIs, not the whole request.
 */
import { callIndex, type AnalyzerContext } from '../context.js';

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
