/**
 * Remote-administration behaviour that is a web shell even without command execution:
 * file managers (the request names the path that is listed, read, deleted or moved) and
 * SQL clients (the request names both the database connection and the SQL). Framework
 * code reaches files and databases too, but through configuration and fixed paths, not
 * a path or connection string taken straight from the request.
 */
import { pageWide, type ScopedTaint } from '../scoped-taint.js';
import { callIndex, isRegexSpace, matchesAt, type AnalyzerContext } from '../context.js';
import { matches, type Taint } from '../flow.js';
import { callArgs, matchingClose } from '../text.js';
import { blankCalls, reachesOnlyThrough } from '../sanitize.js';
import { containsWord, literalOffsets, mergeAscending } from '../words.js';

interface FsOps {
  /** Global regex; the call's argument list starts at the last '(' of the match. */
  ops: RegExp;
  /** Operation name from a match (for grouping distinct kinds). */
  kind: (m: RegExpExecArray) => string;
}

const FS: Partial<Record<string, FsOps>> = {
  aspx: {
    ops: /\b(?:File|Directory)\s*\.\s*(Delete|Move|Copy|ReadAllBytes|ReadAllText|ReadAllLines|OpenRead|OpenText|GetFiles|GetDirectories|GetFileSystemEntries|SetAttributes|SetCreationTime|SetLastWriteTime|CreateDirectory)\s*\(|\bnew\s+(?:System\.IO\.)?(DirectoryInfo|FileInfo|StreamReader)\s*\(|\bResponse\s*\.\s*(WriteFile|TransmitFile)\s*\(/g,
    kind: (m) => (m[1] ?? m[2] ?? m[3] ?? '').toLowerCase(),
  },
  jsp: {
    ops: /\bnew\s+(?:java\.io\.)?(File|FileInputStream|FileReader|RandomAccessFile)\s*\(|\b(?:Files|Paths)\s*\.\s*(delete|deleteIfExists|move|copy|readAllBytes|newInputStream|list|walk|get)\s*\(/g,
    kind: (m) => (m[1] ?? m[2] ?? '').toLowerCase(),
  },
  php: {
    ops: /(?<![\w>$:])(opendir|scandir|dir|glob|unlink|rmdir|rename|chmod|readfile|highlight_file|show_source|file_get_contents|fopen)\s*\(/g,
    kind: (m) => m[1]!.toLowerCase(),
  },
  perl: {
    ops: /\b(open|opendir|unlink|rmdir|rename|chmod|sysopen)\s*\(/g,
    kind: (m) => m[1]!,
  },
  asp: {
    ops: /\.\s*(GetFolder|GetFile|DeleteFile|DeleteFolder|CopyFile|MoveFile|CopyFolder|MoveFolder|OpenTextFile|CreateFolder|LoadFromFile)\b\s*\(?/gi,
    kind: (m) => m[1]!.toLowerCase(),
  },
};

/** The names of FS.asp's operations, lower case. */
const ASP_FS_NAMES = ['getfolder', 'getfile', 'deletefile', 'deletefolder', 'copyfile', 'movefile', 'copyfolder', 'movefolder', 'opentextfile', 'createfolder', 'loadfromfile'];

/**
 * The offset of the `.` of every `.`, blanks (what `\s` matches) and one of `names` (lower
 * case) in `code`, ascending: the only places a case-blind pattern opening with
 * `\.\s*(?:Name|...)` can match. Read from the lower-cased code, whose offsets are the code's
 * when lower-casing kept the length (no character grew, so each maps to one character and an
 * ASCII letter to its lower case, the only way a case-blind regex matches one); null when it did
 * not. Dots are few next to the positions a regex opening with `\.` or a letter is tried at.
 */
export function dotNameStarts(code: string, lower: string, names: readonly string[]): number[] | null {
  if (lower.length !== code.length) return null;
  const out: number[] = [];
  for (let i = lower.indexOf('.'); i !== -1; i = lower.indexOf('.', i + 1)) {
    let j = i + 1;
    while (j < lower.length && isRegexSpace(lower.charCodeAt(j))) j++;
    const c = lower.charCodeAt(j);
    for (const n of names) {
      if (n.charCodeAt(0) === c && lower.startsWith(n, j)) {
        out.push(i);
        break;
      }
    }
    if (out.length >= 100000) return null;
  }
  return out;
}

/** ASP_FS_NAMES by the character code of their first letter. */
const FS_BY_FIRST: Array<string[] | undefined> = [];
for (const n of ASP_FS_NAMES) (FS_BY_FIRST[n.charCodeAt(0)] ??= []).push(n);

/** The two lists of aspDotStarts: where FS.asp's operations can start, where `.Open` can. */
export interface AspDotStarts {
  fs: number[] | null;
  open: number[] | null;
}

const DOT_STARTS = new WeakMap<AnalyzerContext, AspDotStarts>();

/**
 * `dotNameStarts(code, lower, ASP_FS_NAMES)` and `dotNameStarts(code, lower, ['open'])` from one
 * walk over the page's dots (fileManager and sqlClient, which want one each, walked them twice);
 * kept per context, whose code and lower-cased code do not change.
 */
export function aspDotStarts(ctx: AnalyzerContext): AspDotStarts {
  let got = DOT_STARTS.get(ctx);
  if (got) return got;
  const { code, lower } = ctx;
  let fs: number[] | null = null;
  let open: number[] | null = null;
  if (lower.length === code.length) {
    fs = [];
    open = [];
    // a list that reaches the cap is given up (null) as dotNameStarts gives it up; the walk goes on for the other
    for (let i = lower.indexOf('.'); i !== -1 && (fs !== null || open !== null); i = lower.indexOf('.', i + 1)) {
      let j = i + 1;
      while (j < lower.length && isRegexSpace(lower.charCodeAt(j))) j++;
      const c = lower.charCodeAt(j);
      if (fs !== null) {
        const names = c < 128 ? FS_BY_FIRST[c] : undefined;
        if (names)
          for (const n of names) {
            if (lower.startsWith(n, j)) {
              fs.push(i);
              break;
            }
          }
        if (fs.length >= 100000) fs = null;
      }
      if (open !== null) {
        if (c === 111 && lower.startsWith('open', j)) open.push(i);
        if (open.length >= 100000) open = null;
      }
    }
  }
  got = { fs, open };
  DOT_STARTS.set(ctx, got);
  return got;
}

/** Reads the (first) argument list of a call whose match ends at or before its '('. */
function argsAfter(code: string, m: RegExpExecArray, lang: string): string {
  const end = m.index + m[0].length;
  if (code.charCodeAt(end - 1) === 40) return callArgs(code, end - 1);
  // VBScript calls without parentheses: the rest of the statement
  if (lang === 'asp') return code.slice(end, end + 300).split(/[\n:]/)[0]!;
  return '';
}

/** Capability/nonce/CSRF checks: how application admin pages guard their file editors. */
const AUTH_CHECKS = /\b(?:check_admin_referer|check_ajax_referer|wp_verify_nonce|current_user_can|verify_csrf|csrf_token|Gate::|->authorize\s*\(|->can\s*\(|\[Authorize)/i;
/**
 * The same idiom in any application's own words: a call whose name pairs an access-control
 * noun (acl, permission, security token, csrf) with check/verify (`auth_quickaclcheck`,
 * `checkSecurityToken`, `verify_permission`). Shells guard themselves with a password compare.
 */
const OWN_ACCESS_CHECK = /\b\w*(?:acl|perm(?:ission)?s?|securitytoken|csrf)\w*(?:check|verify)\w*\s*\(|\b(?:check|verify)\w*(?:acl|perm(?:ission)?s?|securitytoken|csrf)\w*\s*\(/i;

export function fileManager(ctx: AnalyzerContext, taint: Taint, scoped?: ScopedTaint): void {
  const lang = ctx.ev.language;
  const spec = FS[lang];
  if (!spec) return;
  const { code, ev } = ctx;
  // PHP: big application files reuse variable names across functions (imprecise taint), and
  // CMS admin editors guard their file access with capability/nonce checks
  if (lang === 'php' && (ctx.size > 65536 || AUTH_CHECKS.test(code) || OWN_ACCESS_CHECK.test(code))) return;
  const kinds = new Set<string>();
  let first = -1;
  // in big PHP files one variable name stands for many values across functions: only paths
  // taken from the request directly (or one assignment away) count there; Perl CGI
  // applications (gitweb: 250 KB in one file) the same from the size the Perl analyzer uses
  const direct = (lang === 'php' && ctx.size >= 16384) || (lang === 'perl' && ctx.size >= 65536);
  // (paths: a value confined to one word of a safe character set stays in the page's folder)
  const read = scoped ?? pageWide(taint);
  const reaches = direct ? (a: string, at: number) => read.touchesDirectly(a, at, true) : (a: string, at: number) => read.touches(a, at, true);
  const nameOnly = NAME_ONLY[lang];
  // ASP: every operation opens with `.`, blanks and its name, so the pattern runs at those dots only
  const aspStarts = lang === 'asp' ? aspDotStarts(ctx).fs : null;
  for (const m of aspStarts ? matchesAt(spec.ops, code, aspStarts, 2000) : matches(spec.ops, code, 2000)) {
    const args = argsAfter(code, m, lang);
    if (!args || !reaches(args, m.index) || /php:\/\/|^\s*['"]https?:/i.test(args)) continue;
    const kind = spec.kind(m);
    // a download page: the request names a file, stripped of its folders, in a folder the page chose
    if (nameOnly && READ_ONLY.test(kind) && reachesOnlyThrough(args, taint, nameOnly)) continue;
    // `new File(request.getParameter("f")).getName()`: the File is made only to read the name off
    if (kind === 'file' && lang === 'jsp') {
      const close = matchingClose(code, m.index + m[0].length - 1, m.index + m[0].length + args.length + 2);
      if (close !== -1 && /^\s*\.\s*getName\s*\(\s*\)/.test(code.slice(close + 1, close + 41))) continue;
    }
    kinds.add(kind);
    if (first === -1) first = m.index;
  }
  // Java: what the page does with a File on a request-chosen path is in the call on it (`f.listFiles()`, `new File(p).delete()`)
  if (lang === 'jsp' && kinds.size > 0)
    for (const [kind, at] of javaFileCalls(code, taint)) {
      kinds.add(kind);
      first = Math.min(first, at);
    }
  if (kinds.size === 0) return;
  const destructive = [...kinds].some((k) => /delete|move|setattributes|deletefile|deletefolder|movefile|movefolder|unlink|rmdir|rename/.test(k));
  // PHP applications pass request-derived paths around far more often (with checks we cannot
  // see), so one kind of operation alone stays below the suspicious threshold there
  let w = kinds.size >= 3 ? 8 : kinds.size === 2 || destructive ? 6 : 5;
  // classic ASP / ASP.NET: listing the folders the requester names and reading or changing the
  // files in them is a remote file manager (the requester chooses the file path), not a page's
  // own file handling, which works on paths it builds itself; a page that includes the
  // application's files (its connection, its login check) is that application's admin tool
  if (
    (lang === 'asp' || lang === 'aspx' || lang === 'jsp') &&
    !/<!--\s*#include\b|<%@\s*include\b|<jsp:include\b/i.test(ctx.text) &&
    kinds.size >= 2 &&
    [...kinds].some((k) => LISTS.test(k)) &&
    [...kinds].some((k) => READS_OR_CHANGES.test(k))
  )
    w = 10;
  if (lang === 'php' && kinds.size < 2) {
    // a script of a few lines whose point is listing or changing paths the client names is a
    // tool, not an app; serving a file (readfile, file_get_contents) is what download pages do
    const kind = [...kinds][0]!;
    const tool = ctx.size < 4096 && !/^(?:readfile|file_get_contents|fopen|highlight_file|show_source|file|fread|filesize|is_file|file_exists)$/.test(kind);
    ev.add('flow', fileOpReason(kind), tool ? 5 : 3, first, 30);
    return;
  }
  ev.add('flow', `request chooses file-system paths the page passes to ${[...kinds].slice(0, 4).join(', ')} (file manager)`, w, first, 30);
}

/**
 * Per language, the calls that keep only a path's last part (`basename`, `Path.GetFileName`,
 * `new File(p).getName()`), blanked: after them the request names a file, not a folder.
 */
const NAME_ONLY: Partial<Record<string, (e: string) => string>> = {
  php: (e) => blankCalls(e, /\bbasename\s*\(/gi),
  aspx: (e) => blankCalls(e, /\b(?:System\s*\.\s*IO\s*\.\s*)?Path\s*\.\s*GetFileName(?:WithoutExtension)?\s*\(/g),
  jsp: (e) =>
    blankCalls(
      blankCalls(e, /\bnew\s+(?:java\s*\.\s*io\s*\.\s*)?File\s*\(/g, '""', /^\s*\.\s*getName\s*\(\s*\)/),
      /\b(?:Paths\s*\.\s*get|Path\s*\.\s*of)\s*\(/g,
      '""',
      /^\s*\.\s*getFileName\s*\(\s*\)/,
    ),
};
/** Operations that only read a file out to the page (no listing, no change, no open-for-write). */
const READ_ONLY =
  /^(?:readfile|file_get_contents|highlight_file|show_source|readall\w+|openread|opentext|streamreader|writefile|transmitfile|file|fileinputstream|filereader|newinputstream|readallbytes|get)$/;

/** Operations that list a folder's entries (ASP, ASP.NET and Java kinds). */
const LISTS = /^(?:getfolder|directoryinfo|getfiles|getdirectories|getfilesystementries|listfiles|list)$/;
/** Operations that read a file out or change the file system. */
const READS_OR_CHANGES =
  /^(?:loadfromfile|opentextfile|getfile|readall\w+|openread|opentext|streamreader|writefile|transmitfile|delete\w*|move\w*|copy\w*|createfolder|createdirectory|setattributes|fileinputstream|filereader|randomaccessfile|renameto|mkdirs?|setlastmodified|setwritable|setexecutable)$/;

/** Calls on a java.io.File that list, delete, rename or create what it names. */
const JAVA_FILE_CALLS = /\.\s*(listFiles|list|delete|renameTo|mkdirs?|setLastModified|setWritable|setExecutable)\s*\(/g;

/**
 * The calls of JAVA_FILE_CALLS (kind lower-cased, offset) on a File whose path the request
 * chooses: a request-derived variable (`f.delete()`) or a `new File(..)` of request data
 * (`new File(p).listFiles()`).
 */
function javaFileCalls(code: string, taint: Taint): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const m of matches(JAVA_FILE_CALLS, code, 500)) {
    let j = m.index - 1;
    while (j >= 0 && /\s/.test(code[j]!)) j--;
    let receiver: string | undefined;
    if (code[j] === ')') {
      // back to the matching `(` of a `new File(..)` (bounded; strings with brackets are rare there)
      let depth = 0;
      let k = j;
      for (; k >= 0 && j - k < 300; k--) {
        if (code[k] === ')') depth++;
        else if (code[k] === '(' && --depth === 0) break;
      }
      if (k >= 0 && depth === 0 && /\bnew\s+(?:java\.io\.)?File\s*$/.test(code.slice(Math.max(0, k - 30), k))) receiver = code.slice(k + 1, j);
    } else {
      receiver = /[A-Za-z_]\w{0,40}$/.exec(code.slice(Math.max(0, j - 40), j + 1))?.[0];
    }
    if (receiver !== undefined && taint.touches(receiver)) out.push([m[1]!.toLowerCase(), m.index]);
  }
  return out;
}

/** The reason for one kind of file operation on a request-chosen path (other checks look it up). */
export function fileOpReason(kind: string): string {
  return `request chooses a file-system path the page passes to ${kind}`;
}

interface SqlSpec {
  conn: RegExp;
  sql: RegExp;
}

const PHP_CONNECTORS = ['mysql_connect', 'mysql_pconnect', 'mysqli_connect', 'pg_connect', 'mssql_connect', 'oci_connect', 'sqlsrv_connect', 'mysqli', 'pdo'];

const SQL: Partial<Record<string, SqlSpec>> = {
  aspx: {
    conn: /\bnew\s+(?:System\.Data\.\w+\.)?(?:Sql|OleDb|Odbc|MySql|Oracle|Npgsql)Connection\s*\(([^;\n]{0,300})|\.\s*ConnectionString\s*=(?!=)\s*([^;\n]{0,300})/gi,
    sql: /\bnew\s+(?:System\.Data\.\w+\.)?(?:Sql|OleDb|Odbc|MySql|Oracle|Npgsql)(?:Command|DataAdapter)\s*\(([^;\n]{0,300})|\.\s*CommandText\s*=(?!=)\s*([^;\n]{0,300})/gi,
  },
  jsp: {
    conn: /\bDriverManager\s*\.\s*getConnection\s*\(([^;]{0,300})/g,
    sql: /\.\s*(?:executeQuery|executeUpdate|execute|prepareStatement|addBatch)\s*\(([^;]{0,300})/g,
  },
  php: {
    conn: /(?<![\w>$:])(?:mysql_connect|mysql_pconnect|mysqli_connect|pg_connect|mssql_connect|oci_connect|sqlsrv_connect)\s*\(([^;]{0,300})|\bnew\s+(?:mysqli|PDO)\s*\(([^;]{0,300})/gi,
    sql: /(?<![\w$:])(?:mysql_query|mysqli_query|pg_query|mssql_query|oci_parse|sqlsrv_query|mysql_db_query)\s*\(([^;]{0,300})|->\s*(?:query|exec|prepare)\s*\(([^;]{0,300})/gi,
  },
  asp: {
    // `.Open "GET", url` is an XMLHTTP request, not a connection or a recordset
    conn: /\.\s*Open\b\s*\(?(?!\s*"(?:GET|POST|HEAD|PUT|DELETE|OPTIONS)")([^\n]{0,300})|ConnectionString\s*=\s*([^\n]{0,300})/gi,
    sql: /\.\s*Execute\b\s*\(?([^\n]{0,300})|\.\s*Open\b\s*\(?(?!\s*"(?:GET|POST|HEAD|PUT|DELETE|OPTIONS)")([^\n]{0,300})/gi,
  },
};

/** SQL client backdoor: the request names the connection and the SQL it runs. */
export function sqlClient(ctx: AnalyzerContext, taint: Taint): void {
  const spec = SQL[ctx.ev.language];
  if (!spec) return;
  // PHP opens connections through these functions and classes only: without a call of one, skip the scan
  if (ctx.ev.language === 'php' && !callIndex(ctx).hasAnyOf(PHP_CONNECTORS)) return;
  const { code, ev } = ctx;
  let connAt = -1;
  const isConnection = ctx.ev.language === 'asp' ? aspConnectionFilter(code, ctx.lower) : () => true;
  // ASP: a connection string a procedure builds from its parameters (`Connstr = "...;Uid=" & user`
  // inside `Sub Connect(user, pass)` called with request values) is one assignment away
  const reaches = ctx.ev.language === 'asp' ? (a: string) => taint.touches(a) || oneAssignmentAway(taint, a) : (a: string) => taint.touches(a);
  // ASP: a connection opens with `.` + blanks + `open`, or with `connectionstring`: the pattern runs there only
  const opens = ctx.ev.language === 'asp' ? aspDotStarts(ctx).open : null;
  const strings = opens ? literalOffsets(ctx.lower, 'connectionstring', 100000) : null;
  const conns = opens && strings && strings.length < 100000 ? matchesAt(spec.conn, code, mergeAscending(opens, strings), 200) : matches(spec.conn, code, 200);
  for (const m of conns) {
    if (!isConnection(m)) continue;
    if (reaches(m[1] ?? m[2] ?? '')) {
      connAt = m.index;
      break;
    }
  }
  if (connAt === -1) return;
  for (const m of matches(spec.sql, code, 500)) {
    if (m.index === connAt) continue;
    if (taint.touches(m[1] ?? m[2] ?? '')) {
      // the requester's own server and statements: on SQL Server that is xp_cmdshell, on MySQL a
      // file written INTO OUTFILE, so a complete path to commands and code, not a capability
      ev.add('flow', 'request chooses the database connection and the SQL it runs (database client backdoor)', 10, connAt, 30);
      return;
    }
  }
  ev.add('flow', 'request chooses a database connection string', 4, connAt, 30);
}

/** Whether a variable named in `expr` was assigned (somewhere) from request-derived data. */
function oneAssignmentAway(taint: Taint, expr: string): boolean {
  for (const m of expr.matchAll(/\b[A-Za-z_]\w{0,40}\b/g)) if (taint.assignments.get(m[0])?.some((rhs) => taint.touches(rhs))) return true;
  return false;
}

/**
 * Which ASP `.Open` / `.ConnectionString` matches act on a database connection. Old CMS pages
 * pour request values into SQL and open it as a recordset (`rs.Open sql, conn`): injectable,
 * not a shell. A database client shell hands the request's text to an ADODB.Connection (or
 * builds a `Provider=`/`Driver=`/`DSN=` string from it). So only the `.Open` of variables the
 * page creates as ADODB.Connection, and connection strings, count as "the connection".
 */
function aspConnectionFilter(code: string, lower: string): (m: RegExpExecArray) => boolean {
  const conns = new Set<string>();
  // the class name first: the assignment pattern tries every word of the page (and before the
  // case-blind regex, a substring search of the lower-cased code, which holds every match of it)
  if (containsWord(lower, 'adodb.connection"') && /ADODB\.Connection"/i.test(code))
    for (const m of matches(/\b([A-Za-z_]\w{0,40})\s*=\s*(?:Server\s*\.\s*)?CreateObject\s*\(\s*"ADODB\.Connection"/gi, code, 50)) conns.add(m[1]!.toLowerCase());
  return (m) => {
    if (/^ConnectionString/i.test(m[0])) return true;
    const arg = m[1] ?? '';
    if (/(?:Provider|Driver|DSN|Data\s+Source|Server)\s*=/i.test(arg)) return true;
    const before = code.slice(Math.max(0, m.index - 41), m.index);
    const obj = /([A-Za-z_]\w*)\s*$/.exec(before)?.[1]?.toLowerCase();
    return obj !== undefined && conns.has(obj);
  };
}
