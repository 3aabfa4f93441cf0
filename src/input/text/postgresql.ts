/**
 * PostgreSQL server log: stderr format with the default `log_line_prefix` `%m [%p] ` and
 * the common variants `%m [%p] %q%u@%d ` (Debian/Ubuntu), `%t [%p]: [%l-1] user=%u,db=%d `,
 * and csvlog. Statements (`statement: ...`, `execute x: ...`, `STATEMENT:` lines, csvlog's
 * query column) become `Statement`, so rules see `COPY ... FROM PROGRAM`,
 * `CREATE FUNCTION ... LANGUAGE C` and friends.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { contextZone, excerpt, isoStamp, makeEvent, reportLine, share, type ZoneResolver, UTC_ZONE, zoneOffset } from './common.js';
import { PendingRecord } from './multiline.js';

const FORMAT = 'postgresql';
const LOGSOURCE: LogSource = { product: 'postgresql', service: 'postgresql' };

const LEVELS = 'DEBUG[1-5]|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT';
/** After the stamp: `[pid]`, optional `: [line-1]`, optional user@db or user=,db= prefix, `LEVEL:  message`. */
const PREFIX = new RegExp(`^ \\[(\\d+)\\]:?(?: \\[\\d+-\\d+\\])? (?:(\\S*)@(\\S*) |((?:[a-z_]+=[^,\\s]*,?)+) )?(${LEVELS}):  ?`);
/** A message that carries SQL text. */
const STATEMENT = /^(?:duration: ([\d.]+) ms {1,2})?(?:statement|execute [^:]*|parse [^:]*|bind [^:]*): /;

/** csvlog columns, in order (PostgreSQL 9.0 to 16). */
const CSV_COLUMNS = [
  'log_time',
  'user_name',
  'database_name',
  'process_id',
  'connection_from',
  'session_id',
  'session_line_num',
  'command_tag',
  'session_start_time',
  'virtual_transaction_id',
  'transaction_id',
  'error_severity',
  'sql_state_code',
  'message',
  'detail',
  'hint',
  'internal_query',
  'internal_query_pos',
  'context',
  'query',
  'query_pos',
  'location',
  'application_name',
  'backend_type',
  'leader_pid',
  'query_id',
];
/** csvlog columns kept, and their Warden field names. */
const CSV_FIELDS: Array<[number, string]> = (
  [
    ['user_name', 'User'],
    ['database_name', 'Database'],
    ['connection_from', 'Client'],
    ['session_id', 'SessionId'],
    ['command_tag', 'CommandTag'],
    ['error_severity', 'Level'],
    ['sql_state_code', 'SqlState'],
    ['message', 'Message'],
    ['detail', 'Detail'],
    ['hint', 'Hint'],
    ['internal_query', 'InternalQuery'],
    ['context', 'Context'],
    ['query', 'Query'],
    ['application_name', 'ApplicationName'],
    ['backend_type', 'BackendType'],
  ] as const
).map(([column, field]) => [CSV_COLUMNS.indexOf(column), field]);
const PROCESS_ID = CSV_COLUMNS.indexOf('process_id');
const SEVERITY = CSV_COLUMNS.indexOf('error_severity');
const MESSAGE = CSV_COLUMNS.indexOf('message');
const MAX_CSV_CHARS = 1 << 20;

/**
 * `%m`/`%t` stamp: ISO date and time, a space and the zone as PostgreSQL prints it: a name
 * (`UTC`, `GMT`, `CEST`) or an offset (`+02`, `-03:30`). UTC/GMT and offsets are applied;
 * other names are read as local time in the configured zone (abbreviations are ambiguous).
 */
