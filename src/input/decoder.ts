/**
 * Decoder contracts. A decoder knows one input format and nothing about rules.
 *
 * Text formats implement `LineDecoder`: the shared reader (src/input/read.ts) opens the
 * file (gzip transparently), splits lines, and feeds them to one `LineDecoderState` per
 * file, so stateful formats (W3C `#Fields:`, auditd record grouping) keep their state
 * per file. Binary formats (EVTX) implement `FileDecoder` and read the file themselves.
 */
import type { Event } from '../event/event.js';
import type { ProblemSink } from '../errors.js';

export interface DecodeContext {
  /** Path of the input ("-" for stdin). */
  file: string;
  problems: ProblemSink;
  /**
   * Zone of formats that log local time without an offset (TeamCity, Jenkins, MSSQL
   * ERRORLOG, BSD syslog): "UTC", "+02:00", "-0530" or an IANA name. Default UTC.
   */
  timezone?: string;
  /** Epoch ms used to infer the missing year of BSD syslog stamps. Default: now. */
  now?: number;
}

export type Emit = (event: Event) => void;

export interface LineDecoderState {
  /** One line without its terminator; lineNo is 1-based. May emit 0..n events. */
  line(text: string, lineNo: number, emit: Emit): void;
  /** End of input: flush anything buffered (auditd groups, multi-line records). */
  end(emit: Emit): void;
}

export interface LineDecoder {
  readonly kind: 'line';
  /** Name used by --input-format and in Event.origin.format. */
  readonly format: string;
  /** One-line description for `--help` and the README. */
  readonly description: string;
  /**
   * Confidence 0..1 that a file whose first non-empty lines are `lines` is in this
   * format (auto-detection picks the highest; ties go to the earlier decoder).
   */
  sniff(lines: string[]): number;
  open(ctx: DecodeContext): LineDecoderState;
  /**
   * Whether a file in this format, whose first non-empty lines are `lines`, can be cut at any
   * line start and its pieces read on their own (worker threads): true for formats whose
   * lines are independent records; absent or false when a line depends on the ones before it
   * (W3C `#Fields:`, auditd record groups, multi-line application logs, JSON arrays).
   */
  splittable?(lines: string[]): boolean;
  /** Field values are new strings (JSON.parse), never slices of the line: detections need not copy them. */
  readonly freshFields?: boolean;
}

export interface FileDecoder {
  readonly kind: 'file';
  readonly format: string;
  readonly description: string;
  /** Confidence 0..1 from the first bytes of the file. */
  sniffBytes(head: Buffer): number;
  /**
   * Stream every event of the file (or of one part of it, from `split`). Problems go to
   * ctx.problems; never throws for bad data.
   */
  read(path: string, ctx: DecodeContext, part?: FilePart): AsyncIterable<Event>;
  /**
   * Optional: cut the file into at most `parts` pieces that can be read independently
   * (worker threads). Binary formats with self-contained blocks (EVTX chunks) offer this.
   */
  split?(path: string, parts: number): Promise<FilePart[]>;
}

/** One independently readable piece of a binary file; its meaning belongs to the decoder. */
export type FilePart = Readonly<Record<string, number>>;

export type Decoder = LineDecoder | FileDecoder;
