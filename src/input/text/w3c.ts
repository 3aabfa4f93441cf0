/**
 * W3C extended log format as IIS writes it: `#Software/#Version/#Date/#Fields` directives
 * (which may change mid-file), space-separated values, `-` for empty, `+` for spaces in
 * header fields, times in UTC. Yields Sigma `category: webserver` events.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { civilMs, digits, excerpt, makeEvent, reportLine, share } from './common.js';

const FORMAT = 'w3c';
const LOGSOURCE: LogSource = { category: 'webserver' };

/** W3C header-field names to the Sigma webserver taxonomy names. */
const RENAME: Record<string, string> = {
  'cs(user-agent)': 'cs-user-agent',
  'cs(referer)': 'cs-referer',
  'cs(referrer)': 'cs-referer',
  'cs(cookie)': 'cs-cookie',
  'cs(host)': 'cs-host',
};

const NUMERIC = new Set(['sc-status', 'sc-substatus', 'sc-win32-status', 'sc-bytes', 'cs-bytes', 'time-taken', 's-port', 'c-port']);
/** Header fields where IIS writes `+` for a space. */
const PLUS_SPACES = new Set(['cs-user-agent', 'cs-referer', 'cs-cookie']);

interface Column {
  name: string;
  numeric: boolean;
  plus: boolean;
}

function columnsOf(spec: string): Column[] {
  const out: Column[] = [];
  for (const raw of spec.split(/\s+/)) {
    if (raw === '') continue;
    const lower = raw.toLowerCase();
    const name = RENAME[lower] ?? (lower.startsWith('cs(') || lower.startsWith('sc(') || lower.startsWith('s(') || lower.startsWith('c(') ? raw : lower);
    out.push({ name, numeric: NUMERIC.has(name), plus: PLUS_SPACES.has(name) });
  }
  return out;
}

/** "YYYY-MM-DD" and "hh:mm:ss[.fff]" to epoch ms. */
function stamp(date: string, time: string): number | undefined {
  if (date.length !== 10 || date[4] !== '-' || time.length < 8 || time[2] !== ':') return undefined;
  let ms = 0;
  if (time.length > 9 && time[8] === '.') ms = Math.floor(Number('0' + time.slice(8)) * 1000);
  return civilMs(digits(date, 0, 4), digits(date, 5, 2) - 1, digits(date, 8, 2), digits(time, 0, 2), digits(time, 3, 2), digits(time, 6, 2), ms);
}

class W3cState implements LineDecoderState {
  private columns: Column[] | undefined;
  private dateIndex = -1;
  private timeIndex = -1;
  private hostIndex = -1;
  /** Date of the `#Date:` directive, for files whose records carry only a time. */
  private directiveDate: string | undefined;
  private missingFieldsReported = false;

  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    if (text.charCodeAt(0) === 35 /* # */) {
      this.directive(text, lineNo);
      return;
    }
    const cols = this.columns;
    if (!cols) {
      if (!this.missingFieldsReported) reportLine(this.ctx, lineNo, 'W3C record before any #Fields directive; skipped (further such lines are not reported)');
      this.missingFieldsReported = true;
      return;
    }
    const fields: Fields = {};
    let start = 0;
    let col = 0;
    let date: string | undefined;
    let time: string | undefined;
    const n = text.length;
    while (start <= n) {
      let end = text.indexOf(' ', start);
      if (end < 0) end = n;
      if (col >= cols.length) {
        reportLine(this.ctx, lineNo, `W3C record has more values than the ${cols.length} #Fields; skipped: ${excerpt(text)}`);
        return;
      }
      const value = text.slice(start, end);
      if (col === this.dateIndex) date = value;
      else if (col === this.timeIndex) time = value;
      if (value !== '-') {
        const c = cols[col]!;
        if (c.numeric) {
          const num = Number(value);
          fields[c.name] = value !== '' && Number.isFinite(num) ? num : value;
        } else if (c.plus && value.includes('+')) {
          fields[c.name] = value.replaceAll('+', ' ');
        } else fields[c.name] = value;
      }
      col++;
      start = end + 1;
    }
    if (col !== cols.length) {
      reportLine(this.ctx, lineNo, `W3C record has ${col} values for ${cols.length} #Fields; skipped: ${excerpt(text)}`);
      return;
    }
    let ts: number | undefined;
    if (time !== undefined) {
      const d = date ?? this.directiveDate;
      if (d !== undefined) {
        ts = stamp(d, time);
        if (ts === undefined) {
          reportLine(this.ctx, lineNo, `W3C record has a bad date/time ${excerpt(d + ' ' + time)}; skipped`);
          return;
        }
      }
    }
    const host = this.hostIndex >= 0 ? (fields['s-computername'] as string | undefined) : undefined;
    emit(makeEvent(fields, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, ts, host));
  }

  private directive(text: string, lineNo: number): void {
    const colon = text.indexOf(':');
    if (colon < 0) return; // comment line
    const name = text.slice(1, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'fields') {
      const cols = columnsOf(value);
      if (cols.length === 0) {
        reportLine(this.ctx, lineNo, 'empty #Fields directive');
        return;
      }
      this.columns = cols;
      this.dateIndex = cols.findIndex((c) => c.name === 'date');
      this.timeIndex = cols.findIndex((c) => c.name === 'time');
      this.hostIndex = cols.findIndex((c) => c.name === 's-computername');
    } else if (name === 'date') {
      this.directiveDate = value.slice(0, 10);
    }
  }

  end(): void {
    // Records are complete on their own line; nothing is buffered.
  }
}

export const w3cDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'W3C extended log (IIS): #Fields directives, webserver category',
  sniff(lines: string[]): number {
    let fields = false;
    let software = false;
    for (const l of lines) {
      if (/^#Software: Microsoft Internet Information Services/i.test(l)) software = true;
      if (/^#Fields:\s*\S/.test(l)) fields = true;
    }
    if (fields && software) return 1;
    if (fields) return 0.95;
    if (software || share(lines, (l) => /^#(Version|Date|Software|Remark):/.test(l)) > 0.5) return 0.8;
    return 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new W3cState(ctx);
  },
};
