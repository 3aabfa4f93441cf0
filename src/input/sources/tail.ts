/**
 * Tailed files as a live `EventSource`: one or more paths or globs, polled; new files that
 * match are picked up. A file is known by a fingerprint of its first bytes (sha256 of up to
 * 1 KB), not by its name or inode, so
 *   - rotation by rename: the renamed file is drained through the handle already open, and
 *     found again under its new name (a glob that includes rotated names) after a restart;
 *   - copytruncate: the copy carries the old fingerprint and is continued where reading
 *     stopped; the truncated original is a new stream (a new generation when its first bytes
 *     happen to be the same, e.g. a shared header);
 *   - a restart resumes each stream at its saved byte offset and line number: no line is read
 *     twice, none is skipped.
 * Only complete lines are read: a half-written last line waits for its line break. Decoders
 * whose lines depend on earlier ones (W3C `#Fields:`, auditd groups, multi-line application
 * logs) are warmed up on a restart by reading the stream's earlier lines without emitting them.
 * UTF-8 text only (a BOM is skipped).
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { ProblemSink } from '../../errors.js';
import { errorMessage } from '../../errors.js';
import type { Event } from '../../event/event.js';
import type { EventSource, SourceBatch, SourcePosition, SourceStats } from '../../event/source.js';
import type { LineFormat } from '../registry.js';
import { checkFormat, headLines, lineDecoderFor } from '../detect.js';
import { expandGlob } from '../glob-files.js';
import { DEFAULT_MAX_LINE, LineEvents } from '../lines.js';

export interface TailOptions {
  /** Name for health pages and problems. */
  name: string;
  /** Files or globs (`*`, `?`, `[...]`, `**`). */
  paths: readonly string[];
  /** Decoder name; sniffed from the first file's first lines when absent. */
  format?: string;
  host?: string;
  timezone?: string;
  /** How often files are checked for new data and new names (ms). Default 250. */
  pollMs?: number;
  /** Bytes of a file's head that identify it. Default 1024. */
  fingerprintBytes?: number;
  /** Most bytes read from one file per poll. Default 1 MB. */
  readChunk?: number;
  maxLineChars?: number;
  /** Files seen for the first time with no saved position: read from the start (default) or only what is appended. */
  startAt?: 'beginning' | 'end';
}

interface Stream extends SavedStream {
  fh?: FileHandle;
  dev?: number;
  ino?: number;
  lines?: LineEvents;
  /** The file left the glob (renamed away, deleted): drained to its end, then closed. */
  gone?: boolean;
  /** Bytes available beyond `offset` at the last look (lag). */
  behind: number;
}

interface SavedStream {
  id: string;
  hash: string;
  k: number;
  gen: number;
  path: string;
  offset: number;
  line: number;
}

interface TailPosition {
  v: 1;
  format?: string;
  streams: SavedStream[];
}

const SAVED_STREAMS = 256;

/** Waits `ms`, or less when the signal aborts; leaves no listener behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function countLines(fh: FileHandle, upto: number): Promise<number> {
  const b = Buffer.alloc(1 << 20);
  let n = 0;
  for (let pos = 0; pos < upto; ) {
    const { bytesRead } = await fh.read(b, 0, Math.min(b.length, upto - pos), pos);
    if (bytesRead <= 0) break;
    for (let i = b.indexOf(10, 0); i >= 0 && i < bytesRead; i = b.indexOf(10, i + 1)) n++;
    pos += bytesRead;
  }
  return n;
}

async function headHash(fh: FileHandle, k: number): Promise<string> {
  const b = Buffer.alloc(k);
  const { bytesRead } = await fh.read(b, 0, k, 0);
  return createHash('sha256').update(b.subarray(0, bytesRead)).digest('hex').slice(0, 24);
}

/** Last line break in b at which text can be cut; a CR at the very end may still be followed by an LF. */
function lastBreak(b: Buffer, end: number): number {
  for (let i = end - 1; i >= 0; i--) {
    const c = b[i];
    if (c === 10) return i + 1;
    if (c === 13) return i + 1 < end ? i + 1 : -1;
  }
  return -1;
}

