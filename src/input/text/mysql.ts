/**
 * MySQL / MariaDB general query log and error log.
 *
 * General log (`service: general`): `TIME\t   ID Command\tArgument` (5.7+: ISO stamp; 5.6
 * and MariaDB: `yymmdd hh:mm:ss`, and lines of the same second start with `\t\t`). Queries
 * that span lines continue on the following lines. The user and database of each
 * connection are remembered from its `Connect` / `Init DB` / `Change user` records, so a
 * `CREATE FUNCTION ... SONAME` query says who ran it where.
 *
 * Error log (`service: error`): `TIME THREAD [Level] [MY-NNNNNN] [Subsystem] message`
 * (8.0), `TIME THREAD [Level] message` (5.7), `yymmdd hh:mm:ss [Level] message` (5.5).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { civilMs, contextZone, digits, excerpt, isoStamp, makeEvent, reportLine, share, type ZoneResolver, UTC_ZONE } from './common.js';
import { PendingRecord } from './multiline.js';

const FORMAT = 'mysql';
const GENERAL: LogSource = { product: 'mysql', service: 'general' };
const ERROR: LogSource = { product: 'mysql', service: 'error' };

/** Connections remembered for User/Database (oldest forgotten first). */
const MAX_CONNECTIONS = 65536;
/** Commands whose argument is SQL text. */
const SQL_COMMANDS = new Set(['Query', 'Prepare', 'Execute']);

/** Lines mysqld writes at the top of a general log (and again after FLUSH LOGS). */
// The header mysqld writes at each start: Unix (`/usr/sbin/mysqld, Version: ...`, `Tcp port:
// 3306  Unix socket: ...`) and Windows (`C:\Program Files\MySQL\...\mysqld.exe, Version: ...`,
// `TCP Port: 3306, Named Pipe: MySQL`).
const OTHER_BANNERS = /^(?:Tcp port: \d+ {2}Unix socket: .*|TCP Port: \d+, Named Pipe: .*|Time {5,}Id Command {2,}Argument)$/;
const VERSION_MARK = ', Version: ';
const STARTED_MARK = ' started with:';

/**
 * One of the banner lines. The version line is checked by position, not by a regex: a
 * backtracking `[^\t]+, Version: .* started with:` on a long line of repeated ", Version: "
 * costs the square of its length (fuzz finding: 700 KB, 13 CPU-s).
 */
function isBanner(l: string): boolean {
  if (l.endsWith(STARTED_MARK)) {
    const v = l.indexOf(VERSION_MARK);
    // the part before the first ", Version: " holds no tab ([^\t]+ of the old pattern), and the mark ends before " started with:"
    if (v > 0 && v + VERSION_MARK.length <= l.length - STARTED_MARK.length && !l.slice(0, v).includes('\t')) return true;
  }
  return OTHER_BANNERS.test(l);
}
const CONNECT = /^(.+?)@(\S*) on (\S*)(?: using (.+))?$/;
const ERROR_LINE = /^(\d+ )?\[(System|Warning|Error|Note|ERROR|Warn|Info)\] (?:\[(MY-\d+)\] \[([A-Za-z]+)\] )?/;

interface Stamp {
  ms: number;
  end: number;
}

/** `yymmdd hh:mm:ss` (hour may be space-padded) at pos: MySQL 5.6/5.5 and MariaDB. */
function shortStamp(s: string, pos: number, zone: ZoneResolver): Stamp | undefined {
  const y = digits(s, pos, 2);
  const mo = digits(s, pos + 2, 2);
  const d = digits(s, pos + 4, 2);
  if (y < 0 || mo < 0 || d < 0 || s.charCodeAt(pos + 6) !== 32) return undefined;
  let t = pos + 7;
  if (s.charCodeAt(t) === 32) t++;
  const colon = s.indexOf(':', t);
  if (colon !== t + 1 && colon !== t + 2) return undefined;
  const h = digits(s, t, colon - t);
  const mi = digits(s, colon + 1, 2);
  const sec = digits(s, colon + 4, 2);
  if (h < 0 || mi < 0 || sec < 0 || s.charCodeAt(colon + 3) !== 58) return undefined;
  const local = civilMs(2000 + y, mo - 1, d, h, mi, sec);
  if (local === undefined) return undefined;
  return { ms: zone.toUtc(local), end: colon + 6 };
}

function stampAt(s: string, zone: ZoneResolver): Stamp | undefined {
  return isoStamp(s, 0, zone, 'either') ?? shortStamp(s, 0, zone);
}

interface Connection {
  user?: string;
  database?: string;
}