function pgStamp(s: string, zone: ZoneResolver): { ms: number; end: number } | undefined {
  const wall = isoStamp(s, 0, UTC_ZONE, ' ');
  if (!wall) return undefined;
  const sep = s.charCodeAt(wall.end);
  if (sep !== 32) return sep === 44 ? { ms: zone.toUtc(wall.ms), end: wall.end } : undefined;
  const p = wall.end + 1;
  const z = zoneOffset(s, p);
  if (z && z.end > p + 1 && (s.charCodeAt(z.end) === 32 || s.charCodeAt(z.end) === 44)) return { ms: wall.ms - z.minutes * 60000, end: z.end };
  let q = p;
  while (q < s.length && q - p <= 6) {
    const c = s.charCodeAt(q) | 32;
    if (c < 97 || c > 122) break;
    q++;
  }
  if (q === p || q - p > 6 || (s.charCodeAt(q) !== 32 && s.charCodeAt(q) !== 44)) return { ms: zone.toUtc(wall.ms), end: wall.end };
  const name = s.slice(p, q).toUpperCase();
  return { ms: name === 'UTC' || name === 'GMT' || name === 'Z' ? wall.ms : zone.toUtc(wall.ms), end: q };
}

/** Splits one csvlog record (RFC 4180 quoting); undefined when a quote is unbalanced. */
export function splitCsv(s: string): string[] | undefined {
  const out: string[] = [];
  let p = 0;
  for (;;) {
    if (s.charCodeAt(p) === 34) {
      let v = '';
      let q = p + 1;
      for (;;) {
        const close = s.indexOf('"', q);
        if (close < 0) return undefined;
        v += s.slice(q, close);
        if (s.charCodeAt(close + 1) === 34) {
          v += '"';
          q = close + 2;
          continue;
        }
        p = close + 1;
        break;
      }
      out.push(v);
    } else {
      let comma = s.indexOf(',', p);
      if (comma < 0) comma = s.length;
      out.push(s.slice(p, comma));
      p = comma;
    }
    if (p >= s.length) return out;
    if (s.charCodeAt(p) !== 44) return undefined;
    p++;
  }
}

/** Whether `s` ends inside a quoted csv field (counting quotes; `""` pairs cancel out). */
function openQuote(s: string, inside: boolean): boolean {
  let n = inside ? 1 : 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return (n & 1) === 1;
}

function statementFields(f: Fields, level: string, msg: string): void {
  if (level === 'STATEMENT' || level === 'QUERY') {
    f.Statement = msg;
    return;
  }
  const m = STATEMENT.exec(msg);
  if (m) {
    if (m[1] !== undefined) f.Duration = Number(m[1]);
    f.Statement = msg.slice(m[0].length);
  } else if (msg.startsWith('duration: ')) {
    const d = Number(msg.slice(10, msg.indexOf(' ', 10)));
    if (Number.isFinite(d)) f.Duration = d;
  }
}

