/**
 * PHP code reaching files and the network: includes of request-chosen or hidden files,
 * uploads and writes under client-chosen names, remote code, sockets wired to shells.
 */
import { callIndex, type AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';
import { callArgs } from '../../text.js';
import { splitTopArgs } from './code.js';
import { INDIRECT, NOT_BEFORE_CALLBACK, callMatches } from './signatures.js';
import type { CmdCall } from './sinks.js';
import type { PhpScan } from './sources.js';

/** An include path with a literal folder/prefix before the variable part and a literal script extension after it. */
const FIXED_AFFIXES = /^\s*\(?\s*(?:"[^"$]+\$\w+[^"]*\.(?:php|inc)"|'[^']+'\s*\.\s*\$\w+(?:\s*\.\s*'[^']*')?\s*\.\s*'[^']*\.(?:php|inc)')/i;
/** `include`/`require` statements and their argument text. */
// (a `;` inside a quoted piece does not end the statement: `include "data://text/plain;base64," . $x`)
const INCLUDE = /(?<![\w>$])(?:include|require)(?:_once)?\b\s*\(?((?:[^;\n'"]|'[^'\n]{0,200}'|"[^"\n]{0,200}"){1,200})/gi;

/** What an upload handler checks before keeping a file: its type, extension or image-ness. */
const TYPE_CHECK =
  /pathinfo|getimagesize|exif_imagetype|finfo_|mime_content_type|\[\s*['"]type['"]\s*\]|strrchr\s*\(|in_array\s*\(|preg_match\s*\(|\.(?:jpe?g|png|gif)\b|extension|allowed|explode\s*\(\s*['"]\.['"]|\bend\s*\(|substr\s*\([^;]{0,80}-\s*[345]\b/i;
export const UNCHECKED_UPLOAD = 'small script stores an upload under the client-chosen name with no type or extension check (uploader)';

/**
 * The code with what checks nothing taken out: printed values (`echo "Type: " . $_FILES[..]['type']`)
 * and values computed but never read again (`$ext = end(explode('.', $name));` and nothing
 * compares `$ext`). Only a value that is read can stop an upload.
 */
function uncheckedRemoved(code: string): string {
  // (a printed page is long: its quoted pieces are read whole, a `;` in them ends nothing)
  let c = code.replace(/\b(?:echo|print)\b(?:[^;'"]|'[^'\\]*(?:\\.[^'\\]*)*'|"[^"\\]*(?:\\.[^"\\]*)*"){0,400};/gi, ' ');
  // an upload's fields pasted into a message: `"Type: " . $_FILES['f']['type'] . "</li>"`
  c = c.replace(/\.\s*\$_FILES\s*\[[^\]]{1,60}\]\s*\[\s*['"]\w+['"]\s*\]\s*\.\s*(?=['"])/gi, ' . ');
  for (let pass = 0; pass < 3; pass++) {
    let changed = false;
    for (const m of [...c.matchAll(/(\$\w+)\s*=(?![=>])[^;]{0,300};/g)].slice(0, 200)) {
      const uses = c.match(new RegExp(`\\${m[1]!}\\b`, 'g'))?.length ?? 0;
      if (uses === 1) {
        c = c.replace(m[0], ' ');
        changed = true;
      }
    }
    if (!changed) break;
  }
  return c;
}

/**
 * Whether a type or extension check looks at the upload: a statement holding one of
 * TYPE_CHECK's tests that also names the upload (`$_FILES`, an entry's `['name']`/`['type']`,
 * or a variable holding the client's file name). An `in_array()` of the application the
 * uploader was pasted into checks something else.
 */
function uploadTypeChecked(code: string, names: readonly string[]): boolean {
  const upload = new RegExp(`\\$_FILES\\b|\\[\\s*['"](?:name|type|tmp_name)['"]\\s*\\]${names.map((n) => `|\\${n}\\b`).join('')}`, 'i');
  for (const m of code.matchAll(new RegExp(TYPE_CHECK.source, 'gi'))) {
    const start = Math.max(code.lastIndexOf(';', m.index) + 1, code.lastIndexOf('{', m.index) + 1, code.lastIndexOf('}', m.index) + 1);
    const end = code.indexOf(';', m.index);
    if (upload.test(code.slice(start, end === -1 ? code.length : end))) return true;
  }
  return false;
}

/** include/require of request data, temp files or images. */
export function includes(s: PhpScan, near: ReadonlySet<string>): void {
  const { ctx, taint } = s;
  const { code, ev } = ctx;
  for (const m of matches(INCLUDE, code)) {
    const arg = m[1]!;
    const whole = arg.replace(/\)?\s*$/, '').trim();
    if (taint.hasSource(arg)) {
      // `include __DIR__ . '/pages/' . basename($_GET['p']) . '.php'`: a page picked inside the
      // application's own folder (a router), not a file the requester supplies
      const fixedDir = /^\(?\s*(?:__DIR__|dirname\s*\(\s*__FILE__\s*\)|[A-Z_][A-Z0-9_]{2,}|'[^'$]{1,200}\/'|"[^"$]{1,200}\/")\s*\./.test(arg);
      if (fixedDir) ev.add('flow', 'request picks a file inside a fixed folder to include (local file inclusion)', /\bbasename\s*\(/.test(arg) ? 3 : 6, m.index, m[0].length);
      else ev.add('flow', 'request input chooses a file to include as code', 10, m.index, m[0].length);
    } else if (/^\$\w+$/.test(whole) && near.has(whole)) ev.add('flow', 'request-derived variable is included as code (file inclusion backdoor)', 10, m.index, m[0].length);
    else if (s.scopes.touches(arg, m.index)) ev.add('flow', INDIRECT, FIXED_AFFIXES.test(arg) ? 1.5 : 3, m.index, m[0].length);
    else if (/php:\/\/input|data:(?:\/\/)?(?:text|;)|php:\/\/filter/i.test(arg)) {
      // a data: URI wrapped around code the page generates (a template compiler's
      // `include('data://text/plain,' . urlencode($php))`) is eval by another name: what the
      // page compiled, not a payload; the request body, a filter chain or a literal payload are
      const generated = !/php:\/\/(?:input|filter)/i.test(arg) && /\$\w/.test(arg) && !/;\s*base64\s*,/i.test(arg);
      if (generated) ev.add('flow', 'includes code the page generates as a data: URI (eval by include)', 4, m.index, m[0].length);
      else ev.add('flow', 'includes request body or a data: URI as code', 12, m.index, m[0].length);
    }
    // an image, log or temp file run as PHP is a hiding place; a text template is sometimes just
    // that, except in a stub that does nothing else
    else if (/\.(?:jpe?g|png|gif|ico|bmp|txt|log|dat|tmp)['"]/i.test(arg))
      ev.add('capability', 'includes a non-script file (image/text) as PHP code', /\.txt['"]/i.test(arg) && ctx.size >= 256 ? 3 : 6, m.index, m[0].length);
    else if (/\/tmp\/|sys_get_temp_dir|upload_tmp_dir/i.test(arg)) ev.add('capability', 'includes a file from a temp folder', 5, m.index, m[0].length);
  }
}

/** File writers: request chooses path and content -> uploader / dropper. */
export function fileWriters(s: PhpScan): void {
  const { ctx, taint, calls } = s;
  const { code, ev } = ctx;
  // a few lines that keep an upload under the client's own name, checking neither its type nor
  // its extension, accept `x.php` as readily as `x.jpg`: an uploader for the next shell
  // (worked out at the first such store: most files store none, and the pruning is quadratic)
  let unchecked: boolean | undefined;
  const clientNamed = (fn: string, at: number, len: number, dest = ''): void => {
    unchecked ??= ctx.size < 4096 && !uploadTypeChecked(uncheckedRemoved(code), clientFileNames(code));
    if (unchecked && !outsideWebRoot(code, dest)) ev.add('flow', UNCHECKED_UPLOAD, 10, at, len);
    else ev.add('flow', `${fn}() stores an upload under a name the client chose`, 6, at, len);
  };
  for (const m of callMatches(ctx, calls, ['file_put_contents', 'fwrite', 'fputs', 'move_uploaded_file', 'copy'], NOT_BEFORE_CALLBACK).slice(0, 2000)) {
    const args = splitTopArgs(callArgs(code, m.open));
    const fn = m.name;
    const dest = fn === 'move_uploaded_file' || fn === 'copy' ? (args[1] ?? '') : (args[0] ?? '');
    const data = args[1] ?? '';
    if (fn === 'move_uploaded_file' || fn === 'copy') {
      if (/\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]\s*\]/i.test(dest) || taint.hasSource(dest.replace(/\$_FILES[^,]*/i, ''))) clientNamed(fn, m.index, m[0].length, dest);
      else if (s.scopes.touchesDirectly(dest, m.index)) clientNamed(fn, m.index, m[0].length, dest);
      else if (fn === 'move_uploaded_file' || /\$_FILES/i.test(args[0] ?? '') || taint.touches(args[0] ?? '')) {
        // the destination built from the client's file name (or folder) without a fixed extension
        const names = clientFileNames(code);
        if (
          s.scopes.touches(dest, m.index) &&
          (names.some((n) => dest.includes(n)) ||
            [...taint.direct].some((v) => dest.includes(v) && names.includes(v)) ||
            (taint.vars.size > 0 &&
              [...taint.assignments].some(
                ([k, rhs]) => dest.includes(k) && rhs.some((r) => names.some((n) => r.includes(n)) || /\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]/i.test(r)),
              ))) &&
          !/\.\s*['"]\.(?:jpe?g|png|gif|txt|dat|tmp)['"]\s*$/i.test(dest.trim())
        ) {
          clientNamed(fn, m.index, m[0].length, dest);
        } else if (clientNamedDest(code, dest, ctx.size >= 16384 ? (at) => s.scopes.sameFunction(at, m.index) : undefined)) clientNamed(fn, m.index, m[0].length, dest);
      }
    } else if (fn === 'file_put_contents' && s.scopes.touches(dest, m.index) && s.scopes.touches(data, m.index)) {
      ev.add('flow', 'request chooses both file name and content of a write', 10, m.index, m[0].length);
    } else if (fn === 'file_put_contents' && taint.hasSource(data) && /\.php|\$_SERVER\s*\[\s*['"](?:SCRIPT_FILENAME|DOCUMENT_ROOT)/i.test(dest)) {
      ev.add('flow', 'request content written into a PHP file', 10, m.index, m[0].length);
    }
  }
}

/** Sockets + shell: reverse/bind shell; request-chosen hosts (tunnels). */
export function sockets(s: PhpScan, cmdCalls: readonly CmdCall[]): void {
  const { ctx, taint } = s;
  const { code, ev } = ctx;
  // literal gates here and below: each pattern's match contains the literal (short ones with a rare first letter search fastest)
  if (
    (ctx.lower.includes('ko') || ctx.lower.includes('ket_')) &&
    /\b(?:fsockopen|pfsockopen|socket_create|stream_socket_client|stream_socket_server|socket_bind)\s*\(/i.test(code)
  ) {
    const shell = /['"](?:\/bin\/(?:ba|z|k)?sh|cmd(?:\.exe)?|sh -i|bash -i)\b|['"][^'"\n]{0,80}(?:\/bin\/(?:ba|z|k)?sh -i|\/bin\/(?:ba|z|k)?sh['"])/i.exec(code);
    if (shell && (cmdCalls.length > 0 || /proc_open|dup2|STDIN/i.test(code)))
      ev.add('capability', 'socket wired to a system shell (reverse/bind shell)', 10, shell.index, shell[0].length);
    const sock = /\b(?:fsockopen|pfsockopen|stream_socket_client|socket_connect)\s*\(([^;]{0,200})/i.exec(code);
    if (sock && taint.touches(sock[1]!)) ev.add('flow', 'request input chooses a network host/port to connect to (tunnel)', 5, sock.index, 20);
    // a page that opens a listening port where the request says: the server becomes a relay
    const bind = /\bsocket_bind\s*\(([^;]{0,200})/i.exec(code);
    if (bind && taint.touches(bind[1]!) && /\bsocket_(?:listen|accept)\s*\(/i.test(code))
      ev.add('flow', 'request input chooses the address a listening socket binds to (port forwarder / tunnel)', 6, bind.index, 20);
  }
}

/** A folder no web server serves: the temp folder, or an absolute path outside the usual document roots. */
const NON_WEB_DIR = /^\s*\(?\s*(?:sys_get_temp_dir\s*\(|['"]\/(?:tmp|var\/(?!www|html)|srv\/(?!www|http)|opt|data|home\/[^'"/]+\/(?!public_html|www|htdocs|html))\b)/i;

/** Whether an upload's destination (or the variable it is, as assigned) starts in a folder outside the web root. */
function outsideWebRoot(code: string, dest: string, depth = 0): boolean {
  if (NON_WEB_DIR.test(dest)) return true;
  if (depth > 2) return false;
  const v = /^\s*(\$\w+)\s*$/.exec(dest)?.[1];
  if (!v) return false;
  const rhs = [...matches(new RegExp(`\\${v}\\s*=(?![=>])\\s*([^;]{1,300});`, 'g'), code, 5)].map((m) => m[1]!);
  return rhs.length > 0 && rhs.every((r) => NON_WEB_DIR.test(r) || [...matches(/^\s*(\$\w+)\s*\./g, r, 1)].some((m) => outsideWebRoot(code, m[1]!, depth + 1)));
}

/** What makes a stored name the server's own: a random or derived part, or a fixed extension appended. */
const SERVER_NAMED =
  /\b(?:\w*(?:random|password|uuid|guid)\w*|uniqid|md5|sha1|hash|crc32|time|microtime|rand|mt_rand|random_bytes|random_int|bin2hex|sanitize_file_name|wp_unique_filename)\s*\(|\.\s*['"]\.\w{1,5}['"]\s*\)?\s*$/i;

/**
 * Whether an upload's destination is the client's file name reached through variables:
 * `$f = $_FILES['x']; $to = './' . basename($f['name']);` then `move_uploaded_file(.., $to)`.
 * A name the server makes (random, hashed, or given its own extension) is not the client's.
 * `here`, when given, keeps only the assignments in the function of the call (an application
 * file reuses names across functions).
 */
function clientNamedDest(code: string, dest: string, here?: (at: number) => boolean): boolean {
  if (SERVER_NAMED.test(dest)) return false;
  const entries: string[] = [];
  for (const m of matches(/(\$\w+)\s*=\s*\$_FILES\s*\[[^\]]{1,60}\]\s*;/gi, code, 20)) entries.push(m[1]!.replace('$', '\\$'));
  const nameAt = new RegExp(`(?:\\$_FILES\\s*\\[[^\\]]{1,60}\\]${entries.length ? `|${entries.join('|')}` : ''})\\s*\\[\\s*['"]name['"]\\s*\\]`, 'i');
  if (nameAt.test(dest)) return true;
  const named = new Set<string>();
  for (let pass = 0; pass < 2; pass++)
    for (const m of matches(/(\$\w+)\s*=(?![=>])\s*([^;]{1,300});/g, code, 300)) {
      if (here && !here(m.index)) continue;
      const rhs = m[2]!;
      if (SERVER_NAMED.test(rhs)) continue;
      if (nameAt.test(rhs) || [...named].some((v) => new RegExp(`\\${v}\\b`).test(rhs))) named.add(m[1]!);
    }
  return [...named].some((v) => new RegExp(`\\${v}\\b`).test(dest));
}

/** Variables holding a client-supplied file name: $n = $_FILES['f']['name']. */
function clientFileNames(code: string): string[] {
  const out: string[] = [];
  for (const m of matches(/(\$\w+)\s*=\s*(?:basename\s*\(\s*)?\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]\s*\]/gi, code, 50)) out.push(m[1]!);
  return out;
}

/** Code fetched from a URL and evaluated or included: a remote-controlled loader. */
export function remoteCode(ctx: AnalyzerContext, consts: Map<string, string[]>): void {
  const { code, ev } = ctx;
  const inc = code.includes('://') ? /(?<![\w>$])(?:include|require)(?:_once)?\s*\(?\s*['"](?:https?|ftp):\/\//i.exec(code) : null;
  if (inc) ev.add('flow', 'includes PHP code from a remote URL', 10, inc.index, inc[0].length);
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['eval', 'assert', 'create_function']) || !calls.hasAnyOf(['file_get_contents', 'fopen', 'file', 'curl_exec', 'stream_get_contents', 'fread'])) return;
  // the variables holding URLs, and the fetch pattern naming them, only past the call gate
  const urlVars = [...consts].filter(([, vs]) => vs.some((v) => /^(?:https?|ftp):\/\//i.test(v))).map(([n]) => n.replace('$', '\\$'));
  const fetchRe = new RegExp(
    `\\b(?:file_get_contents|fopen|file|curl_exec|stream_get_contents|fread)\\s*\\(\\s*[^;]{0,120}?(?:['"](?:https?|ftp):\\/\\/|\\$ch\\b|\\$curl\\b${urlVars.length ? `|(?:${urlVars.join('|')})\\b` : ''})`,
    'i',
  );
  if (!fetchRe.test(code)) return;
  const vars = new Set<string>();
  for (const m of matches(/(\$\w{1,40})\s*=\s*([^;]{1,300})/g, code, 5000)) if (fetchRe.test(m[2]!) || /\bcurl_exec\s*\(/i.test(m[2]!)) vars.add(m[1]!);
  for (const m of matches(/(?<![\w>$:])(eval|assert|create_function)\s*\(/gi, code, 200)) {
    const args = callArgs(code, m.index + m[0].length - 1);
    if (fetchRe.test(args) || [...vars].some((v) => args.includes(v))) {
      ev.add('flow', `${m[1]!.toLowerCase()}() runs code downloaded from a URL`, 10, m.index, m[0].length);
      return;
    }
  }
}

/** Content fetched from a URL and written under the web root: defacement or a dropper. */
/** An expression ending in a server-script file name: `. "/x.php"`. */
const SERVER_SCRIPT_END = /\.(?:php\d?|phtml|pht|phar)['"]\s*\)?\s*$/i;

export function webRootDropper(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['fopen', 'file_put_contents']) || !calls.hasAnyOf(['curl_exec', 'file_get_contents', 'fsockopen'])) return;
  if (!/\$_SERVER\s*\[\s*['"]DOCUMENT_ROOT['"]\s*\]/.test(code)) return;
  if (!/\bcurl_exec\s*\(|\bfile_get_contents\s*\(\s*['"]https?:|\bfile_get_contents\s*\(\s*\$\w*url/i.test(code)) return;
  const rootVars = new Set<string>();
  const scriptVars = new Set<string>();
  for (const m of matches(/(\$\w+)\s*=\s*\$_SERVER\s*\[\s*['"]DOCUMENT_ROOT['"]\s*\]([^;\n]{0,300});/g, code, 50)) {
    rootVars.add(m[1]!);
    if (SERVER_SCRIPT_END.test(m[2]!)) scriptVars.add(m[1]!);
  }
  for (const m of callMatches(ctx, calls, ['fopen', 'file_put_contents'], NOT_BEFORE_CALLBACK)) {
    const a = splitTopArgs(callArgs(code, m.open));
    const dest = a[0] ?? '';
    const writes = m.name === 'file_put_contents' || /['"][wax]\+?b?['"]/.test(a[1] ?? '');
    if (writes && (/DOCUMENT_ROOT/.test(dest) || [...rootVars].some((v) => dest.includes(v)))) {
      // fetched text saved under a server-script name in the web root is code the next request runs
      const script = (/DOCUMENT_ROOT/.test(dest) && SERVER_SCRIPT_END.test(dest)) || [...scriptVars].some((v) => dest.trim() === v);
      if (script) ev.add('flow', 'saves content fetched from the web as a server script in the web root (dropper)', 10, m.index, m[0].length);
      else ev.add('capability', 'writes content fetched from the web into the web root (defacement / dropper)', 6, m.index, m[0].length);
      return;
    }
  }
}

/** A server-script file name, as a whole literal value. */
const SCRIPT_NAME = /\.(?:php\d?|phtml|pht|phar|inc)$/i;
/** A literal URL fetched over the network. */
const URL_VALUE = /^(?:https?|ftp):\/\//i;

/**
 * Content downloaded from a fixed URL and saved under a server-script name: a dropper that
 * plants the next shell (`file_put_contents('x.php', file_get_contents('https://...'))`, the same
 * through variables, or through curl and fopen/fwrite; hacktools.ts reads `copy(url, 'x.php')`). A
 * download kept as data (`.json`, `.zip`) or written back over the running file (an updater) is
 * not one; in a page of any size it may be an installer, so only a small one is a dropper.
 */
export function urlScriptDropper(ctx: AnalyzerContext, consts: Map<string, string[]>): void {
  const { code, ev } = ctx;
  if (!code.includes('://')) return;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['file_put_contents', 'fwrite', 'fputs']) || !calls.hasAnyOf(['file_get_contents', 'curl_exec'])) return;
  const valued = (re: RegExp) => new Set([...consts].filter(([, vs]) => vs.length > 0 && vs.every((v) => re.test(v))).map(([n]) => n));
  const urlVars = valued(URL_VALUE);
  const scriptVars = valued(SCRIPT_NAME);
  const hasVar = (text: string, vars: Set<string>) => [...(text.match(/\$\w+/g) ?? [])].some((v) => vars.has(v));
  const isUrl = (a: string) => /^\s*['"](?:https?|ftp):\/\//i.test(a) || hasVar(a, urlVars);
  const isScript = (a: string) => /['"][^'"]*\.(?:php\d?|phtml|pht|phar|inc)['"]\s*\)?\s*$/i.test(a) || (/^\s*\$\w+\s*$/.test(a) && hasVar(a, scriptVars));
  // variables holding a download: `$c = file_get_contents($url)`, `$c = curl_exec($ch)` with the handle on a fixed URL
  const curlFixed = /\bcurl_init\s*\(\s*(?:['"](?:https?|ftp):|\$\w+)/i.exec(code);
  const curlOk = curlFixed !== null && (isUrl(callArgs(code, code.indexOf('(', curlFixed.index))) || /CURLOPT_URL\s*,\s*['"](?:https?|ftp):/i.test(code));
  const fetched = new Set<string>();
  const fetchesHere = (rhs: string): boolean => {
    const g = /\bfile_get_contents\s*\(/i.exec(rhs);
    if (g && isUrl(callArgs(rhs, g.index + g[0].length - 1))) return true;
    return curlOk && /\bcurl_exec\s*\(/i.test(rhs);
  };
  for (const m of matches(/(\$\w+)\s*=(?![=>])\s*([^;]{1,400});/g, code, 500)) if (fetchesHere(m[2]!)) fetched.add(m[1]!);
  const handles = new Set<string>();
  for (const m of matches(/(\$\w+)\s*=\s*@?fopen\s*\(([^;]{1,300});/gi, code, 50)) {
    const a = splitTopArgs(callArgs(code, m.index + m[0].indexOf('(')));
    if (isScript(a[0] ?? '') && /['"][wax]\+?b?['"]/.test(a[1] ?? '')) handles.add(m[1]!);
  }
  for (const m of callMatches(ctx, calls, ['file_put_contents', 'fwrite', 'fputs'], NOT_BEFORE_CALLBACK).slice(0, 200)) {
    const [dest = '', data = ''] = splitTopArgs(callArgs(code, m.open));
    const toScript = m.name === 'file_put_contents' ? isScript(dest) : hasVar(dest, handles);
    const download = hasVar(data, fetched) || fetchesHere(data);
    if (toScript && download) {
      ev.add('flow', 'saves content downloaded from a fixed URL as a server script (dropper)', ctx.size < 2048 ? 10 : 6, m.index, m[0].length);
      return;
    }
  }
}