class MysqlState implements LineDecoderState {
  private readonly zone: ZoneResolver;
  private readonly pending = new PendingRecord(['Argument', 'Query', 'Message']);
  private readonly connections = new Map<number, Connection>();
  /** Time of the last general-log record (5.6 omits repeated stamps). */
  private lastTime: number | undefined;

  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
  }

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    if (isBanner(text)) {
      this.pending.flush(emit);
      return;
    }
    let ts: number | undefined;
    let p: number;
    if (text.startsWith('\t\t')) {
      ts = this.lastTime;
      p = 2;
    } else {
      const st = stampAt(text, this.zone);
      if (!st) {
        if (!this.pending.continueWith(text)) reportLine(this.ctx, lineNo, `not a MySQL log line; skipped: ${excerpt(text)}`);
        return;
      }
      ts = st.ms;
      p = st.end;
    }
    const sep = text.charCodeAt(p);
    if (sep === 9 /* \t */ || p === 2) {
      const ev = this.general(text, p + (p === 2 ? 0 : 1), ts, lineNo);
      if (ev) {
        this.lastTime = ts;
        this.pending.start(ev, emit);
        return;
      }
    } else if (sep === 32) {
      const m = ERROR_LINE.exec(text.slice(p + 1, p + 120));
      if (m) {
        const f: Fields = {};
        if (m[1] !== undefined) f.ThreadId = Number(m[1].trimEnd());
        f.Level = m[2]!;
        if (m[3] !== undefined) f.ErrorCode = m[3];
        if (m[4] !== undefined) f.Subsystem = m[4];
        f.Message = text.slice(p + 1 + m[0].length);
        this.pending.start(makeEvent(f, ERROR, FORMAT, this.ctx.file, lineNo, text, ts, undefined), emit);
        return;
      }
    }
    if (!this.pending.continueWith(text)) reportLine(this.ctx, lineNo, `not a MySQL log line; skipped: ${excerpt(text)}`);
  }

  /** `   ID Command\tArgument` from pos. */
  private general(text: string, pos: number, ts: number | undefined, lineNo: number) {
    let p = pos;
    while (text.charCodeAt(p) === 32) p++;
    const idStart = p;
    while (p < text.length && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
    if (p === idStart || p - idStart > 15 || text.charCodeAt(p) !== 32) return undefined;
    const id = Number(text.slice(idStart, p));
    let tab = text.indexOf('\t', p + 1);
    if (tab < 0) tab = text.length;
    const command = text.slice(p + 1, tab);
    if (!/^[A-Z][A-Za-z ]{1,23}$/.test(command)) return undefined;
    const arg = tab < text.length ? text.slice(tab + 1) : '';
    const f: Fields = { ConnectionId: id, Command: command, Argument: arg };
    const conn = this.connection(id, command, arg, f);
    if (SQL_COMMANDS.has(command)) f.Query = arg;
    if (conn.user !== undefined && f.User === undefined) f.User = conn.user;
    if (conn.database !== undefined && f.Database === undefined) f.Database = conn.database;
    if (command === 'Quit') this.connections.delete(id);
    return makeEvent(f, GENERAL, FORMAT, this.ctx.file, lineNo, text, ts, undefined);
  }

  /** Tracks the user/database of connection `id`; Connect records also get their own fields. */
  private connection(id: number, command: string, arg: string, f: Fields): Connection {
    let conn = this.connections.get(id);
    if (command === 'Connect' || command === 'Change user') {
      // Bounded: the lazy pattern is quadratic on long '@'-filled text, and real arguments are short.
      const m = arg.length <= 1024 ? CONNECT.exec(arg) : null;
      if (m) {
        f.User = m[1]!;
        if (m[2] !== '') f.ClientHost = m[2]!;
        if (m[3] !== '') f.Database = m[3]!;
        if (m[4] !== undefined) f.Protocol = m[4];
        conn = { user: m[1], database: m[3] !== '' ? m[3] : undefined };
        this.connections.delete(id);
        this.connections.set(id, conn);
        if (this.connections.size > MAX_CONNECTIONS) {
          const oldest = this.connections.keys().next();
          if (!oldest.done) this.connections.delete(oldest.value);
        }
      }
    } else if (command === 'Init DB' && conn) {
      conn.database = arg;
    }
    return conn ?? {};
  }

  end(emit: Emit): void {
    this.pending.flush(emit);
  }
}

function isMysqlLine(l: string): boolean {
  if (isBanner(l)) return true;
  const st = stampAt(l, UTC_ZONE);
  if (!st) return l.startsWith('\t\t') && /^\t\t +\d+ [A-Z][A-Za-z ]+(\t|$)/.test(l);
  const rest = l.slice(st.end, st.end + 120);
  return /^\t +\d+ [A-Z][A-Za-z ]{1,23}(\t|$)/.test(rest) || ERROR_LINE.test(rest.slice(1));
}

export const mysqlDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'MySQL/MariaDB general query log and error log',
  sniff(lines: string[]): number {
    const s = share(lines, isMysqlLine);
    return s >= 0.5 ? 0.9 * s : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new MysqlState(ctx);
  },
};