export class TailSource implements EventSource {
  readonly name: string;
  private readonly streams: Stream[] = [];
  /** The format, known from the options, the saved position or the first lines (its decoder: `format.load()`). */
  private format: LineFormat | undefined;
  private readonly counters: SourceStats = { events: 0, records: 0 };
  private readonly pollMs: number;
  private readonly k: number;
  private readonly chunk: number;
  private readonly maxLine: number;
  /** Bytes not yet read, over every stream (lag). */
  lagBytes = 0;
  /** Copytruncate rotations seen. */
  truncations = 0;
  private polls = 0;

  constructor(private readonly opts: TailOptions) {
    this.name = opts.name;
    this.pollMs = opts.pollMs ?? 250;
    this.k = opts.fingerprintBytes ?? 1024;
    this.chunk = opts.readChunk ?? 1 << 20;
    this.maxLine = opts.maxLineChars ?? DEFAULT_MAX_LINE;
    if (opts.format) {
      const d = checkFormat(opts.format);
      if (d?.kind !== 'line') throw new Error(`source ${opts.name}: format ${opts.format} cannot be tailed (binary formats are read from the drop folder)`);
      this.format = d;
    }
  }

  stats(): SourceStats {
    return this.counters;
  }

  position(): TailPosition {
    const live = this.streams.filter((s) => !s.gone || s.fh);
    const old = this.streams.filter((s) => s.gone && !s.fh).slice(-SAVED_STREAMS);
    const streams = [...old, ...live].map((s) => ({ id: s.id, hash: s.hash, k: s.k, gen: s.gen, path: s.path, offset: s.offset, line: s.line }));
    const p: TailPosition = { v: 1, streams };
    if (this.format) p.format = this.format.format;
    return p;
  }

  private restore(from: SourcePosition | undefined): void {
    const p = from as unknown as TailPosition | undefined;
    if (p?.v !== 1 || !Array.isArray(p.streams)) return;
    if (p.format && !this.format) {
      const d = checkFormat(p.format);
      if (d?.kind === 'line') this.format = d;
    }
    for (const s of p.streams) this.streams.push({ ...s, behind: 0, gone: true });
  }

  async *batches(problems: ProblemSink, opts: { from?: SourcePosition; signal?: AbortSignal } = {}): AsyncGenerator<SourceBatch> {
    this.restore(opts.from);
    const firstRun = opts.from === undefined;
    const signal = opts.signal;
    try {
      while (!signal?.aborted) {
        this.polls++;
        await this.discover(problems, firstRun);
        let any = false;
        for (const s of this.streams) {
          if (signal?.aborted) break;
          if (!s.fh) continue;
          const events = await this.readStream(s, problems);
          if (events === undefined) continue;
          any = true;
          yield { events, position: this.position() as unknown as SourcePosition, freshFields: this.format?.loaded()?.freshFields === true };
        }
        this.lagBytes = this.streams.reduce((n, s) => n + (s.fh ? s.behind : 0), 0);
        if (!any) await sleep(this.pollMs, signal);
      }
    } finally {
      for (const s of this.streams) {
        await s.fh?.close().catch(() => undefined);
        s.fh = undefined;
      }
    }
  }

