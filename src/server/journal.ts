/**
 * The ingest journal: what arrives over HTTP or syslog is appended here and synced to disk
 * before the sender gets its answer, and the pipeline reads it back like a tailed file. So
 * an accepted batch survives `kill -9`, a restart replays exactly what the last snapshot had
 * not yet seen, and the identity of each event (journal segment + line) is the same on every
 * replay.
 *
 * Layout: `<dir>/segment-<n>.log`, each a sequence of batches: a header line
 * `{"b":SEQ,"f":FORMAT,"h":HOST?,"n":LINES,"z":BYTES}` and then exactly LINES raw lines of
 * BYTES bytes. Concurrent appends are written together (group commit: one write and one
 * fdatasync for all of them). A batch cut short by a crash was never acknowledged; the
 * writer truncates it away when it opens the journal again.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync } from 'node:fs';
import { type FileHandle, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { Event } from '../event/event.js';
import type { EventSource, SourceBatch, SourcePosition, SourceStats } from '../event/source.js';
import { checkFormat } from '../input/detect.js';
import { preloadDecoders } from '../input/registry.js';
import { LineEvents } from '../input/lines.js';
import { Backpressure, type IngestBatch, type IngestSink } from './view.js';

const SEGMENT_RE = /^segment-(\d{8})\.log$/;

function segmentName(n: number): string {
  return `segment-${String(n).padStart(8, '0')}.log`;
}

export function listSegments(dir: string): number[] {
  try {
    return readdirSync(dir)
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

interface Header {
  b: number;
  f: string;
  h?: string;
  n: number;
  z: number;
}

function parseHeader(line: string): Header | undefined {
  try {
    const v = JSON.parse(line) as Partial<Header>;
    if (typeof v.b === 'number' && typeof v.f === 'string' && typeof v.n === 'number' && typeof v.z === 'number') return v as Header;
  } catch {
    // not a header
  }
  return undefined;
}

/** Where a reader stands: a segment and a byte offset in it (at a batch boundary), and the lines before it. */
export interface JournalPosition {
  segment: number;
  offset: number;
  line: number;
}

/** Scans complete batches of `buf` from `start`; returns their end offset and line count. */
/**
 * Bytes of journal read at once: one source batch decodes all of them, so this (with the
 * service's queue budget) bounds the events held in flight; 256 KB is about a thousand events.
 * Smaller reads keep fewer events alive long enough for V8 to move them to its old generation,
 * whose size, not the live data, is what makes a long run's RSS swing (bench serve, phase 4).
 */
const READ_BYTES = 256 << 10;

function scanBatches(buf: Buffer, start: number, each?: (h: Header, body: Buffer, firstLine: number) => void, lineBase = 0): { end: number; lines: number } {
  let pos = start;
  let lines = 0;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) break;
    const h = parseHeader(buf.toString('utf8', pos, nl));
    if (!h) break;
    const bodyEnd = nl + 1 + h.z;
    if (bodyEnd > buf.length) break;
    each?.(h, buf.subarray(nl + 1, bodyEnd), lineBase + lines + 2);
    lines += 1 + h.n;
    pos = bodyEnd;
  }
  return { end: pos, lines };
}

export interface JournalOptions {
  /** A segment is closed and a new one started past this size. Default 64 MB. */
  segmentBytes?: number;
  /** Appends are refused (Backpressure) while the reader is this far behind. Default 256 MB. */
  maxLagBytes?: number;
}

