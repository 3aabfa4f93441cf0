/**
 * Where a command's text output goes: stdout, or a file. A file is checked before any work
 * starts (an unwritable path is bad usage, not a silent loss), never written through a
 * symlink, never one of the inputs (same device and inode), and written to a temporary file
 * beside it that is renamed into place only when the output is complete — an interrupted or
 * failed run leaves the old file untouched and no half-written one. Writes are buffered in
 * large pieces and honour backpressure; a write error (a full disk, /dev/full, a closed pipe)
 * is raised where it happens.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { lstat, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { errorMessage, OutputError, UsageError, WardenError } from '../errors.js';

export interface OpenOptions {
  /** Paths the command reads: the output must not be one of them. */
  inputs?: readonly string[];
}

/** Character devices (/dev/null, /dev/full, a terminal) are written in place, not replaced. */
async function isDevice(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isCharacterDevice();
  } catch {
    return false;
  }
}

/** Resolves when the stream drains or fails (the failure itself is recorded by the stream's error handler). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

/**
 * Width tables are fitted to: the terminal's, else $COLUMNS (as shells and `script` set it),
 * else 200 (a file or a pipe has no width; 200 keeps rows whole in most viewers).
 */
export function terminalColumns(): number {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env >= 20 && env <= 1000 ? env : 200;
}

export class TextOutput {
  private parts: string[] = [];
  private size = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly stream: NodeJS.WritableStream,
    readonly isTTY: boolean,
    readonly columns: number,
    /** Final path and the temporary file being written, for files. */
    private readonly target?: { path: string; temp?: string },
  ) {
    stream.on('error', (e: Error) => {
      this.failure ??= e;
    });
  }

  static stdout(): TextOutput {
    return new TextOutput(process.stdout, process.stdout.isTTY === true, terminalColumns());
  }

  /** stdout for undefined or "-", else the file (checked now; see the module comment). */
  static async open(path: string | undefined, opts: OpenOptions = {}): Promise<TextOutput> {
    if (path === undefined || path === '-') return TextOutput.stdout();
    let existing: Awaited<ReturnType<typeof lstat>> | undefined;
    try {
      existing = await lstat(path);
    } catch {
      existing = undefined;
    }
    if (existing?.isDirectory()) throw new UsageError(`cannot write ${path}: it is a folder (name a file, e.g. ${join(path, 'out.jsonl')})`);
    if (existing?.isSymbolicLink()) throw new UsageError(`cannot write ${path}: it is a symbolic link (Warden does not write through links; remove it or name another file)`);
    if (existing) {
      for (const input of opts.inputs ?? []) {
        try {
          const s = await stat(input);
          if (s.dev === existing.dev && s.ino === existing.ino)
            throw new UsageError(`refusing to write ${path}: it is also an input (${input}); writing it would destroy the evidence`);
        } catch (e) {
          if (e instanceof UsageError) throw e;
        }
      }
    }
    if (existing && (await isDevice(path))) {
      const s = createWriteStream(path, { flags: 'a' });
      await TextOutput.opened(s, path);
      return new TextOutput(s, false, 200, { path });
    }
    const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.warden-tmp`);
    // 'wx': the temporary name must not exist (no following a planted link).
    const s = createWriteStream(temp, { flags: 'wx', mode: 0o644 });
    await TextOutput.opened(s, path);
    return new TextOutput(s, false, 200, { path, temp });
  }

  private static async opened(s: WriteStream, path: string): Promise<void> {
    try {
      await Promise.race([once(s, 'open'), once(s, 'error').then(([e]) => Promise.reject(e as Error))]);
    } catch (e) {
      throw new UsageError(`cannot write ${path}: ${errorMessage(e)}`);
    }
  }

  private check(): void {
    if (this.failure) throw new OutputError(`cannot write ${this.target?.path ?? 'standard output'}: ${errorMessage(this.failure)}`, { cause: this.failure });
  }

  async write(text: string): Promise<void> {
    this.check();
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    this.check();
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(text)) await drained(this.stream);
    this.check();
  }

  /** Writes what is buffered and, for a file, puts it in place. Throws if anything was lost. */
  async close(): Promise<void> {
    try {
      await this.flush();
      if (this.stream !== process.stdout) {
        await new Promise<void>((resolve, reject) => {
          this.stream.once('error', reject);
          // the callback hears a failed last write (a full device) before any 'error' listener does
          this.stream.end((e?: Error | null) => {
            if (e) this.failure ??= e;
            resolve();
          });
        });
        this.check();
        if (this.target?.temp) await rename(this.target.temp, this.target.path);
      } else if (!process.stdout.write('')) await drained(process.stdout);
      this.check();
    } catch (e) {
      await this.abort();
      throw e instanceof WardenError ? e : new OutputError(`cannot write ${this.target?.path ?? 'standard output'}: ${errorMessage(e)}`, { cause: e });
    }
  }

  /** Gives up: a file's temporary is removed, the old file stays as it was. */
  async abort(): Promise<void> {
    if (this.stream !== process.stdout) (this.stream as WriteStream).destroy();
    if (this.target?.temp) await rm(this.target.temp, { force: true });
  }
}
