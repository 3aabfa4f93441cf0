/**
 * How far each byte stream has been read into a partition: for events that name their stream
 * (`origin.stream`: a tailed file's fingerprint, an ingest journal segment) and were published
 * by a collector (its id travels in the message's `Warden-Collector` header, so two collectors'
 * journals or two servers' look-alike files never share a mark), the highest record (line) a
 * worker has already processed. A collector that crashed after JetStream
 * acknowledged a batch but before it saved its position reads the batch again; when the file
 * grew meanwhile its batches are cut differently, so their de-duplication ids differ and the
 * stream keeps both. The marks drop the events already seen, so a correlation never counts an
 * event twice. A stream's records reach its partition in order (one collector reads a file
 * front to back, and a partition's messages keep their order), which is what makes one number
 * per stream enough.
 *
 * Kept in the partition's committed position; the least recently advanced streams are
 * forgotten past `max` (a rotated file that long gone is not read again).
 */
import type { Event } from '../event/event.js';

export class StreamMarks {
  private readonly marks = new Map<string, number>();

  constructor(
    saved?: unknown,
    private readonly max = 4096,
  ) {
    if (saved && typeof saved === 'object' && !Array.isArray(saved))
      for (const [k, v] of Object.entries(saved as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) this.marks.set(k, v);
  }

  /**
   * The events of one message that are new; the marks then move past them. Events of one
   * message are judged against the marks from before it, so two events of one line both pass.
   */
  fresh(events: readonly Event[], collector: string | undefined): Event[] {
    if (!collector) return events as Event[];
    const out: Event[] = [];
    const moved = new Map<string, number>();
    for (const ev of events) {
      if (ev.origin.stream === undefined) {
        out.push(ev);
        continue;
      }
      const s = `${collector}\u0000${ev.origin.stream}`;
      const mark = this.marks.get(s);
      if (mark !== undefined && ev.origin.record <= mark) continue;
      out.push(ev);
      if (ev.origin.record > (moved.get(s) ?? Number.NEGATIVE_INFINITY)) moved.set(s, ev.origin.record);
    }
    for (const [s, r] of moved) {
      this.marks.delete(s);
      this.marks.set(s, r);
    }
    while (this.marks.size > this.max) this.marks.delete(this.marks.keys().next().value as string);
    return out;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.marks);
  }
}
