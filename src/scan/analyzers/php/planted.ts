/**
 * Single-purpose tools planted on a server that run no request-chosen code: a paged dump of
 * a database's rows detached from the client, a reader of every visitor's session file, a page
 * that runs one fixed reconnaissance or process-killing command and shows its output. Each is
 * suspicious on its own (5-6); none is what an application page does.
 */
import { callIndex, includesText, type AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';
import { hasText } from './probe.js';
import { CMD_SINKS } from './signatures.js';

export function analyzePlanted(ctx: AnalyzerContext, hasRequest: boolean): void {
  if (hasRequest) detachedRowDump(ctx);
  if (hasRequest) mailboxProbe(ctx);
  remotePageByAddress(ctx);
  timestomp(ctx);
  plantedAdmin(ctx);
  sessionHarvest(ctx);
  fixedProbeCommand(ctx);
  codeInMediaFolder(ctx);
  hidesFromAdmins(ctx);
  blindsSecurityPlugins(ctx);
}

/**
 * `require` of a .php file kept under an images, uploads or cache folder: code parked where
 * only media belongs, so a look at the site's code folders misses it. Applications load code
 * from their own source folders.
 */
function codeInMediaFolder(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['include', 'require', 'include_once', 'require_once'])) return;
  // one statement: a literal naming the media folder and, further on, the .php it loads
  const m = /\b(?:include|require)(?:_once)?\b[^;]{0,160}?['"][^'"\n]{0,80}\/(?:images?|img|uploads?|pics?|media)\/[^;]{0,160}?\.php['"]/i.exec(code);
  if (m) ev.add('capability', 'loads PHP code kept inside an images or uploads folder (hidden module)', 5, m.index, m[0].length);
}

/**
 * A script that turns itself off for the site's administrators: on an admin page or with the
 * login cookie it sets a cookie of its own, and wherever that cookie is present it returns at
 * once. Visitors see what it does; the people who could notice never do.
 */
