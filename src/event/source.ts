/**
 * Where events come from. Every input of every driver — files and folders, stdin, the
 * scanner's findings, and later tailed files, a syslog socket, HTTP bodies, a JetStream
 * consumer, component changes — is an `EventSource`: it yields batches of events with their
 * origins and says where it is, so a driver can commit that position with what the batch
 * produced and resume from it after a restart.
 */
import type { ProblemSink } from '../errors.js';
import type { Event } from './event.js';

/**
 * A resumable position: plain JSON the source understands (a byte offset and a file
 * fingerprint, a stream sequence, ...). Opaque to everyone else.
 */
export type SourcePosition = Readonly<Record<string, string | number | boolean | null>>;

export interface SourceBatch {
  events: Event[];
  /** Where the source is after this batch: resuming from it yields what follows the batch. */
  position?: SourcePosition;
  /**
   * The events' field values are strings of their own (JSON.parse, binary decoding), not
   * slices of a shared read buffer, so a detection may keep them without copying.
   */
  freshFields?: boolean;
}

export interface SourceStats {
  /** Events yielded so far. */
  events: number;
  /** Input units read (lines for text, records for binary formats). */
  records: number;
  /** Decoder name, once known. */
  format?: string;
}

export interface EventSource {
  /** A name for messages and health pages (a path, "stdin", "syslog udp://0.0.0.0:514"). */
  readonly name: string;
  /**
   * Reads the source from `from` (or its start). Problems with the input are reported, never
   * thrown; the iteration ends when the source is exhausted (files) or `signal` aborts (live
   * sources).
   */
  batches(problems: ProblemSink, opts?: { from?: SourcePosition; signal?: AbortSignal }): AsyncIterable<SourceBatch>;
  /** Counters of what was read so far. */
  stats(): SourceStats;
}
