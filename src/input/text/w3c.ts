/**
 * W3C extended log format as IIS writes it: `#Software/#Version/#Date/#Fields` directives
 * (which may change mid-file), space-separated values, `-` for empty, `+` for spaces in
 * header fields, times in UTC. Yields Sigma `category: webserver` events.
 *
 * Each `#Fields` text becomes a layout (column names, conversions, where date, time and host
 * are) once; layouts are kept per file in a small LRU, so IIS restarts and log rolls that
 * repeat a layout cost a lookup, and a file whose `#Fields` change at every record stays
 * linear in time and bounded in memory. A record is checked here (value count, date and
 * time) and its fields are built when first read (w3c-fields.ts).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { LogSource } from '../../event/event.js';
import { detached, excerpt, reportLine, share } from './common.js';
import { W3cEvent, W3cFieldBuilder } from './w3c-fields.js';
import { type Layout, layoutOf, stamp } from './w3c-layout.js';

const FORMAT = 'w3c';
const LOGSOURCE: LogSource = { category: 'webserver' };

/** Layouts remembered per file (most recently used kept). */
const MAX_LAYOUTS = 64;
/** Layouts up to this many columns give each record its array of value starts at once (see W3cState.line). */
const DIRECT_STARTS = 64;
/** #Fields lines remembered as written (see W3cState.recentLines). */
const RECENT_FIELDS_LINES = 4;

class W3cState implements LineDecoderState {
  private layout: Layout | undefined;
  /** Layouts by their `#Fields` text, least recently used first. */
  private readonly layouts = new Map<string, Layout>();
  /** Date of the `#Date:` directive, for files whose records carry only a time. */
  private directiveDate: string | undefined;
  private missingFieldsReported = false;
  /**
   * The last #Fields lines that gave a layout, as written, and their layouts: checked before the
   * layout table, so a log whose #Fields alternate (a log roll, several sites) pays a comparison.
   */
  private readonly recentLines: string[] = [];
  private readonly recentLayouts: Layout[] = [];
  private recentNext = 0;
  private readonly builder = new W3cFieldBuilder();
  /** Value starts of a record of a wide layout while it is checked (see line). */
  private readonly scratch: number[] = [];

  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    if (text.charCodeAt(0) === 35 /* # */) {
      this.directive(text, lineNo);
      return;
    }
    const layout = this.layout;
    if (!layout) {
      if (!this.missingFieldsReported) reportLine(this.ctx, lineNo, 'W3C record before any #Fields directive; skipped (further such lines are not reported)');
      this.missingFieldsReported = true;
      return;
    }
    const ncols = layout.columns.length;
    // Where each value starts: all the event keeps of the split until its fields are read. Wide
    // layouts scan into a buffer that is copied once the count is right, so a short record of
    // a layout with a huge #Fields costs its own length, not the layout's.
    const buf = ncols <= DIRECT_STARTS ? new Array<number>(ncols) : this.scratch;
    let start = 0;
    let col = 0;
    const len = text.length;
    while (start <= len) {
      let end = text.indexOf(' ', start);
      if (end < 0) end = len;
      if (col >= ncols) {
        reportLine(this.ctx, lineNo, `W3C record has more values than the ${ncols} #Fields; skipped: ${excerpt(text)}`);
        return;
      }
      buf[col++] = start;
      start = end + 1;
    }
    if (col !== ncols) {
      reportLine(this.ctx, lineNo, `W3C record has ${col} values for ${ncols} #Fields; skipped: ${excerpt(text)}`);
      return;
    }
    const starts = buf === this.scratch ? buf.slice(0, ncols) : buf;
    let ts: number | undefined;
    const ti = layout.timeIndex;
    if (ti >= 0) {
      const time = text.slice(starts[ti]!, ti + 1 < ncols ? starts[ti + 1]! - 1 : len);
      const di = layout.dateIndex;
      const d = di >= 0 ? text.slice(starts[di]!, di + 1 < ncols ? starts[di + 1]! - 1 : len) : this.directiveDate;
      if (d !== undefined) {
        ts = stamp(d, time);
        if (ts === undefined) {
          reportLine(this.ctx, lineNo, `W3C record has a bad date/time ${excerpt(d + ' ' + time)}; skipped`);
          return;
        }
      }
    }
    let host: string | undefined;
    const hi = layout.hostIndex;
    if (hi >= 0) {
      const hs = starts[hi]!;
      const he = hi + 1 < ncols ? starts[hi + 1]! - 1 : len;
      if (he - hs !== 1 || text.charCodeAt(hs) !== 45 /* - */) host = text.slice(hs, he);
    }
    emit(new W3cEvent(this.builder, layout, starts, LOGSOURCE, this.ctx.file, lineNo, FORMAT, text, ts, host));
  }

  private directive(text: string, lineNo: number): void {
    const recent = this.recentLines;
    for (let i = 0; i < recent.length; i++) {
      if (recent[i] === text) {
        this.layout = this.recentLayouts[i];
        return;
      }
    }
    // Only #Fields and #Date matter: another letter after the '#' starts a name that is neither.
    const c = text.charCodeAt(1) | 0x20;
    if (c >= 97 && c <= 122 && c !== 102 /* f */ && c !== 100 /* d */) return;
    const colon = text.indexOf(':');
    if (colon < 0) return; // comment line
    const name = text.slice(1, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'fields') {
      const layout = this.layoutFor(value);
      if (!layout) {
        reportLine(this.ctx, lineNo, 'empty #Fields directive');
        return;
      }
      this.layout = layout;
      const k = this.recentNext;
      // (Detached: the line is a slice of its read chunk, which a kept slice would keep too.)
      recent[k] = detached(text);
      this.recentLayouts[k] = layout;
      this.recentNext = (k + 1) % RECENT_FIELDS_LINES;
    } else if (name === 'date') {
      this.directiveDate = value.slice(0, 10);
    }
  }

  private layoutFor(spec: string): Layout | undefined {
    const layouts = this.layouts;
    let layout = layouts.get(spec);
    if (layout !== undefined) {
      // Most recently used last, so the first entry is the one to drop.
      layouts.delete(spec);
      layouts.set(layout.spec, layout);
      return layout;
    }
    layout = layoutOf(spec);
    if (layout === undefined) return undefined;
    if (layouts.size >= MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
    layouts.set(layout.spec, layout);
    return layout;
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
