/**
 * Java-style logs put stack traces and long messages on continuation lines. This keeps the
 * last record open until the next record header (or end of input) and appends continuation
 * lines to its message and raw text, with a cap so one runaway record stays bounded.
 */
import type { Emit } from '../decoder.js';
import type { Event } from '../../event/event.js';

const MAX_EXTRA_CHARS = 64 * 1024;

export class PendingRecord {
  private event: Event | undefined;
  private extra: string[] = [];
  private extraChars = 0;
  private truncated = false;

  get open(): boolean {
    return this.event !== undefined;
  }

  /** Emits the open record (if any) and opens `event`. */
  start(event: Event, emit: Emit): void {
    this.flush(emit);
    this.event = event;
  }

  /** Appends a continuation line; false when no record is open. */
  continueWith(text: string): boolean {
    if (!this.event) return false;
    if (this.extraChars + text.length > MAX_EXTRA_CHARS) {
      this.truncated = true;
      return true;
    }
    this.extra.push(text);
    this.extraChars += text.length + 1;
    return true;
  }

  flush(emit: Emit): void {
    const ev = this.event;
    if (!ev) return;
    if (this.extra.length > 0) {
      const tail = this.extra.join('\n') + (this.truncated ? '\n…' : '');
      ev.raw = `${ev.raw ?? ''}\n${tail}`;
      const msg = ev.fields.Message;
      ev.fields.Message = typeof msg === 'string' ? `${msg}\n${tail}` : tail;
    }
    this.event = undefined;
    this.extra = [];
    this.extraChars = 0;
    this.truncated = false;
    emit(ev);
  }
}