function hidesFromAdmins(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!callIndex(ctx).has('setcookie') || (!includesText(code, 'wordpress_logged_in') && !/wp-admin|administrator/.test(code))) return;
  const gate = /\bif\s*\(\s*isset\s*\(\s*\$_COOKIE\s*\[\s*['"]([\w-]{2,40})['"]\s*\]\s*\)\s*\)\s*\{?\s*(?:return|exit|die)\b/.exec(code);
  if (!gate) return;
  const marks = new RegExp(`\\bsetcookie\\s*\\(\\s*['"]${gate[1]}['"]`).test(code);
  if (marks) ev.add('capability', 'marks administrators with a cookie of its own and stays inactive for them (hides from the site owner)', 5, gate.index, gate[0].length);
}

/**
 * Whether `code` holds one of 'wfIssues', 'wfStatus', 'wfConfig', 'wsd_plugin', 'aiowps_',
 * 'itsec_' or 'exploitscanner_' (as written). Five of them have a `w`: one walk over the `w`
 * signs answers for all five instead of a whole-text search each.
 */
export function securityNamed(code: string): boolean {
  for (let i = code.indexOf('w'); i !== -1; i = code.indexOf('w', i + 1)) {
    if (code.startsWith('wfIssues', i) || code.startsWith('wfStatus', i) || code.startsWith('wfConfig', i) || code.startsWith('wsd_plugin', i)) return true;
    if (i >= 3 && code.startsWith('aiowps_', i - 3)) return true;
  }
  return hasText(code, 'itsec_') || hasText(code, 'exploitscanner_');
}
/** Tables and settings of WordPress security plugins: their scan results, alerts and exclusions. */
const SECURITY_STATE =
  /\b(?:truncate|delete\s+from|update)\b[^;]{0,80}(?:wfIssues|wfStatus|wfConfig|wsd_plugin_scans?|aiowps_\w+|itsec_\w+)\b|\bupdate_option\s*\(\s*['"](?:itsec_file_change|wordfence\w*|exploitscanner_\w+)['"]/gi;

/**
 * Wipes or rewrites what security plugins found or watch (Wordfence issues, scan exclusions,
 * iThemes file-change alerts): blinding the scanners that would report the intrusion.
 */
function blindsSecurityPlugins(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // the plugins' own table and option names
  if (!securityNamed(code)) return;
  let n = 0;
  let first = -1;
  for (const m of matches(SECURITY_STATE, code, 10)) {
    if (first < 0) first = m.index;
    n++;
  }
  if (n >= 2) ev.add('capability', `wipes or rewrites the findings and settings of security plugins (${n} places): blinds the site's scanners`, 6, first, 20);
}

/**
 * A script that keeps running after the client hangs up (`ignore_user_abort`, no time limit)
 * and prints the rows of its SELECTs in ranges the request picks: how a database is pulled
 * out with `wget "...?start=0&end=5000000"`. It includes nothing of an application (its own
 * credentials are in it) and keeps no session: exports of applications run inside them.
 */
function detachedRowDump(ctx: AnalyzerContext): void {
  const { code, lower, ev } = ctx;
  const calls = callIndex(ctx);
  if (ctx.size > 32768 || !calls.has('ignore_user_abort') || !calls.has('set_time_limit') || !/\bset_time_limit\s*\(\s*0\s*\)/.test(lower)) return;
  if (calls.hasAnyOf(['include', 'require', 'include_once', 'require_once', 'session_start']) || /\b(?:include|require)(?:_once)?\b\s*['"(]/.test(lower)) return;
  if (!calls.hasAnyOf(['mysql_query', 'mysqli_query', 'query', 'pg_query'])) return;
  // SELECT ... LIMIT with the range built into the statement, rows fetched in a loop and echoed
  const sel = /select\s[^;]{1,200}?\blimit\b/i.exec(code);
  if (!sel || !/\bwhile\s*\(\s*\$\w+\s*=\s*(?:mysql_fetch_\w+|mysqli_fetch_\w+|\$\w+\s*->\s*fetch\w*)\s*\(|\bforeach\s*\(\s*\$\w+\s+as\b/i.test(code)) return;
  if (!/\b(?:echo|print)\b/i.test(code)) return;
  ev.add('capability', 'prints database rows in request-chosen ranges and keeps running after the client disconnects (database dumper)', 5, sel.index, 30);
}

/**
 * Looks up a domain's mail exchangers, connects to them on port 25 and asks `RCPT TO` for
 * addresses the request lists: checking which mailboxes exist without sending anything, the
 * list-cleaning step of spam runs. Mailer libraries talk to one configured relay, not to
 * every recipient domain's MX.
 */
function mailboxProbe(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['getmxrr', 'dns_get_record']) || !calls.hasAnyOf(['fsockopen', 'stream_socket_client'])) return;
  if (!/rcpt\s+to/i.test(code) || !/\b(?:getmxrr\s*\(|DNS_MX\b)/.test(code)) return;
  const port = /\b(?:fsockopen|stream_socket_client)\s*\([^;]{0,80}?(?:,\s*25\s*[,)]|:25['"])/i.exec(code);
  if (port) ev.add('capability', "asks recipients' mail servers (RCPT TO on port 25) whether request-listed addresses exist (mailbox prober)", 6, port.index, port[0].length);
}

/**
 * Prints a page fetched from a server named by a bare IP address, telling that server this
 * site's own host name: the client half of a doorway or link-injection network, whose content
 * changes with what the remote side wants shown where. Applications fetch from named services.
 */
function remotePageByAddress(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['file_get_contents', 'curl_exec', 'fopen', 'file', 'fsockopen'])) return;
  const ip = /['"]https?:\/\/(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\//.exec(code);
  if (!ip || !/\$_SERVER\s*\[\s*['"](?:SERVER_NAME|HTTP_HOST)['"]/.test(code) || !/\b(?:echo|print)\b/i.test(code)) return;
  ev.add(
    'capability',
    "prints pages fetched from a server named by its IP address, reporting this site's host name to it (doorway / link-injection client)",
    5,
    ip.index,
    ip[0].length,
  );
}

/**
 * Gives a file the modification time another file (or its own old one) had: `touch -r ref f`,
 * or `touch($f, filemtime($g))` after changing it. Listings sorted by date then miss the change;
 * unpackers restore times stored in their archive, not ones read off files on disk.
 */
function timestomp(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  const cmd = calls.hasAnyOf(CMD_SINKS) ? /['"][^'"\n]{0,80}\btouch\s+-r\s/.exec(code) : null;
  if (cmd) {
    ev.add('capability', 'gives a file it changed the timestamp of an existing file (timestomping hides the change)', 4, cmd.index, cmd[0].length);
    return;
  }
  if (!calls.has('touch') || !calls.has('filemtime')) return;
  // the time argument: filemtime() itself, or a variable assigned from it
  const held = new Set<string>();
  for (const m of code.matchAll(/(\$\w{1,40})\s*=\s*@?\s*filemtime\s*\(/g)) held.add(m[1]!);
  for (const c of calls.get('touch')) {
    const m = /^\(\s*[^,;()]{1,120},\s*(@?\s*filemtime\s*\(|\$\w{1,40})/.exec(code.slice(c.open, c.open + 200));
    if (m && (m[1]!.includes('filemtime') || held.has(m[1]!))) {
      ev.add('capability', 'gives a file it changed the timestamp of an existing file (timestomping hides the change)', 4, c.at, 5);
      return;
    }
  }
}

/**
 * Writes an administrator row straight into the application's user table with a password
 * fixed in the file (`$password = 'a111111'; ... insert('admin_user', [... md5($salt .
 * $password) ...])`): a back-door account that survives the shell's removal. Installers and
 * admin screens take the password from the person creating the account.
 */
function plantedAdmin(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // the password is hashed before it is stored: files hashing nothing are ruled out by the call index
  if (!callIndex(ctx).hasAnyOf(['md5', 'sha1', 'hash', 'password_hash', 'crypt'])) return;
  if (!includesText(ctx.lower, 'admin_user') && !includesText(ctx.lower, '_users')) return;
  const insert = /\binsert\s+into\s+[`'"]?\w*(?:admin_user|_users)\b|\binsert\s*\(\s*['"]\w*(?:admin_user|_users)['"]/i.exec(code);
  if (!insert) return;
  for (const m of code.matchAll(/(\$\w*pass\w*)\s*=\s*['"]([^'"\n$]{4,40})['"]\s*;/gi)) {
    const v = m[1]!.replace('$', '\\$');
    if (new RegExp(`\\b(?:md5|sha1|hash|password_hash|crypt)\\s*\\([^;]{0,60}${v}\\b`, 'i').test(code)) {
      ev.add('capability', 'inserts an administrator account with a password fixed in the file straight into the user table (backdoor account)', 5, insert.index, insert[0].length);
      return;
    }
  }
}

/**
 * Opens the session folder and reads the `sess_*` files in it: every visitor's session (login
 * state, tokens) read by one page, the raw material of session hijacking. PHP's own session
 * handler reads one file by its id; a clean-up job deletes old files without reading them.
 */
function sessionHarvest(ctx: AnalyzerContext): void {
  const { code, lower, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['opendir', 'scandir', 'glob', 'readdir'])) return;
  if (!calls.hasAnyOf(['fopen', 'file_get_contents', 'file', 'readfile', 'fgets', 'fread']) || !lower.includes('sess_')) return;
  const dir =
    /\b(?:opendir|scandir|glob)\s*\(\s*(?:['"](?:\/tmp|\/var\/lib\/php[\w/]*|c:\\+windows\\+temp)\/?[^'"]{0,20}['"]|session_save_path\s*\(|ini_get\s*\(\s*['"]session\.save_path)/i.exec(
      code,
    );
  if (!dir) return;
  // the entries picked by the session files' prefix
  if (!/['"]sess_['"*]?|sess_\*/i.test(code)) return;
  if (calls.has('unlink') && !/\b(?:echo|print)\b/i.test(code)) return;
  ev.add('capability', "reads every visitor's session file from the session folder (session harvesting)", 6, dir.index, dir[0].length);
}

/** Commands that report on the host or kill a listener: what a probe page runs, nothing an app needs. */
const PROBE_COMMAND =
  /^\s*(?:id|whoami|pwd|dir(?:\s+\/\w)?|uname(?:\s+-\w+)?|hostname|ifconfig(?:\s+-a)?|ipconfig(?:\s+\/all)?|netstat(?:\s+-\w+)?|ps(?:\s+-?\w+)?|w|who|last|cat\s+\/etc\/(?:passwd|shadow|issue|hosts)|net\s+(?:user|localgroup|view)\b[^'"]*|killall\s+\w+|pkill\s+\w+|tasklist|systeminfo)\s*(?:(?:\n|\\n|;|&&)\s*(?:id|whoami|pwd|uname(?:\s+-\w+)?|hostname|w|who)\s*)*(?:\\n|\n)?\s*$/;

/**
 * A command sink handed only a constant that is one of the reconnaissance commands above (or
 * a variable holding one), in a small script: a page planted to report on the host or to kill
 * a listener. Applications shell out to do work (convert an image, run git), not to ask who
 * they are.
 */
function fixedProbeCommand(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (ctx.size > 16384) return;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(CMD_SINKS)) return;
  for (const c of calls.sites(CMD_SINKS)) {
    const arg = /^\(\s*(?:(['"])((?:(?!\1)[^\\]|\\.){1,80})\1|\$(\w{1,40}))\s*[,)]/.exec(code.slice(c.open, c.open + 120));
    if (!arg) continue;
    let cmd = arg[2];
    if (arg[3] !== undefined) {
      // a variable assigned exactly once, to a literal
      const assigns = [...code.matchAll(new RegExp(`\\$${arg[3]}\\s*\\.?=(?![=>])\\s*([^;]{0,100});`, 'g'))];
      // a default given inside a branch (`if ($cmd == "") { $cmd = 'dir'; }`) is not the only value
      const line = assigns.length === 1 ? code.slice(code.lastIndexOf('\n', assigns[0]!.index) + 1, assigns[0]!.index) : '';
      const lit = assigns.length === 1 && !/\b(?:if|else|elseif)\b|\{/.test(line) ? /^(['"])((?:(?!\1)[^\\]|\\.){1,80})\1\s*$/.exec(assigns[0]![1]!) : null;
      cmd = lit?.[2];
    }
    if (cmd === undefined || !PROBE_COMMAND.test(cmd)) continue;
    ev.add(
      'capability',
      `runs a fixed reconnaissance or process-killing command (${cmd
        .replace(/\\n|\n/g, '; ')
        .trim()
        .slice(0, 40)}) and shows the result (probe page)`,
      5,
      c.at,
      c.open - c.at + 1,
    );
    return;
  }
}
