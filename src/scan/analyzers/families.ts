/**
 * Family knowledge, written as behaviour: how each well-known shell family works, not
 * strings copied from samples. A family rule only names the finding (and adds a little
 * weight); the verdict rests on the flow/obfuscation evidence underneath.
 */
import { callIndex, includesText, type AnalyzerContext } from '../context.js';
import { containsWord } from '../words.js';

interface FamilyRule {
  family: string;
  languages: string[];
  /** Every regex must match somewhere in the code. */
  all: RegExp[];
  weight: number;
  reason: string;
  /** Only for small files (one-liners). */
  maxSize?: number;
  /** Lower-case words the code must contain before the regexes run (a cheap substring check). */
  needs?: string[];
  /** Function groups: a call to one name of each group must exist (call-index look-ups, no scan). */
  calls?: string[][];
  /** Words (case as written) one of which the code must contain: the first regex needs one. */
  anyOf?: string[];
}

const REQ_PHP = /\$_(?:POST|GET|REQUEST|COOKIE)\b/;
const RULES: FamilyRule[] = [
  {
    family: 'China Chopper',
    languages: ['php'],
    all: [/(?:eval|assert)\s*\(\s*(?:@\s*)?(?:\$_(?:POST|GET|REQUEST)\s*\[|stripslashes\s*\(\s*\$_|base64_decode\s*\(\s*\$_)/i],
    maxSize: 4096,
    weight: 2,
    reason: 'one-line eval of a posted parameter (China Chopper-style client)',
  },
  {
    family: 'China Chopper',
    languages: ['aspx', 'asp'],
    all: [/\beval\s*\(\s*Request(?:\.Item)?\s*[[(]|\bExecute(?:Global)?\s*\(?\s*Request\s*\(/i],
    maxSize: 4096,
    weight: 2,
    reason: 'one-line eval of a posted parameter (China Chopper-style client)',
  },
  {
    family: 'Behinder',
    languages: ['php'],
    all: [/php:\/\/input/i, /openssl_decrypt\s*\(|\^\s*\$\w+\s*\[\s*\(?\s*\$\w+\s*\+\s*1\s*\)?\s*&\s*15\s*\]/i, /\$_SESSION\s*\[|session_start/i],
    needs: ['php://input'],
    weight: 6,
    reason: 'decrypts the raw POST body with a per-session AES/XOR key and evaluates it (Behinder protocol)',
  },
  {
    family: 'Behinder',
    languages: ['jsp'],
    all: [
      /Cipher\s*\.\s*getInstance\s*\(\s*"AES/i,
      /defineClass|ClassLoader/,
      /session\s*\.\s*(?:putValue|setAttribute|getValue|getAttribute)\s*\(/,
      /getReader\s*\(\s*\)\s*\.\s*readLine|getInputStream/,
    ],
    needs: ['cipher'],
    weight: 3,
    reason: 'AES-decrypts the posted body with a session key, then defines and runs a class (Behinder protocol)',
  },
  {
    family: 'Godzilla',
    languages: ['php'],
    all: [/\$_SESSION\s*\[\s*\$\w+\s*\]/, /\^\s*\$\w+\s*\[\s*\(?\s*\$\w+\s*\+\s*1\s*\)?\s*&\s*15\s*\]/, /substr\s*\(\s*md5\s*\(\s*\$\w+\s*\.\s*\$\w+\s*\)/i, REQ_PHP],
    needs: ['$_session', 'md5'],
    weight: 7,
    reason: 'keeps an XOR-encrypted payload in the session and answers with md5-framed output (Godzilla protocol)',
  },
  {
    family: 'Godzilla',
    languages: ['jsp', 'aspx'],
    all: [/defineClass|Assembly\s*\.\s*Load/i, /AES|Rijndael/i, /md5|MD5/, /session\s*\.\s*setAttribute|Session\s*\[|Session\s*\.\s*Add/i],
    needs: ['md5'],
    weight: 3,
    reason: 'loads an AES-encrypted payload class into the session and frames output with md5 (Godzilla protocol)',
  },
  {
    family: 'weevely',
    languages: ['php'],
    all: [/php:\/\/input/i, /gzuncompress|gzcompress/i, /preg_match\s*\(\s*["']\/\s*\$\w+\s*\(\.\+\)\s*\$\w+/i],
    needs: ['php://input', 'gz'],
    weight: 3,
    reason: 'hides XOR+zlib commands between key markers in the request body (weevely agent)',
  },
  {
    family: 'reGeorg',
    languages: ['php', 'jsp', 'aspx', 'asp', 'node'],
    all: [
      /["'](?:CONNECT|DISCONNECT|FORWARD)["']/,
      // the READ command is upper case in every variant (a stream's 'read' event is not it);
      // its X- headers come in any case (Node lower-cases request headers)
      /["']READ["']|["'][Xx]-(?:CMD|STATUS|ERROR|TARGET|[Cc]md|[Ss]tatus|[Ee]rror|[Tt]arget)["']|getHeader\s*\(\s*"[Xx]-|HTTP_X_/,
      /socket|Socket|fsockopen|stream_socket_client|SocketChannel|TcpClient/,
    ],
    anyOf: ['CONNECT', 'FORWARD'],
    weight: 4,
    reason: 'relays TCP connections over HTTP requests (reGeorg/Neo-reGeorg tunnel)',
  },
  {
    family: 'ASPXSpy',
    languages: ['aspx'],
    all: [
      /Process|ProcessStartInfo/,
      /DirectoryInfo|File\s*\.\s*(?:Delete|Copy|Move)/,
      /Registry|RegistryKey|SqlConnection|OleDbConnection/,
      /IIS|DirectoryEntry|ServerVariables/i,
    ],
    needs: ['process'],
    weight: 2,
    reason: 'ASP.NET file manager with command, registry/database and IIS browsing (ASPXSpy-style)',
  },
  {
    family: 'cmd.jsp',
    languages: ['jsp'],
    all: [/request\s*\.\s*getParameter\s*\(\s*"\w{1,12}"\s*\)/, /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec|ProcessBuilder/, /getInputStream\s*\(\s*\)/],
    maxSize: 8192,
    weight: 2,
    reason: 'runs a request parameter as a command and prints its output (cmd.jsp-style)',
  },
  {
    family: 'memory shell loader',
    languages: ['jsp'],
    all: [/addFilterDef|addFilterMap|addServletMapping|addApplicationEventListener|registerMapping/, /getDeclaredField|getDeclaredMethod|setAccessible/],
    weight: 3,
    reason: 'registers a filter/servlet/listener into the running container through reflection (memory shell loader)',
  },
  {
    family: 'p0wny-style terminal',
    languages: ['php'],
    all: [
      /\$_(?:POST|GET|REQUEST)\s*\[\s*['"]cmd['"]\s*\]|\$_(?:POST|GET|REQUEST)\s*\[\s*['"](?:feature|cwd|path)['"]\s*\]/,
      /chdir\s*\(/,
      /json_encode\s*\(/,
      /proc_open|shell_exec|exec\s*\(|system\s*\(|passthru/,
    ],
    needs: ['chdir', 'json_encode'],
    weight: 2,
    reason: 'JSON command API with working-directory tracking behind a browser terminal (p0wny-style)',
  },
  {
    family: 'file-manager shell (c99/r57/WSO/b374k class)',
    languages: ['php'],
    all: [
      /\$_(?:POST|GET|REQUEST)\s*\[/,
      /\b(?:shell_exec|passthru|system|proc_open|popen)\s*\(/,
      /\b(?:scandir|opendir|readdir|glob)\s*\(/,
      /\b(?:move_uploaded_file|copy)\s*\(/,
      /\b(?:posix_getpwuid|php_uname|disk_free_space|fileperms)\s*\(/,
      /\b(?:mysql_connect|mysqli_connect|mysql_query|fsockopen|mail)\s*\(/,
    ],
    calls: [
      ['shell_exec', 'passthru', 'system', 'proc_open', 'popen'],
      ['scandir', 'opendir', 'readdir', 'glob'],
      ['move_uploaded_file', 'copy'],
      ['posix_getpwuid', 'php_uname', 'disk_free_space', 'fileperms'],
      ['mysql_connect', 'mysqli_connect', 'mysql_query', 'fsockopen', 'mail'],
    ],
    weight: 4,
    reason: 'full remote-administration kit: file browser, uploads, commands, system info, database/network tools',
  },
];

/**
 * The China Chopper / AntSword "custom script" server: one request parameter picks an
 * operation by a single capital letter (A list roots, B list folder, C read, D write, ...
 * M run a command, Q query a database), the same protocol in every language it is written in.
 */
const LETTER_BRANCH = /(?:\.\s*equals\s*\(\s*|={2,3}\s*|\bcase\s+|\beq\s+)["']([A-Q])["']/g;
const RUNS_COMMANDS =
  /Runtime\s*\.\s*getRuntime|ProcessBuilder|Process\s*\.\s*Start|ProcessStartInfo|WScript\.Shell|\bpopen\d?\s*\(|\bsubprocess\b|\bproc_open\s*\(|\bshell_exec\s*\(|\bsystem\s*\(|`[^`\n]{1,100}`/;

function chopperDispatch(ctx: AnalyzerContext): void {
  const c = ctx.code;
  // the first operations of the protocol must be there before a whole-text scan is worth it
  // (searched from the capital letter, far rarer in code than the quote a plain search jumps between)
  if (!(containsWord(c, '"A"') || containsWord(c, "'A'")) || !(containsWord(c, '"B"') || containsWord(c, "'B'"))) return;
  const letters = new Set<string>();
  let first = -1;
  LETTER_BRANCH.lastIndex = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = LETTER_BRANCH.exec(ctx.code)) !== null && n++ < 400) {
    letters.add(m[1]!);
    if (first < 0) first = m.index;
  }
  if (letters.size < 10 || !RUNS_COMMANDS.test(ctx.code)) return;
  ctx.ev.add('family', `picks file, command and database operations by single-letter codes (${letters.size} of A–Q; China Chopper/AntSword custom-script server)`, 6, first, 20);
  ctx.ev.setFamily('China Chopper', 6);
}

/** Self-identifying names are used only to choose a label among matched behaviour. */
const NAMES: Array<[RegExp, string]> = [
  [/\bb374k\b/i, 'b374k'],
  [/\bwso\s*(?:shell|\d)|\bwso_version\b|FilesMan/i, 'WSO'],
  [/\bc99(?:shell|_|\b)/i, 'c99'],
  [/\br57(?:shell|\b)/i, 'r57'],
  [/\bantsword\b/i, 'AntSword'],
  [/\bp0wny\b/i, 'p0wny'],
  [/\bweevely\b/i, 'weevely'],
  [/\bASPXSpy\b/i, 'ASPXSpy'],
  [/\bGodzilla\b/i, 'Godzilla'],
  [/\bBehinder|rebeyond\b/i, 'Behinder'],
  [/\bNeo-?reGeorg\b/i, 'Neo-reGeorg'],
  [/\breGeorg\b/i, 'reGeorg'],
];

export function analyzeFamilies(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  chopperDispatch(ctx);
  // rules share words (`php://input`): each is searched for once per page
  const inLower = new Map<string, boolean>();
  const inCode = new Map<string, boolean>();
  const has = (hay: string, seen: Map<string, boolean>, w: string): boolean => {
    let f = seen.get(w);
    if (f === undefined) {
      f = includesText(hay, w);
      seen.set(w, f);
    }
    return f;
  };
  for (const r of RULES) {
    if (!r.languages.includes(ev.language)) continue;
    if (r.maxSize !== undefined && ctx.size > r.maxSize) continue;
    if (r.calls && !r.calls.every((group) => callIndex(ctx).hasAnyOf(group))) continue;
    if (r.needs && !r.needs.every((w) => has(ctx.lower, inLower, w))) continue;
    if (r.anyOf && !r.anyOf.some((w) => has(code, inCode, w))) continue;
    let first = -1;
    let ok = true;
    for (const re of r.all) {
      const m = re.exec(code);
      if (!m) {
        ok = false;
        break;
      }
      if (first === -1) first = m.index;
    }
    if (!ok) continue;
    ev.add('family', r.reason, r.weight, first);
    ev.setFamily(r.family, r.weight);
  }
  // a self-declared name refines a behaviour-based label (never adds a verdict by itself)
  if (ev.family) {
    for (const [re, name] of NAMES) {
      if (re.test(ctx.text.slice(0, 200000))) {
        if (ev.family.startsWith('file-manager') || ev.family === name || ev.family.startsWith(name.slice(0, 4))) ev.setFamily(name, ev.familyWeight + 0.5);
        break;
      }
    }
  }
}
