/**
 * Reads `warden events` output back (its own JSON Lines shape, event-record.ts): each line
 * becomes the event it was printed from, with its original origin, so detections over it
 * have the same ids as over the original logs.
 */
import type { Event, EventOrigin, Fields, LogSource } from '../event/event.js';
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from './decoder.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeRecord(v: unknown): v is { fields: Fields; source: EventOrigin; logsource: LogSource } {
  if (!isObject(v) || !isObject(v.fields) || !isObject(v.source) || !isObject(v.logsource)) return false;
  return typeof v.source.file === 'string' && typeof v.source.record === 'number' && typeof v.source.format === 'string';
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

class State implements LineDecoderState {
  constructor(private readonly ctx: DecodeContext) {}
  line(text: string, lineNo: number, emit: Emit): void {
    const v = parse(text);
    if (!looksLikeRecord(v)) {
      this.ctx.problems.report({ kind: 'input', file: this.ctx.file, line: lineNo, message: 'not a `warden events` record (needs fields, source and logsource); skipped' });
      return;
    }
    const rec = v as unknown as Record<string, unknown>;
    const ev: Event = { fields: v.fields, logsource: v.logsource, origin: v.source };
    if (typeof rec.host === 'string') ev.host = rec.host;
    if (typeof rec.timestamp === 'string') {
      const t = Date.parse(rec.timestamp);
      if (Number.isFinite(t)) ev.timestamp = t;
    }
    if (typeof rec.raw === 'string') ev.raw = rec.raw;
    emit(ev);
  }
  end(): void {}
}

export const wardenEventsDecoder: LineDecoder = {
  kind: 'line',
  format: 'warden-events',
  description: "Warden's own normalized events (`warden events` output), read back with their original origins",
  sniff(lines: string[]): number {
    const sample = lines.slice(0, 5);
    if (sample.length === 0) return 0;
    return sample.every((l) => looksLikeRecord(parse(l))) ? 0.99 : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new State(ctx);
  },
  splittable: () => true,
};