export class IngestJournal extends EventEmitter implements IngestSink {
  private fh: FileHandle | undefined;
  private segment = 0;
  private size = 0;
  private seq = 0;
  private queue: { data: Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  /** Where the reader stands, for lag. */
  private reader: JournalPosition = { segment: 1, offset: 0, line: 0 };
  private readonly segmentBytes: number;
  private readonly maxLag: number;

  constructor(
    readonly dir: string,
    opts: JournalOptions = {},
  ) {
    super();
    this.segmentBytes = opts.segmentBytes ?? 64 << 20;
    this.maxLag = opts.maxLagBytes ?? 256 << 20;
  }

  /** Opens the newest segment for appending, cutting away a batch a crash left incomplete. */
  async open(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const segs = listSegments(this.dir);
    this.segment = segs.length ? segs[segs.length - 1]! : 1;
    const path = join(this.dir, segmentName(this.segment));
    this.fh = await open(path, 'a+');
    const { size } = await this.fh.stat();
    if (size > 0) {
      const buf = Buffer.alloc(size);
      await this.fh.read(buf, 0, size, 0);
      let maxSeq = 0;
      const { end } = scanBatches(buf, 0, (h) => {
        maxSeq = Math.max(maxSeq, h.b);
      });
      if (end < size) {
        await this.fh.truncate(end);
        await this.fh.datasync();
      }
      this.size = end;
      this.seq = maxSeq;
    }
  }

  /** Bytes appended that the reader has not read yet (whole segments between count as full). */
  get lag(): number {
    const r = this.reader;
    if (r.segment >= this.segment) return Math.max(0, this.size - r.offset);
    return (this.segment - r.segment) * this.segmentBytes - r.offset + this.size;
  }

  /** The reader's position, as it advances. */
  readerAt(pos: JournalPosition): void {
    this.reader = pos;
  }

  append(batch: IngestBatch): Promise<void> {
    if (!this.fh) return Promise.reject(new Error('the ingest journal is not open'));
    if (this.lag > this.maxLag) return Promise.reject(new Backpressure(`the pipeline is ${this.lag} bytes behind the ingest journal`, 1));
    const body = batch.lines.length ? `${batch.lines.join('\n')}\n` : '';
    const z = Buffer.byteLength(body);
    const h: Header = { b: ++this.seq, f: batch.format, n: batch.lines.length, z };
    if (batch.host !== undefined) h.h = batch.host;
    const data = Buffer.from(`${JSON.stringify(h)}\n${body}`);
    return new Promise((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const items = this.queue;
        this.queue = [];
        try {
          if (this.size >= this.segmentBytes) await this.nextSegment();
          const data = items.length === 1 ? items[0]!.data : Buffer.concat(items.map((i) => i.data));
          await this.fh!.write(data, 0, data.length, null);
          await this.fh!.datasync();
          this.size += data.length;
          for (const i of items) i.resolve();
          this.emit('appended');
        } catch (e) {
          for (const i of items) i.reject(e);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async nextSegment(): Promise<void> {
    await this.fh?.close();
    this.segment++;
    this.fh = await open(join(this.dir, segmentName(this.segment)), 'a+');
    this.size = 0;
  }

  /** Deletes segments wholly before `pos` (the oldest position any saved state may replay from). */
  async prune(pos: JournalPosition): Promise<number> {
    let n = 0;
    for (const s of listSegments(this.dir)) {
      if (s >= pos.segment || s >= this.segment) break;
      await rm(join(this.dir, segmentName(s)), { force: true });
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setTimeout(r, 5));
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** Reads the journal back as events, batch by batch, from a saved position. */
export class JournalSource implements EventSource {
  readonly name: string;
  private readonly counters: SourceStats = { events: 0, records: 0 };
  private pos: JournalPosition = { segment: 1, offset: 0, line: 0 };
  /** Bytes not yet read in the segments on disk. */
  lagBytes = 0;

  constructor(
    private readonly journal: IngestJournal,
    opts: { name?: string; pollMs?: number; timezone?: string } = {},
  ) {
    this.name = opts.name ?? 'ingest';
    this.pollMs = opts.pollMs ?? 100;
    this.timezone = opts.timezone;
  }
  private readonly pollMs: number;
  private readonly timezone: string | undefined;

  stats(): SourceStats {
    return this.counters;
  }

  position(): JournalPosition {
    return { ...this.pos };
  }

  async *batches(problems: ProblemSink, opts: { from?: SourcePosition; signal?: AbortSignal } = {}): AsyncGenerator<SourceBatch> {
    const from = opts.from as unknown as JournalPosition | undefined;
    const segs = listSegments(this.journal.dir);
    if (from && typeof from.segment === 'number') this.pos = { segment: from.segment, offset: from.offset, line: from.line };
    else this.pos = { segment: segs[0] ?? 1, offset: 0, line: 0 };
    const signal = opts.signal;
    let wake: (() => void) | undefined;
    const onAppend = (): void => wake?.();
    this.journal.on('appended', onAppend);
    try {
      while (!signal?.aborted) {
        const got = await this.readSome(problems);
        if (got) {
          yield got;
          continue;
        }
        // Nothing complete in this segment; a newer one means this one is finished.
        const newer = listSegments(this.journal.dir).find((s) => s > this.pos.segment);
        if (newer !== undefined && (await this.atEnd())) {
          this.pos = { segment: newer, offset: 0, line: 0 };
          continue;
        }
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(t);
            signal?.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const t = setTimeout(done, this.pollMs);
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      this.journal.off('appended', onAppend);
    }
  }

  private path(): string {
    return join(this.journal.dir, segmentName(this.pos.segment));
  }

  private async atEnd(): Promise<boolean> {
    try {
      return (await stat(this.path())).size <= this.pos.offset;
    } catch {
      return true;
    }
  }

  /** Decodes the complete batches after the position (up to about READ_BYTES). */
  private async readSome(problems: ProblemSink): Promise<SourceBatch | undefined> {
    // Batches name their format and are decoded in a synchronous callback: every decoder is loaded (once).
    await preloadDecoders();
    let fh: FileHandle;
    try {
      fh = await open(this.path(), 'r');
    } catch {
      return undefined;
    }
    try {
      const size = (await fh.stat()).size;
      this.lagBytes = Math.max(0, size - this.pos.offset);
      if (size <= this.pos.offset) return undefined;
      const want = Math.min(size - this.pos.offset, READ_BYTES);
      let buf = Buffer.alloc(want);
      let { bytesRead } = await fh.read(buf, 0, want, this.pos.offset);
      buf = buf.subarray(0, bytesRead);
      let scan = scanBatches(buf, 0);
      if (scan.end === 0 && bytesRead < size - this.pos.offset) {
        // One batch bigger than a read: read it whole.
        const nl = buf.indexOf(10);
        const h = nl >= 0 ? parseHeader(buf.toString('utf8', 0, nl)) : undefined;
        if (h) {
          const need = nl + 1 + h.z;
          buf = Buffer.alloc(need);
          ({ bytesRead } = await fh.read(buf, 0, need, this.pos.offset));
          buf = buf.subarray(0, bytesRead);
          scan = scanBatches(buf, 0);
        }
      }
      if (scan.end === 0) return undefined;
      const events: Event[] = [];
      const stream = `journal:${this.pos.segment}`;
      scanBatches(
        buf.subarray(0, scan.end),
        0,
        (h, body, firstLine) => {
          const f = checkFormatSafe(h.f);
          const d = f?.kind === 'line' ? f.loaded() : undefined;
          if (d === undefined) {
            problems.report({
              kind: 'input',
              file: `ingest journal ${this.pos.segment}`,
              line: firstLine,
              message: `batch ${h.b}: format ${JSON.stringify(h.f)} cannot be decoded; skipped`,
            });
            return;
          }
          const lines = new LineEvents(d, { file: 'ingest', problems, timezone: this.timezone, host: h.h, lineOffset: firstLine - 1 });
          lines.write(body.toString('utf8'));
          lines.end();
          for (const ev of lines.take()) {
            ev.origin.stream = stream;
            events.push(ev);
          }
        },
        this.pos.line,
      );
      this.pos = { segment: this.pos.segment, offset: this.pos.offset + scan.end, line: this.pos.line + scan.lines };
      this.journal.readerAt(this.pos);
      this.counters.events += events.length;
      this.counters.records += scan.lines;
      return { events, position: this.position() as unknown as SourcePosition };
    } catch (e) {
      problems.report({ kind: 'input', file: this.path(), message: `cannot read the ingest journal: ${errorMessage(e)}` });
      return undefined;
    } finally {
      await fh.close();
    }
  }
}

function checkFormatSafe(name: string): ReturnType<typeof checkFormat> {
  try {
    return checkFormat(name);
  } catch {
    return undefined;
  }
}