  /** Binds files matching the globs to streams: known ones by fingerprint, new ones as new streams. */
  private async discover(problems: ProblemSink, firstRun: boolean): Promise<void> {
    const files: { path: string; dev: number; ino: number; size: number }[] = [];
    for (const path of this.opts.paths.flatMap((p) => expandGlob(p))) {
      try {
        const st = await stat(path);
        if (st.isFile()) files.push({ path, dev: st.dev, ino: st.ino, size: st.size });
      } catch {
        // gone between the listing and now
      }
    }
    const seen = new Set<Stream>();
    const unbound: typeof files = [];
    // 1. Files already bound keep their stream, unless they got shorter than what was read or
    //    no longer start with the stream's first bytes (truncated, then rewritten): those are
    //    identified again below, together with the new files.
    for (const f of files) {
      const bound = this.streams.find((s) => s.fh && s.dev === f.dev && s.ino === f.ino);
      if (!bound) {
        unbound.push(f);
        continue;
      }
      bound.path = f.path;
      if (f.size < bound.offset || (this.polls % 4 === 0 && !(await this.sameHead(bound)))) {
        await bound.fh?.close().catch(() => undefined);
        bound.fh = undefined;
        bound.gone = true;
        this.truncations++;
        unbound.push(f);
      } else seen.add(bound);
    }
    // 2. A stream whose file is not open continues in the file that starts with its bytes and is
    //    at least as long as what was read; one that starts with them but is shorter is the same
    //    file truncated (copytruncate): a new generation of it. Anything else is a new stream.
    for (const f of unbound) {
      if (f.size === 0) continue;
      let fh: FileHandle;
      try {
        fh = await open(f.path, 'r');
      } catch (e) {
        problems.report({ kind: 'input', file: f.path, message: `cannot open: ${errorMessage(e)}` });
        continue;
      }
      const fst = await fh.stat();
      let match: Stream | undefined;
      let shorter: Stream | undefined;
      for (const s of this.streams) {
        if (s.fh || fst.size < s.k) continue;
        if ((await headHash(fh, s.k)) !== s.hash) continue;
        if (fst.size >= s.offset) {
          match = s;
          break;
        }
        shorter ??= s;
      }
      if (match) {
        Object.assign(match, { fh, dev: fst.dev, ino: fst.ino, path: f.path, gone: false });
        seen.add(match);
        await this.warmUp(match);
        continue;
      }
      let s: Stream;
      if (shorter) {
        const base = shorter;
        const gen = Math.max(...this.streams.filter((x) => x.hash === base.hash && x.k === base.k).map((x) => x.gen)) + 1;
        s = { id: `${base.hash}:${base.k}:g${gen}`, hash: base.hash, k: base.k, gen, path: f.path, offset: 0, line: 0, fh, dev: fst.dev, ino: fst.ino, behind: 0 };
      } else {
        const k = Math.min(this.k, fst.size);
        const hash = await headHash(fh, k);
        // The same first bytes as another stream (a distinct file): a distinct stream.
        const gen = this.streams.filter((x) => x.hash === hash && x.k === k).length + 1;
        s = { id: gen > 1 ? `${hash}:${k}:g${gen}` : `${hash}:${k}`, hash, k, gen, path: f.path, offset: 0, line: 0, fh, dev: fst.dev, ino: fst.ino, behind: 0 };
        // "end" applies only when nothing was saved: a saved position always resumes.
        if (firstRun && this.opts.startAt === 'end') {
          s.offset = await this.endOfLastLine(fh, fst.size);
          s.line = await countLines(fh, s.offset);
        }
      }
      this.streams.push(s);
      seen.add(s);
    }
    for (const s of this.streams) {
      if (s.fh && !seen.has(s)) s.gone = true;
    }
  }

