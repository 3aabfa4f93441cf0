/**
 * One audit.log record: `[node=H ]type=T msg=audit(SECS.MSEC:SERIAL): k=v ...` with an
 * optional ENRICHED tail after \x1d (uppercase keys, values translated by auditd).
 * Values are `"quoted"`, unquoted (possibly hex-encoded), or a nested `'k=v ...'` message.
 * The body is scanned in place (no split, no regex) and common keys are returned as
 * constant strings, because this runs for every line of multi-gigabyte audit logs.
 */

export interface AuditHeader {
  node?: string;
  type: string;
  /** Epoch ms. */
  time: number;
  serial: number;
  /** Where the key=value body starts and ends (exclusive), and where the ENRICHED tail starts (-1: none). */
  body: number;
  bodyEnd: number;
  enriched: number;
}

/** Receives key/value pairs as they are scanned; `unquoted` values may be hex-encoded. */
export type PairSink = (key: string, value: string, unquoted: boolean) => void;

const COMMON_KEYS = [
  // record types
  'SYSCALL', 'EXECVE', 'PATH', 'CWD', 'PROCTITLE', 'EOE', 'SOCKADDR', 'USER_CMD', 'USER_LOGIN', 'USER_AUTH', 'USER_ACCT',
  'USER_START', 'USER_END', 'CRED_ACQ', 'CRED_DISP', 'CRED_REFR', 'LOGIN', 'CONFIG_CHANGE', 'SERVICE_START', 'SERVICE_STOP',
  'BPRM_FCAPS', 'AVC', 'ANOM_ABEND', 'ADD_USER', 'ADD_GROUP', 'KERN_MODULE', 'NETFILTER_CFG', 'MMAP', 'FD_PAIR',
  // raw keys
  'arch', 'syscall', 'success', 'exit', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'items', 'ppid', 'pid',
  'auid', 'uid', 'gid', 'euid', 'suid', 'fsuid', 'egid', 'sgid', 'fsgid', 'tty', 'ses', 'comm', 'exe', 'subj', 'key', 'argc',
  'cwd', 'item', 'name', 'inode', 'dev', 'mode', 'ouid', 'ogid', 'rdev', 'nametype', 'cap_fp', 'cap_fi', 'cap_fe', 'cap_fver',
  'cap_frootid', 'obj', 'proctitle', 'saddr', 'msg', 'op', 'acct', 'hostname', 'addr', 'terminal', 'res', 'cmd', 'grantors',
  'old-auid', 'old-ses', 'tty', 'fd0', 'fd1',
  // ENRICHED keys
  'ARCH', 'AUID', 'UID', 'GID', 'EUID', 'SUID', 'FSUID', 'EGID', 'SGID', 'FSGID', 'OUID', 'OGID', 'SADDR',
];

/** Candidates by (length, first char, last char) so a lookup costs one Map.get on a number. */
const KEY_TABLE = new Map<number, string[]>();
for (const k of new Set(COMMON_KEYS)) {
  const h = keyHash(k, 0, k.length);
  const list = KEY_TABLE.get(h);
  if (list) list.push(k);
  else KEY_TABLE.set(h, [k]);
}

function keyHash(s: string, start: number, end: number): number {
  return ((end - start) << 16) ^ (s.charCodeAt(start) << 8) ^ s.charCodeAt(end - 1);
}

/** s[start, end) as a string, returning the shared constant for common keys. */
export function keyAt(s: string, start: number, end: number): string {
  const list = KEY_TABLE.get(keyHash(s, start, end));
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) if (s.startsWith(list[i], start)) return list[i];
  }
  return s.slice(start, end);
}

/** Keys whose unquoted values auditd writes hex-encoded when they hold unsafe bytes. */
const ENCODED = new Set(['name', 'comm', 'exe', 'cwd', 'proctitle', 'key', 'path', 'cmd', 'data', 'ocomm', 'acct', 'dir', 'file', 'new', 'old', 'watch', 'root_dir', 'old-rng', 'new-rng', 'vm', 'obj', 'uuid']);

export function isEncodedKey(key: string, type: string): boolean {
  if (ENCODED.has(key)) return true;
  // EXECVE arguments: a0, a1[3]; SYSCALL's a0..a3 are plain hex numbers and stay as they are.
  return type === 'EXECVE' && key.charCodeAt(0) === 97 && key.length > 1 && key.charCodeAt(1) >= 48 && key.charCodeAt(1) <= 57 && !key.endsWith('_len');
}