class PostgresState implements LineDecoderState {
  private readonly zone: ZoneResolver;
  private readonly pending = new PendingRecord(['Message', 'Statement']);
  /** An unfinished csvlog record (a quoted field spans lines). */
  private csv: string[] | undefined;
  private csvLine = 0;
  private csvChars = 0;
  private csvQuote = false;

  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
  }

  line(text: string, lineNo: number, emit: Emit): void {
    if (this.csv) {
      this.csv.push(text);
      this.csvChars += text.length + 1;
      this.csvQuote = openQuote(text, this.csvQuote);
      if (!this.csvQuote) this.finishCsv(emit);
      else if (this.csvChars > MAX_CSV_CHARS) {
        reportLine(this.ctx, this.csvLine, `csvlog record longer than ${MAX_CSV_CHARS} characters (unbalanced quote?); skipped`);
        this.csv = undefined;
      }
      return;
    }
    if (text.length === 0) return;
    const st = pgStamp(text, this.zone);
    if (st && text.charCodeAt(st.end) === 44 /* , */) {
      this.pending.flush(emit);
      this.csv = [text];
      this.csvLine = lineNo;
      this.csvChars = text.length;
      this.csvQuote = openQuote(text, false);
      if (!this.csvQuote) this.finishCsv(emit);
      return;
    }
    const m = st ? PREFIX.exec(text.slice(st.end, st.end + 400)) : null;
    if (!st || !m) {
      // The server indents continuation lines of multi-line messages with a tab.
      if (!this.pending.continueWith(text, text.charCodeAt(0) === 9 ? text.slice(1) : text)) {
        reportLine(this.ctx, lineNo, `not a PostgreSQL log line; skipped: ${excerpt(text)}`);
      }
      return;
    }
    const f: Fields = { ProcessId: Number(m[1]) };
    if (m[2] !== undefined && m[2] !== '' && m[2] !== '[unknown]') f.User = m[2];
    if (m[3] !== undefined && m[3] !== '' && m[3] !== '[unknown]') f.Database = m[3];
    if (m[4] !== undefined) {
      for (const kv of m[4].split(',')) {
        const eq = kv.indexOf('=');
        const k = kv.slice(0, eq);
        const v = kv.slice(eq + 1);
        if (v === '' || v === '[unknown]') continue;
        if (k === 'user') f.User = v;
        else if (k === 'db') f.Database = v;
        else if (k === 'app') f.ApplicationName = v;
        else if (k === 'client') f.Client = v;
      }
    }
    f.Level = m[5]!;
    const msg = text.slice(st.end + m[0].length);
    f.Message = msg;
    statementFields(f, m[5]!, msg);
    this.pending.start(makeEvent(f, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, st.ms, undefined), emit);
  }

  private finishCsv(emit: Emit): void {
    const lines = this.csv ?? [];
    this.csv = undefined;
    const record = lines.join('\n');
    const cols = splitCsv(record);
    const st = pgStamp(record, this.zone);
    if (!cols || cols.length <= MESSAGE || !st) {
      reportLine(this.ctx, this.csvLine, `not a csvlog record; skipped: ${excerpt(record)}`);
      return;
    }
    const f: Fields = {};
    const pid = Number(cols[PROCESS_ID]);
    if (cols[PROCESS_ID] !== '' && Number.isInteger(pid)) f.ProcessId = pid;
    for (const [i, name] of CSV_FIELDS) {
      const v = cols[i];
      if (v !== undefined && v !== '') f[name] = v;
    }
    statementFields(f, cols[SEVERITY] ?? '', cols[MESSAGE] ?? '');
    if (f.Statement === undefined && typeof f.Query === 'string') f.Statement = f.Query;
    emit(makeEvent(f, LOGSOURCE, FORMAT, this.ctx.file, this.csvLine, record, st.ms, undefined));
  }

  end(emit: Emit): void {
    if (this.csv) {
      reportLine(this.ctx, this.csvLine, 'csvlog record cut off at end of input (unbalanced quote); skipped');
      this.csv = undefined;
    }
    this.pending.flush(emit);
  }
}

function isPgLine(l: string): boolean {
  const st = pgStamp(l, UTC_ZONE);
  if (!st) return false;
  if (l.charCodeAt(st.end) === 44) return /^,"?[^,]*"?,"?[^,]*"?,\d+,/.test(l.slice(st.end, st.end + 200));
  return PREFIX.test(l.slice(st.end, st.end + 400));
}

export const postgresqlDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'PostgreSQL server log (stderr with %m [%p] prefixes, csvlog)',
  sniff(lines: string[]): number {
    // Continuation lines (tab-indented statements, csv fields spanning lines) do not count against it.
    const heads: string[] = [];
    let inQuote = false;
    for (const l of lines) {
      if (inQuote) {
        inQuote = openQuote(l, true);
        continue;
      }
      if (l.charCodeAt(0) === 9) continue;
      heads.push(l);
      const st = pgStamp(l, UTC_ZONE);
      inQuote = st !== undefined && l.charCodeAt(st.end) === 44 && openQuote(l, false);
    }
    const s = share(heads, isPgLine);
    return s >= 0.5 ? 0.9 * s : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new PostgresState(ctx);
  },
};
