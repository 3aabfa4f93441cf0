/**
 * Text to lines to events, for any stream of text (a file, stdin, an HTTP body, a tailed
 * file). Lines end at LF, CRLF or a lone CR; each is numbered (1-based) as a text editor
 * would; lines longer than the limit are reported and skipped without being held.
 * A `LineEvents` feeds the lines of one stream to one decoder state, so stateful formats
 * (W3C `#Fields:`, auditd record groups) keep their state per stream.
 */
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { Event } from '../event/event.js';
import type { LineDecoder, LineDecoderState } from './decoder.js';

export const DEFAULT_MAX_LINE = 16 * 1024 * 1024;

export interface LineSink {
  line(text: string, lineNo: number): void;
  tooLong(lineNo: number): void;
}

export class LineSplitter {
  private pending = '';
  private skipping = false;
  private skipStart = 0;
  /** A CR ended the previous chunk: an LF at the start of the next one belongs to it. */
  private crAtEnd = false;
  lineNo = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLine: number = DEFAULT_MAX_LINE,
  ) {}

  /** Text not yet ended by a line break (a half-written last line waits for its newline). */
  get partial(): string {
    return this.pending;
  }

  push(text: string): void {
    if (text.length === 0) return;
    let i = 0;
    if (this.crAtEnd) {
      this.crAtEnd = false;
      if (text.charCodeAt(0) === 10) i = 1;
    }
    const hasCr = text.indexOf('\r', i) >= 0;
    // The next LF and CR at or after i, searched again only once i has passed them: a chunk of
    // CR-only lines would otherwise rescan to its end for an LF on every line (quadratic).
    let lf = -2;
    let cr = -2;
    for (;;) {
      if (lf !== -1 && lf < i) lf = text.indexOf('\n', i);
      let j = lf;
      let next: number;
      if (hasCr) {
        if (cr !== -1 && cr < i) cr = text.indexOf('\r', i);
        const r = cr;
        if (r >= 0 && (j < 0 || r < j)) {
          if (r + 1 === text.length) {
            // CR at the very end: the line ends here; an LF may follow in the next chunk.
            this.crAtEnd = true;
            j = r;
            next = r + 1;
          } else {
            j = r;
            next = text.charCodeAt(r + 1) === 10 ? r + 2 : r + 1;
          }
        } else next = j + 1;
      } else next = j + 1;
      if (j < 0) {
        this.keep(text, i);
        return;
      }
      this.complete(text, i, j);
      i = next;
      if (i >= text.length) return;
    }
  }

  /** End of the stream: the last line need not end with a line break. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.lineNo++;
      this.sink.tooLong(this.skipStart);
    } else if (this.pending.length) {
      const line = this.pending;
      this.pending = '';
      this.lineNo++;
      this.sink.line(line, this.lineNo);
    }
  }

  private keep(text: string, from: number): void {
    if (this.skipping) return;
    const rest = from === 0 ? text : text.slice(from);
    if (this.pending.length + rest.length > this.maxLine) {
      this.skipping = true;
      this.skipStart = this.lineNo + 1;
      this.pending = '';
    } else this.pending += rest;
  }

  private complete(text: string, i: number, j: number): void {
    if (this.skipping) {
      this.skipping = false;
      this.lineNo++;
      this.sink.tooLong(this.skipStart);
      return;
    }
    if (this.pending.length) {
      const line = this.pending + text.slice(i, j);
      this.pending = '';
      this.lineNo++;
      if (line.length > this.maxLine) this.sink.tooLong(this.lineNo);
      else this.sink.line(line, this.lineNo);
      return;
    }
    this.lineNo++;
    if (j - i > this.maxLine) this.sink.tooLong(this.lineNo);
    else this.sink.line(text.slice(i, j), this.lineNo);
  }
}

export interface LineEventsOptions {
  file: string;
  problems: ProblemSink;
  timezone?: string;
  /** Host for events whose log names none. */
  host?: string;
  maxLineChars?: number;
  /** Added to every line number (a byte range of a file that starts after line 1). */
  lineOffset?: number;
}

/** Lines of one stream through one decoder state, collecting events until taken. */
export class LineEvents {
  private readonly state: LineDecoderState;
  private readonly splitter: LineSplitter;
  private batch: Event[] = [];
  private readonly emit: (e: Event) => void;

  constructor(
    decoder: LineDecoder,
    private readonly opts: LineEventsOptions,
  ) {
    this.state = decoder.open({ file: opts.file, problems: opts.problems, timezone: opts.timezone });
    const host = opts.host;
    this.emit =
      host === undefined
        ? (e) => {
            this.batch.push(e);
          }
        : (e) => {
            if (e.host === undefined) e.host = host;
            this.batch.push(e);
          };
    const offset = opts.lineOffset ?? 0;
    const max = opts.maxLineChars ?? DEFAULT_MAX_LINE;
    this.splitter = new LineSplitter(
      {
        line: (text, n) => {
          if (text.length === 0) return;
          try {
            this.state.line(text, n + offset, this.emit);
          } catch (e) {
            opts.problems.report({ kind: 'input', file: opts.file, line: n + offset, message: `decoder failed: ${errorMessage(e)}` });
          }
        },
        tooLong: (n) => opts.problems.report({ kind: 'input', file: opts.file, line: n + offset, message: `line longer than ${max} characters skipped` }),
      },
      max,
    );
  }

  /** Lines seen so far (complete ones). */
  get lines(): number {
    return this.splitter.lineNo;
  }

  get partial(): string {
    return this.splitter.partial;
  }

  write(text: string): void {
    this.splitter.push(text);
  }

  /** End of the stream: the last line, then whatever the decoder still holds. */
  end(): void {
    this.splitter.end();
    try {
      this.state.end(this.emit);
    } catch (e) {
      this.opts.problems.report({ kind: 'input', file: this.opts.file, message: `decoder failed at end of input: ${errorMessage(e)}` });
    }
  }

  /** The events decoded since the last call. */
  take(): Event[] {
    const b = this.batch;
    this.batch = [];
    return b;
  }
}
