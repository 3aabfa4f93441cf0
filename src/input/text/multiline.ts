/**
 * Java-style logs put stack traces and long messages on continuation lines. This keeps the
 * last record open until the next record header (or end of input) and appends continuation
 * lines to its message and raw text, with a cap so one runaway record stays bounded.
 */
import type { Emit } from '../decoder.js';
import type { Event } from '../../event/event.js';

const MAX_EXTRA_CHARS = 64 * 1024;

export class PendingRecord {
  /** @param extend the string fields continuation lines are appended to (besides `raw`); when the record has none of them, the first is set. */
  constructor(private readonly extend: readonly string[] = ['Message']) {}

  private event: Event | undefined;
  private extra: string[] = [];
  /** Field text of the continuation lines, when some differ from their raw text. */
  private fieldExtra: string[] | undefined;
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

  /**
   * Appends a continuation line; false when no record is open. `fieldText` is what the
   * fields get when it differs from the raw line (PostgreSQL's continuation tab).
   */
  continueWith(text: string, fieldText: string = text): boolean {
    if (!this.event) return false;
    if (this.extraChars + text.length > MAX_EXTRA_CHARS) {
      this.truncated = true;
      return true;
    }
    this.extra.push(text);
    if (fieldText !== text || this.fieldExtra) (this.fieldExtra ??= this.extra.slice(0, -1)).push(fieldText);
    this.extraChars += text.length + 1;
    return true;
  }

  flush(emit: Emit): void {
    const ev = this.event;
    if (!ev) return;
    if (this.extra.length > 0) {
      const cut = this.truncated ? '\n…' : '';
      ev.raw = `${ev.raw ?? ''}\n${this.extra.join('\n')}${cut}`;
      const tail = (this.fieldExtra ?? this.extra).join('\n') + cut;
      let extended = false;
      for (const name of this.extend) {
        const v = ev.fields[name];
        if (typeof v !== 'string') continue;
        ev.fields[name] = `${v}\n${tail}`;
        extended = true;
      }
      if (!extended && this.extend.length > 0) ev.fields[this.extend[0]!] = tail;
    }
    this.event = undefined;
    this.extra = [];
    this.fieldExtra = undefined;
    this.extraChars = 0;
    this.truncated = false;
    emit(ev);
  }
}
