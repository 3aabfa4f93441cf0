/**
 * Traits of attack tools that are not a single request-to-sink flow: the operations an
 * interactive shell offers its operator (add an OS account, switch on xp_cmdshell, read the
 * RDP port or VNC password from the registry, escalate through a MySQL UDF or Serv-U), and
 * whole-database dumpers that walk every table and copy every row out. Each is a behaviour a
 * new tool of the same kind has too; alone they stay below the malicious threshold.
 * Used for ASP, ASP.NET, JSP and CFML; PHP has its own shell-UI and dumper analysis.
 */
import { gateOf, hasAny, type AnalyzerContext } from '../context.js';
import { CaseBlindWords } from './word-scan.js';

/** Operator-facing operations, read from the whole text (forms and menus are where shells name them). */
const OPERATIONS: Array<[RegExp, string, number]> = [
  [/\bnet\s+(?:user\s+[^\s"'<>]{1,40}\s+[^\s"'<>/]{1,40}\s*\/add|localgroup\s+administrators\s+[^\s"'<>/]{1,40}\s*\/add)/i, 'adds an OS account', 3],
  [
    /\bxp_cmdshell\b[\s\S]{0,2000}?\b(?:sp_configure|sp_addextendedproc|sp_oacreate)\b|\b(?:sp_configure|sp_addextendedproc|sp_oacreate)\b[\s\S]{0,2000}?\bxp_cmdshell\b/i,
    'enables or runs SQL Server command execution (xp_cmdshell / OLE automation)',
    3,
  ],
  [
    /\b(?:udf\.dll|lib_mysqludf_sys|sys_eval|sys_exec)\b|\bnullevt\.mof\b|\bServ-?U\b[\s\S]{0,400}?\b(?:SITE\s+EXEC|LocalAdministrator|43958)\b/i,
    'privilege escalation through a database UDF, MOF file or Serv-U',
    3,
  ],
  [
    /Terminal\s+Server\\+WinStations\\+RDP-Tcp|\\+RealVNC\\+|\\+Radmin\\+|\\+Winlogon\b[\s\S]{0,200}?DefaultPassword|pcAnywhere/i,
    'reads remote-access secrets or ports from the registry',
    2,
  ],
  [/\bcmd(?:\.exe)?\s+\/c\b|\/bin\/(?:ba)?sh\s+-c\b/i, 'offers a command interpreter', 1.5],
  [/\b(?:whoami|ipconfig\s+\/all|netstat\s+-an|systeminfo|tasklist|query\s+user|uname\s+-a|cat\s+\/etc\/passwd)\b/i, 'reconnaissance commands', 1],
  [/\b(?:21|22)\s*,\s*(?:22|23)\s*,\s*(?:23|25)\s*,\s*(?:25|53|80)\b[^\n]{0,80}\b(?:1433|3306|3389)\b/i, 'scans ports of other hosts', 1.5],
];

/** Every table listed, then `SELECT * FROM` + the table name: the whole database copied out. */
const LIST_TABLES =
  /\bgetTables\s*\(|\bSHOW\s+TABLES\b|\binformation_schema\s*\.\s*tables\b|\bsysobjects\b[^\n]{0,80}xtype\s*=\s*'U'|\bsys\s*\.\s*tables\b|\b(?:user|all|dba)_(?:tables|tab_comments|objects)\b|\bselect\s+table_name\s+from\b|\bGetOleDbSchemaTable\s*\(|\bGetSchema\s*\(\s*"Tables"|\bOpenSchema\s*\(\s*(?:20|adSchemaTables)\b/i;
const SELECT_ALL_FROM_VAR = /["']\s*select\s+\*\s+from\s+\[?["']\s*(?:\+|&)|["']\s*select\s+\*\s+from\s+["']\s*\.\s*\$/i;
const TO_FILE =
  /\bnew\s+(?:FileOutputStream|FileWriter|StreamWriter|FileStream)\s*\(|\bCreateTextFile\b|\bSaveToFile\b|\bFile\s*\.\s*(?:WriteAll\w*|AppendAll\w*|CreateText)\s*\(|Content-Disposition/i;

/** Words every operation contains (lower case): without two of them, OPERATIONS cannot add up to a finding. */
export const OPERATION_WORDS = [
  'net user',
  'net localgroup',
  'xp_cmdshell',
  'udf.dll',
  'lib_mysqludf',
  'sys_eval',
  'sys_exec',
  'nullevt',
  'serv-u',
  'servu',
  'winstations',
  'realvnc',
  'radmin',
  'winlogon',
  'pcanywhere',
  'cmd.exe /c',
  'cmd /c',
  '/bin/sh -c',
  '/bin/bash -c',
  'whoami',
  'ipconfig',
  'netstat',
  'systeminfo',
  'tasklist',
  'query user',
  'uname -a',
  '/etc/passwd',
  '3389',
];

/** Words (lower case) one of which every match of LIST_TABLES holds. */
const DUMPER_WORDS = ['tables', 'sysobjects', 'getoledbschematable', 'getschema', 'openschema', '_tab_comments', '_objects', 'table_name'];

// the operations' words open with a dozen letters of either case, which a regex tries at every
// character of the page (about 1.6 times the time of the skipping search); the dumper's few in
// the lower-cased code are a regex's fastest case. Compiled once here: gateOf keys its cache by
// the joined word list, a string built on every call
const OPERATION_GATE = new CaseBlindWords(OPERATION_WORDS);
const DUMPER_GATE = gateOf(DUMPER_WORDS, '');

export function analyzeToolTraits(ctx: AnalyzerContext): void {
  operations(ctx);
  if (DUMPER_GATE.test(ctx.lower)) dumper(ctx);
}

/**
 * `hasAny(text.toLowerCase(), OPERATION_WORDS)` without the lower-cased copy: a case-blind
 * search (see word-scan.ts) matches an ASCII letter only with its two cases, which is what
 * lower-casing folds, so it answers the same unless the text holds one of the two characters whose lower
 * case is or begins with an ASCII letter (KELVIN SIGN, DOTTED CAPITAL I). Only a two-byte
 * text (a UTF-16 page) can hold them, and a search for them in any other costs nothing.
 */
function mentionsOperation(text: string): boolean {
  if (OPERATION_GATE.test(text)) return true;
  return (text.includes('\u212a') || text.includes('\u0130')) && hasAny(text.toLowerCase(), OPERATION_WORDS);
}

function operations(ctx: AnalyzerContext): void {
  const { text, ev } = ctx;
  if (!mentionsOperation(text)) return;
  let weight = 0;
  let first = -1;
  const seen: string[] = [];
  for (const [re, what, w] of OPERATIONS) {
    const m = re.exec(text);
    if (!m) continue;
    weight += w;
    seen.push(what);
    if (first < 0 || m.index < first) first = m.index;
  }
  // one trait is a word on a page; two or more are a tool's menu
  if (seen.length >= 2) ev.add('capability', `offers attack operations: ${seen.join('; ')}`, Math.min(weight, 8), first, 40);
}

function dumper(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  const list = LIST_TABLES.exec(code);
  if (list) {
    const dump = SELECT_ALL_FROM_VAR.exec(code);
    // copied into files or a download: the exfiltration step; without it, an admin or test page reading tables
    if (dump) ev.add('capability', 'walks every table and copies every row out (database dumper)', TO_FILE.test(code) ? 7 : 3, dump.index, dump[0].length);
  }
}
