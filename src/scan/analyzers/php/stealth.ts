/**
 * How planted tools hide and how they start helpers outside PHP: a page that answers
 * "404 Not Found" to everyone except hard-coded client addresses, and a script written into
 * a temp folder and then started from a command line (connect-back daemons, bots).
 */
import { callIndex, includesText, type AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';
import { escapeRegExp } from '../../text.js';

const CMD_SINKS = ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open'];

export function analyzeStealth(ctx: AnalyzerContext): void {
  preloadDropper(ctx);
  fakeNotFoundGate(ctx);
  tempScriptLaunch(ctx);
  sqlFileDrop(ctx);
}

/**
 * `SELECT ... INTO DUMPFILE` writes one raw value to a server path: how shells plant a UDF
 * library or a MOF file for privilege escalation. `INTO OUTFILE` with PHP code in the query
 * drops a script. Export features write data rows with OUTFILE, never DUMPFILE or code.
 */
function sqlFileDrop(ctx: AnalyzerContext): void {
  const { code, ev, lower } = ctx;
  if (!includesText(lower, 'dumpfile') && !(code.includes('<?') && includesText(lower, 'outfile'))) return;
  const m = /\binto\s+dumpfile\b|\binto\s+outfile\b/i.exec(code);
  if (!m) return;
  const dump = /dumpfile/i.test(m[0]);
  // an open tag in the query before INTO, other than the one that opens the file
  const opener = code.search(/<\?/);
  const start = Math.max(0, m.index - 300);
  const inQuery = [...code.slice(start, m.index).matchAll(/<\?(?:php|=|\s)/gi)].some((t) => start + t.index! !== opener);
  // what the raw file becomes: a MOF the WMI service compiles and runs (as SYSTEM), or a
  // library MySQL loads as a user function that runs commands
  const mof = dump && /wbem[\\/]+mof|CommandLineEventConsumer/i.test(code);
  const udf = dump && /\bcreate\s+function\s+\w+\s+returns\s+\w+\s+soname\b/i.test(code);
  if (mof || udf) {
    ev.add(
      'flow',
      mof
        ? 'writes a MOF file into the WMI folder through the database server (MOF escalation runs commands as SYSTEM)'
        : 'writes a library through the database server and loads it as a MySQL function (UDF command execution)',
      10,
      m.index,
      m[0].length,
    );
    return;
  }
  if (dump || inQuery)
    ev.add(
      'capability',
      dump
        ? 'writes a raw file through the database server (SELECT ... INTO DUMPFILE: UDF/MOF escalation)'
        : 'writes PHP code into a file through the database server (SELECT ... INTO OUTFILE)',
      5,
      m.index,
      m[0].length,
    );
}

/**
 * Applications that restrict a page by address refuse with 403 or a login; a planted tool
 * pretends not to exist (404 and stop) unless the caller's address is on its own list.
 */
function fakeNotFoundGate(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!includesText(code, 'REMOTE_ADDR') || !code.includes('404')) return;
  if (!/['"]\d{1,3}(?:\.\d{1,3}){3}['"]/.test(code)) return;
  const cmp = /REMOTE_ADDR['"]\s*\]\s*(?:[!=]==?|\)\s*[!=]==?)|(?:[!=]==?)\s*\$_SERVER\s*\[\s*['"]REMOTE_ADDR|in_array\s*\(\s*\$_SERVER\s*\[\s*['"]REMOTE_ADDR/.exec(code);
  if (!cmp) return;
  const after = code.slice(cmp.index, cmp.index + 600);
  const hide = /\bheader\s*\(\s*['"]HTTP\/\d(?:\.\d)?\s+404\b[^;]{0,80}\)\s*;\s*(?:die|exit)\b/i.exec(after);
  if (hide) ev.add('capability', 'answers 404 Not Found to every client but hard-coded addresses (hidden planted page)', 5, cmp.index + hide.index, hide[0].length);
}

/**
 * `cf('/tmp/.bc', $payload); exec("perl /tmp/.bc $ip $port &")`: a file in a temp folder is
 * written by the page and started by a command line, with an interpreter or in the background.
 */
function tempScriptLaunch(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  // the call look-ups first: they cost nothing next to a search of the text
  if (!calls.hasAnyOf(CMD_SINKS) || !calls.hasAnyOf(['fwrite', 'fputs', 'file_put_contents'])) return;
  if (!ctx.lower.includes('/tmp/') && !includesText(ctx.lower, '/dev/shm/')) return;
  for (const m of matches(/['"]([^'"\n]{0,80}?)((?:\/var)?\/tmp\/[\w.-]+|\/dev\/shm\/[\w.-]+)([^'"\n]{0,80})['"]/g, code, 200)) {
    const path = m[2]!;
    const launched = /\b(?:perl|python\d?|php|sh|bash|ruby|nohup)\s+$/.test(m[1]!) || /&\s*$/.test(m[3]!);
    if (!launched) continue;
    const esc = escapeRegExp(path);
    // the same path as the first argument of a call that also takes content or a mode
    const written = new RegExp(`\\(\\s*['"]${esc}['"]\\s*,`).exec(code);
    if (written) {
      if (connectBack(code, written.index + written[0].length))
        ev.add('capability', 'writes a connect-back shell into a temp folder and starts it from a command line', 10, m.index, m[0].length);
      else ev.add('capability', 'writes a script into a temp folder and starts it from a command line (dropped daemon / connect-back)', 5, m.index, m[0].length);
      return;
    }
  }
}

/**
 * Whether the content written at `at` (the argument after the path: a literal or a variable
 * assigned concatenated literals, plain or base64) is a script that connects a socket to a
 * shell: the dropped helper is a reverse shell.
 */
function connectBack(code: string, at: number): boolean {
  const arg = /^\s*(?:@?\s*base64_decode\s*\(\s*)?(\$\w+|['"])/.exec(code.slice(at, at + 200));
  if (!arg) return false;
  let text: string | undefined;
  if (arg[1]!.startsWith('$')) {
    const def = new RegExp(`${escapeRegExp(arg[1]!)}\\s*=\\s*((?:['"][^'"]*['"]\\s*\\.?\\s*)+);`).exec(code);
    text = def?.[1]?.replace(/['"]\s*\.?\s*/g, '');
  } else text = /^['"]([^'"]*)['"]/.exec(code.slice(at).trimStart())?.[1];
  if (!text || text.length < 40) return false;
  const plain = /^[A-Za-z0-9+/=\s]+$/.test(text) ? Buffer.from(text, 'base64').toString('latin1') : text;
  return /\bsocket\s*\(|IO::Socket|fsockopen|socket\.socket|\bconnect\s*\(/i.test(plain) && /\/bin\/(?:ba)?sh|\bsystem\s*\(|\bexec\s*\(|STDIN/i.test(plain);
}

/**
 * `file_put_contents('./x.so', "\x7fELF...")` and a program started with `LD_PRELOAD=./x.so`
 * (from a command line or putenv() before mail()): the page loads native code of its own into
 * a process, the way disable_functions bypasses and planted miners start.
 */
function preloadDropper(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!includesText(code, 'LD_PRELOAD')) return;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['file_put_contents', 'fwrite', 'fputs', 'copy', 'move_uploaded_file'])) return;
  const pre = /LD_PRELOAD\s*=\s*[^\s'"]{0,200}\.so\b/.exec(code);
  if (!pre) return;
  // the library comes from the page: ELF bytes in a literal, or a .so path it writes
  const elf = /\\x7f\s*\\x45\s*\\x4c\s*\\x46|\\x7fELF|\\177ELF|f0VMRg|7f454c46/i.test(code);
  const writesSo = /\b(?:file_put_contents|fopen|copy|move_uploaded_file)\s*\([^;]{0,200}\.so['"]/i.test(code);
  if (elf || writesSo) ev.add('capability', 'writes a native library and loads it into a program through LD_PRELOAD (native-code dropper)', 10, pre.index, pre[0].length);
}

/**
 * An XSL stylesheet using the PHP namespace to call a function that runs code or commands:
 * loaded by a page with XSLTProcessor::registerPHPFunctions(), it is a shell in XML clothing.
 */
export function xslPhpCalls(ctx: AnalyzerContext): void {
  const { text, ev } = ctx;
  if (!includesText(text, 'php.net/xsl')) return;
  const ns = /xmlns:(\w+)\s*=\s*['"]https?:\/\/php\.net\/xsl['"]/.exec(text);
  if (!ns) return;
  const call = new RegExp(
    `\\b${ns[1]}:function(?:String)?\\s*\\(\\s*['"](assert|eval|system|exec|passthru|shell_exec|popen|proc_open|create_function|call_user_func|preg_replace|file_put_contents|include)['"]`,
    'i',
  ).exec(text);
  if (call) ev.add('flow', `XSL stylesheet calls PHP ${call[1]!.toLowerCase()}() through the php:function extension`, 10, call.index, call[0].length);
}