  /** Decoders whose lines depend on earlier ones see the stream's earlier lines again (nothing is emitted). */
  private async warmUp(s: Stream): Promise<void> {
    if (s.offset === 0 || !this.format || !s.fh) return;
    const decoder = await this.format.load();
    const head = Buffer.alloc(Math.min(64 * 1024, s.offset));
    const { bytesRead } = await s.fh.read(head, 0, head.length, 0);
    if (decoder.splittable?.(headLines(head.subarray(0, bytesRead))) === true) return;
    const quiet: ProblemSink = { report: () => undefined };
    const lines = new LineEvents(decoder, { file: s.path, problems: quiet, timezone: this.opts.timezone, host: this.opts.host, maxLineChars: this.maxLine });
    let pos = 0;
    const buf = Buffer.alloc(Math.min(this.chunk, s.offset));
    while (pos < s.offset) {
      const want = Math.min(buf.length, s.offset - pos);
      const { bytesRead } = await s.fh.read(buf, 0, want, pos);
      if (bytesRead <= 0) break;
      let start = 0;
      if (pos === 0 && bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      lines.write(buf.toString('utf8', start, bytesRead));
      lines.take();
      pos += bytesRead;
    }
    s.lines = lines;
  }

  /** Whether the bound file still starts with the bytes that identify its stream (else it was truncated and rewritten). */
  private async sameHead(s: Stream): Promise<boolean> {
    if (!s.fh) return true;
    try {
      return (await headHash(s.fh, s.k)) === s.hash;
    } catch {
      return true;
    }
  }

  private async endOfLastLine(fh: FileHandle, size: number): Promise<number> {
    const back = Math.min(size, 64 * 1024);
    const b = Buffer.alloc(back);
    const { bytesRead } = await fh.read(b, 0, back, size - back);
    const cut = lastBreak(b, bytesRead);
    return cut < 0 ? size - back : size - back + cut;
  }

  private sniff(head: Buffer, problems: ProblemSink, path: string): void {
    if (this.format) return;
    const lines = headLines(head);
    if (lines.length === 0) return;
    const d = lineDecoderFor(lines);
    if (d) this.format = d;
    else problems.report({ kind: 'input', file: path, message: `source ${this.name}: no decoder recognizes this file; set "format" for the source` });
  }

  /** New complete lines of one stream, decoded; undefined when there was nothing new. */
  private async readStream(s: Stream, problems: ProblemSink): Promise<Event[] | undefined> {
    const fh = s.fh!;
    let size: number;
    try {
      size = (await fh.stat()).size;
    } catch {
      return undefined;
    }
    s.behind = Math.max(0, size - s.offset);
    if (size <= s.offset) {
      if (s.gone) {
        await fh.close().catch(() => undefined);
        s.fh = undefined;
      }
      return undefined;
    }
    let want = Math.min(this.chunk, size - s.offset);
    let buf = Buffer.alloc(want);
    let { bytesRead } = await fh.read(buf, 0, want, s.offset);
    let cut = lastBreak(buf, bytesRead);
    // One line longer than a read: read more of it, up to the line limit.
    while (cut < 0 && bytesRead === want && want < this.maxLine && s.offset + want < size) {
      want = Math.min(this.maxLine + 2, size - s.offset, want * 4);
      buf = Buffer.alloc(want);
      ({ bytesRead } = await fh.read(buf, 0, want, s.offset));
      cut = lastBreak(buf, bytesRead);
    }
    if (cut < 0) {
      if (bytesRead > this.maxLine) {
        // Too long even at the limit: skip to the next line break.
        const skip = await this.skipLongLine(s, size);
        problems.report({ kind: 'input', file: s.path, line: s.line + 1, message: `line longer than ${this.maxLine} characters skipped` });
        s.offset = skip;
        s.line++;
        return [];
      }
      if (s.gone)
        cut = bytesRead; // the file will not grow any more: its last line is complete
      else return undefined;
    }
    this.sniff(buf.subarray(0, cut), problems, s.path);
    if (!this.format) return undefined;
    const decoder = await this.format.load();
    if (!s.lines) s.lines = new LineEvents(decoder, { file: s.path, problems, timezone: this.opts.timezone, host: this.opts.host, maxLineChars: this.maxLine, lineOffset: s.line });
    let start = 0;
    if (s.offset === 0 && cut >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
    const before = s.lines.lines;
    s.lines.write(buf.toString('utf8', start, cut));
    if (s.gone && cut === bytesRead && s.offset + cut >= size) s.lines.end();
    const events = s.lines.take();
    s.line += s.lines.lines - before;
    s.offset += cut;
    s.behind = Math.max(0, size - s.offset);
    // A stream first seen small is matched by more of its head once there is more (its id stays).
    if (s.k < this.k && size >= this.k) {
      s.hash = await headHash(fh, this.k);
      s.k = this.k;
    }
    this.counters.records = this.streams.reduce((n, x) => n + x.line, 0);
    for (const ev of events) {
      ev.origin.stream = s.id;
      ev.origin.file = s.path;
    }
    this.counters.events += events.length;
    if (!this.counters.format) this.counters.format = decoder.format;
    return events;
  }

  private async skipLongLine(s: Stream, size: number): Promise<number> {
    const fh = s.fh!;
    const b = Buffer.alloc(64 * 1024);
    let pos = s.offset + this.maxLine;
    while (pos < size) {
      const { bytesRead } = await fh.read(b, 0, b.length, pos);
      if (bytesRead <= 0) break;
      const i = b.subarray(0, bytesRead).indexOf(10);
      if (i >= 0) return pos + i + 1;
      pos += bytesRead;
    }
    return size;
  }
}
