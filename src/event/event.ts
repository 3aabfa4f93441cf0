/**
 * The one event type that flows through the whole pipeline (see DESIGN.md).
 * Every decoder (JSON, EVTX, web logs, auditd, ...) and every non-log producer
 * (scanner findings, integrity drift) yields this shape; the engine only ever sees it.
 */

/** Sigma logsource triple. Missing members mean "unknown", not "any". */
export interface LogSource {
  product?: string;
  category?: string;
  service?: string;
}

/** Where an event came from, so every alert can be traced back to raw evidence. */
export interface EventOrigin {
  /** Path of the input file, or "-" for stdin, or a URL/stream name. */
  file: string;
  /** Line number (1-based) for text formats, the EventRecordID for EVTX. */
  record: number;
  /** Byte offset of the record in the (decompressed) input, when known. */
  offset?: number;
  /** Decoder that produced the event, e.g. "json", "evtx", "w3c", "auditd". */
  format: string;
  /** EVTX: the record's number in its file's record headers, when it differs from the EventRecordID. */
  ordinal?: number;
  /**
   * Identity of the byte stream independent of its path, when the path can change under it
   * (a tailed file renamed by rotation: a fingerprint of its first bytes). Event identity
   * (identity.ts) prefers it to `file`.
   */
  stream?: string;
  /**
   * The record's identity when its producer knows it better than its position (a scanner
   * finding: path and content hash). See identity.ts.
   */
  key?: string;
}

/**
 * A scalar or nested value as decoders deliver it. Fields are flat (Sigma field names),
 * but a value may be a list (unnamed EventData <Data> items, repeated keys).
 */
export type FieldValue = string | number | boolean | null | FieldValue[];

export type Fields = Record<string, FieldValue>;

export interface Event {
  /** Flat map: Sigma field name -> value. */
  fields: Fields;
  logsource: LogSource;
  /** Host name the event is about (Computer, syslog host, ...). */
  host?: string;
  /** Event time, epoch milliseconds (UTC). */
  timestamp?: number;
  origin: EventOrigin;
  /** Raw text of the record for line formats (kept so a detection shows its evidence). */
  raw?: string;
}
