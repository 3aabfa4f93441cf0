/**
 * Whole-script shapes of PHP remote-administration kits: shell UI hints, admin kits,
 * persistence, mailers and proxies, authentication bypass, COM and XSLT code runners.
 */
import { callIndex, includesText, type AnalyzerContext } from '../../context.js';
import { matches, type Taint } from '../../flow.js';
import { callArgs } from '../../text.js';
import { fileOpReason } from '../admin-tools.js';
import { pageWide, type ScopedTaint } from '../../scoped-taint.js';
import { splitTopArgs } from './code.js';
import { hasText } from './probe.js';
import { NOT_BEFORE_CALLBACK, callMatches } from './signatures.js';
import type { PhpScan } from './sources.js';

/** Hints typical of interactive shells (file managers, system info). Weak alone; capped. */
export function shellUiHints(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  let w = 0;
  let first = -1;
  // each with a word its every match spells (any case), looked up in the lower-cased code first
  const hints: Array<[RegExp, number, string]> = [
    [/\b(?:posix_getpwuid|posix_getgrgid|posix_geteuid)\s*\(/i, 1, 'posix_ge'],
    [/\bdisk_(?:free|total)_space\s*\(/i, 1, 'disk_'],
    [/ini_get\s*\(\s*['"](?:safe_mode|disable_functions|open_basedir)['"]/i, 1, 'ini_get'],
    [/\/etc\/passwd|\/etc\/shadow|uname -a|net user|whoami|netstat -an|cmd\.exe \/c|ipconfig \/all|ls -la/i, 2, ''],
    [/\bset_time_limit\s*\(\s*0\s*\)/i, 0.5, 'set_time_limit'],
    [/\bignore_user_abort\s*\(/i, 0.5, '_abo'],
    [/@?error_reporting\s*\(\s*0\s*\)/i, 0.5, 'error_reporting'],
    [/\b(?:mysql_connect|mysqli_connect|pg_connect|mssql_connect)\s*\(\s*\$_(?:POST|GET|REQUEST)/i, 2, '_connect'],
    [/\bfunction_exists\s*\(\s*['"](?:system|passthru|shell_exec|proc_open|popen|exec)['"]\s*\)/i, 1, 'function_exists'],
    [/\b(?:chmod|touch)\s*\([^;]{0,80}\$_(?:POST|GET|REQUEST)/i, 1, ''],
  ];
  for (const [re, weight, word] of hints) {
    if (word !== '' && !hasText(ctx.lower, word)) continue;
    const m = re.exec(code);
    if (m) {
      w += weight;
      if (first === -1) first = m.index;
    }
  }
  if (w >= 2) ev.add('capability', 'system reconnaissance / shell user-interface features', Math.min(w, 4), first);
}

/**
 * A remote-administration kit: command execution plus several of file management driven by
 * the request, uploads, database clients, sockets and system recon, in one script that reads
 * request input. Each part exists in real applications; all of them together in one page
 * (with OS commands) is how file-manager shells (c99/r57/WSO-class) look.
 */
export function adminKit(ctx: AnalyzerContext, taint: Taint, scoped?: ScopedTaint): void {
  const { code, ev } = ctx;
  const groups: Array<[string, RegExp]> = [
    ['file management', /\b(?:unlink|rmdir|rename|chmod|mkdir|touch)\s*\(\s*\$/i],
    ['uploads', /\bmove_uploaded_file\s*\(|\$_FILES\s*\[/i],
    ['database client', /\b(?:mysql_connect|mysqli_connect|mysqli\s*\(|pg_connect|mssql_connect|oci_connect|new\s+PDO)\s*\(?\s*\$/i],
    ['network sockets', /\b(?:fsockopen|socket_create|stream_socket_client|socket_bind|curl_init)\s*\(/i],
    ['system recon', /\b(?:php_uname|posix_getpwuid|getmyuid|disk_free_space|ini_get\s*\(\s*['"](?:safe_mode|disable_functions))/i],
    ['directory browsing', /\b(?:opendir|scandir|readdir|glob)\s*\(\s*\$/i],
    ['file editing', /\b(?:fwrite|file_put_contents|fputs)\s*\(\s*\$/i],
  ];
  // in a kit the request drives these operations; a library or application file merely
  // contains them (utility functions for its own use), so there each group needs a call fed by
  // request data, read in the function around the call where the taint has scopes
  const big = ctx.size >= (scoped ? 16384 : 65536);
  const read = scoped ?? pageWide(taint);
  const driven = (re: RegExp): boolean => {
    for (const m of matches(re, code, 200)) {
      const open = code.indexOf('(', m.index);
      // a number from the request (`chmod($f, intval($_POST['mode'], 8))`) drives the operation too
      const args = open === -1 ? '' : callArgs(code, open);
      if (open !== -1 && (read.touches(args, m.index) || taint.spec.source.test(args))) return true;
    }
    return false;
  };
  // (recon calls take no input: they count as they are)
  const found = groups.filter(([n, re]) => re.test(code) && (!big || n === 'system recon' || driven(re))).map(([n]) => n);
  if (found.length >= 4) ev.add('capability', `remote administration kit: OS commands plus ${found.join(', ')}`, found.length >= 5 ? 8 : 6, -1);
}

/** Self-deleting, unkillable loops: a script that removes itself and keeps running. */
export function persistence(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // the regex needs the function's name (any case): looked up first in the lower-cased code
  const selfDelete = hasText(ctx.lower, 'unlink') ? /\bunlink\s*\(\s*(?:\$_SERVER\s*\[\s*['"]SCRIPT_FILENAME['"]\s*\]|__FILE__)\s*\)/i.exec(code) : null;
  const immortal = ctx.lower.includes('_abo') && /\bignore_user_abort\s*\(\s*(?:true|1)\s*\)/i.test(code) && /\bwhile\s*\(\s*(?:true|1|\$\w+\s*=)/i.test(code);
  if (selfDelete) ev.add('capability', 'deletes its own file and keeps running (memory-resident loader)', immortal ? 7 : 4, selfDelete.index, selfDelete[0].length);
  else if (immortal && /\b(?:file_put_contents|fwrite|eval|include)\s*\(/i.test(code)) {
    const m = /\bignore_user_abort/i.exec(code)!;
    ev.add('capability', 'unkillable loop that keeps rewriting or running code', 3, m.index, 20);
  }
}

/** Mass mail and URL fetching driven by request parameters: spam and proxy/SSRF kits. */
export function mailerAndProxy(ctx: AnalyzerContext, taint: Taint): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  for (const m of callMatches(ctx, calls, ['mail'], NOT_BEFORE_CALLBACK)) {
    const a = splitTopArgs(callArgs(code, m.open));
    if (a.length >= 3 && taint.touches(a[0]!) && (taint.touches(a[1]!) || taint.touches(a[2]!))) {
      const loop = /\b(?:foreach|while|for)\s*\(/.test(code);
      if (loop && requestLineList(code, taint)) {
        ev.add('flow', 'mails every line of a request-supplied address list in a loop, subject and body from the request too (bulk mailer)', 10, m.index, m[0].length);
        break;
      }
      ev.add(
        'flow',
        loop ? 'sends mail to recipients, subject and body taken from the request in a loop (mass mailer)' : 'sends mail with recipient and content taken from the request',
        loop ? 6 : 4,
        m.index,
        m[0].length,
      );
      break;
    }
  }
  if (calls.has('curl_exec') || calls.has('file_get_contents')) {
    const url = /\bcurl_init\s*\(([^;]{1,200})\)|CURLOPT_URL\s*,\s*([^;]{1,200})\)|(?<![\w>$:])file_get_contents\s*\(([^;]{1,200})\)/i.exec(code);
    const target = url ? (url[1] ?? url[2] ?? url[3] ?? '') : '';
    // a file_get_contents() already counted as a request-chosen file path is one behaviour, not two
    const counted = url !== null && url[3] !== undefined && ev.has(fileOpReason('file_get_contents'));
    if (url && !counted && !/php:\/\//i.test(target) && ctx.size < 65536 && (taint.hasSource(target) || taint.touchesDirectly(target))) {
      ev.add('flow', 'request chooses a URL the server fetches (proxy / SSRF tool)', 3, url.index, 30);
    }
  }
}

/** `$list = explode("\n", $_POST['emails'])`: a pasted list, one entry a line. */
const LINE_SPLIT =
  /(\$\w+)\s*=\s*@?\s*(?:explode|split|spliti|preg_split)\s*\(\s*(?:"(?:\\r)?\\n"|PHP_EOL|(['"])\/[^'"\n]{0,12}\\n[^'"\n]{0,12}\/[a-z]*\2)\s*,\s*([^;]{1,200})\)/gi;

/**
 * Whether the script splits request text into lines: a recipient list pasted into a form.
 * Contact and invitation forms take one address or a few comma-separated ones; a list of
 * lines mailed in a loop is a bulk (spam) mailer.
 */
function requestLineList(code: string, taint: Taint): boolean {
  for (const m of matches(LINE_SPLIT, code, 50)) if (taint.touches(m[3]!)) return true;
  return false;
}

/**
 * Logging in as an administrator with no credential check: pick an admin account and set
 * its auth cookie (WordPress), the classic CMS backdoor. The real login flow verifies a
 * password first.
 */
export function authBypass(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.has('wp_set_auth_cookie')) return;
  if (/\bfunction\s+wp_set_auth_cookie\b|\b(?:wp_authenticate|wp_check_password|wp_signon|check_password_reset_key|wp_verify_nonce|check_admin_referer)\s*\(/i.test(code)) return;
  const admin = /user_can\s*\([^;]{0,80}['"]administrator['"]|role\s*=>?\s*['"]administrator['"]|get_users\s*\([^;]{0,120}administrator/i.exec(code);
  if (admin) ev.add('capability', 'logs in as an administrator without checking a password (authentication bypass)', 8, admin.index, 30);
}

/** XSLT that may call PHP functions; COM objects that run Windows shells. */
export function xsltAndCom(s: PhpScan): void {
  const { ctx, calls, hasRequest } = s;
  const { code, ev } = ctx;
  if (calls.has('registerphpfunctions') || includesText(ctx.lower, 'registerphpfunctions')) {
    const xf = /function(?:String)?\s*\(\s*\\?['"](assert|eval|system|exec|passthru|shell_exec|popen|proc_open|create_function|call_user_func)\\?['"]/i.exec(code);
    if (xf) ev.add('flow', `XSLT stylesheet calls PHP ${xf[1]!.toLowerCase()}() through registerPHPFunctions()`, 10, xf.index, xf[0].length);
  }
  const com =
    !calls.has('com') || (!includesText(ctx.lower, 'wscript.') && !includesText(ctx.lower, 'shell.'))
      ? null
      : /new\s+COM\s*\(\s*['"](?:WScript\.Shell|Shell\.Application|Shell\.Users|WScript\.Network)['"]/i.exec(code);
  if (!com) return;
  // Shell.Users creating an account (and setting its password or type) plants a login on the host
  if (/Shell\.Users/i.test(com[0]) && /->\s*create\s*\(/i.test(code) && /->\s*(?:changePassword|setting)\b/i.test(code))
    ev.add('capability', 'creates a Windows user account through the Shell.Users COM object', 10, com.index, com[0].length);
  else ev.add('capability', 'creates a Windows shell COM object', hasRequest ? 8 : 6, com.index, com[0].length);
}

/**
 * A long-running script that reads an address list from a file or URL with file() and mails
 * each line in a loop: the spam mailer planted on a hacked host. Newsletters keep their
 * subscribers in a database and send in batches; they do not walk a text file unbounded.
 */
export function listMailer(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.has('mail') || !calls.has('file') || !/\bset_time_limit\s*\(\s*0\s*\)/i.test(code)) return;
  const lists = new Set<string>();
  for (const m of matches(/(\$\w+)\s*=\s*@?\s*file\s*\(/g, code, 50)) lists.add(m[1]!);
  if (lists.size === 0) return;
  for (const m of callMatches(ctx, calls, ['mail'], NOT_BEFORE_CALLBACK)) {
    const to = (splitTopArgs(callArgs(code, m.open))[0] ?? '').trim();
    // the recipient is a line of a list, directly or through the variable a loop fills from it
    const fromList = [...lists].some((l) => {
      const el = new RegExp(`\\${l}\\s*\\[`);
      if (el.test(to)) return true;
      const v = /^\$\w+$/.test(to) ? new RegExp(`\\${to}\\s*=\\s*[^;]{0,80}\\${l}\\s*\\[|\\bforeach\\s*\\(\\s*\\${l}\\s+as\\s+(?:\\$\\w+\\s*=>\\s*)?\\${to}\\b`) : undefined;
      return v?.test(code) ?? false;
    });
    if (fromList && /\b(?:for|foreach|while)\s*\(/.test(code)) {
      ev.add('capability', 'mails every address of a list file in an unbounded loop (bulk mailer)', 6, m.index, m[0].length);
      return;
    }
  }
}