function isUpperHex(s: string): boolean {
  if (s.length < 2 || (s.length & 1) !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** Decodes an unquoted auditd value when it is hex; `nul` replaces NUL bytes (argv separators). */
export function decodeHexValue(v: string, nul: string): string {
  if (!isUpperHex(v)) return v;
  const text = Buffer.from(v, 'hex').toString('utf8');
  return text.includes('\u0000') ? text.replace(/\u0000+$/, '').replaceAll('\u0000', nul) : text;
}

/** Scans `k=v k="v" k='v w'` in s[start, end); bare words are skipped, nested messages recursed into. */
export function scanPairs(s: string, start: number, end: number, sink: PairSink, depth = 0): number {
  let p = start;
  let count = 0;
  while (p < end) {
    while (p < end && s.charCodeAt(p) === 32) p++;
    if (p >= end) break;
    let sp = s.indexOf(' ', p);
    if (sp < 0 || sp > end) sp = end;
    const eq = s.indexOf('=', p);
    if (eq < 0 || eq > sp) {
      p = sp + 1; // bare word (AVC "denied { read } for")
      continue;
    }
    const key = keyAt(s, p, eq);
    const v = eq + 1;
    const q = s.charCodeAt(v);
    if (q === 34 /* " */) {
      let close = s.indexOf('"', v + 1);
      if (close < 0 || close > end) close = end;
      sink(key, s.slice(v + 1, close), false);
      count++;
      p = close + 1;
    } else if (q === 39 /* ' */) {
      let close = s.indexOf("'", v + 1);
      if (close < 0 || close > end) close = end;
      // A nested user-space message: its pairs belong to the record too.
      const inner = depth < 2 ? scanPairs(s, v + 1, close, sink, depth + 1) : 0;
      if (inner === 0) sink(key, s.slice(v + 1, close), false);
      count++;
      p = close + 1;
    } else if (q === 123 /* { */) {
      // ENRICHED socket addresses: SADDR={ fam=inet laddr=10.0.0.1 lport=443 }
      let close = s.indexOf('}', v + 1);
      if (close < 0 || close > end) close = end;
      sink(key, s.slice(v + 1, close).trim(), false);
      if (depth < 2) scanPairs(s, v + 1, close, sink, depth + 1);
      count++;
      p = close + 1;
    } else {
      sink(key, s.slice(v, sp), true);
      count++;
      p = sp + 1;
    }
  }
  return count;
}

/** Decimal digits of s[start, end) as a number, or -1. */
function intAt(s: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Fills `out` with a record's header; returns the reason when the line is not a record. Reusing `out` saves an allocation per line. */
export function parseHeader(line: string, out: AuditHeader): string | undefined {
  let p = 0;
  out.node = undefined;
  if (line.startsWith('node=')) {
    const sp = line.indexOf(' ');
    if (sp < 0) return 'node= without a record';
    out.node = line.slice(5, sp);
    p = sp + 1;
  }
  if (!line.startsWith('type=', p)) return 'no type=';
  const sp = line.indexOf(' ', p);
  if (sp < 0) return 'no msg=audit(...)';
  if (sp === p + 5) return 'empty type=';
  if (!line.startsWith('msg=audit(', sp + 1)) return 'no msg=audit(...)';
  const open = sp + 11;
  const colon = line.indexOf(':', open);
  const close = line.indexOf(')', open);
  if (colon < 0 || close < 0 || colon > close) return 'bad msg=audit(time:serial)';
  const dot = line.indexOf('.', open);
  const noFrac = dot < 0 || dot > colon;
  const secs = intAt(line, open, noFrac ? colon : dot);
  const frac = noFrac ? 0 : intAt(line, dot + 1, colon);
  const fracDigits = noFrac ? 0 : colon - dot - 1;
  const serial = intAt(line, colon + 1, close);
  if (secs <= 0 || frac < 0 || serial < 0 || fracDigits > 9) return 'bad msg=audit(time:serial)';
  out.type = keyAt(line, p + 5, sp);
  out.time = secs * 1000 + (fracDigits === 3 ? frac : Math.floor((frac / 10 ** fracDigits) * 1000));
  out.serial = serial;
  let body = close + 1;
  if (line.charCodeAt(body) === 58) body++;
  const gs = line.indexOf('\u001d', body);
  out.body = body;
  out.bodyEnd = gs < 0 ? line.length : gs;
  out.enriched = gs < 0 ? -1 : gs + 1;
  return undefined;
}
