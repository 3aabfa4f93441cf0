/**
 * Byte streams with a look at their head: the reader sniffs a format from the first bytes of
 * any stream (a file, stdin, an HTTP body) without consuming them, and undoes gzip
 * transparently, also for a stream cut short (what was decompressed before the cut is kept).
 */
import { Readable } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';

export interface PeekedStream {
  /** The first bytes (at most the size asked for; all of them for a shorter stream). */
  head: Buffer;
  /** The whole stream from its first byte, head included. */
  stream: AsyncIterable<Buffer>;
  /** Releases the source when the stream will not be read (or not to its end). */
  close(): Promise<void>;
}

/** Reads up to `size` bytes of `source` and hands back a stream that still starts at byte 0. */
export async function peek(source: AsyncIterable<Buffer>, size: number): Promise<PeekedStream> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < size) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    chunks.push(b);
    have += b.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) {
          done = true;
          return;
        }
        yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
      }
    } finally {
      if (!done) await it.return?.();
    }
  }
  const stream = replay();
  const close = async (): Promise<void> => {
    await stream.return(undefined);
    if (!done) {
      done = true;
      await it.return?.();
    }
  };
  return { head: head.subarray(0, size), stream, close };
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export interface Gunzipped {
  stream: AsyncIterable<Buffer>;
  /** After the stream ended: whether the input ended before its gzip trailer. */
  truncated(): boolean;
}

/**
 * Decompresses a gzip stream. A stream cut short yields everything decompressed before the
 * cut (sync-flush at the end instead of an error) and reports itself as truncated; damaged
 * compressed data still throws where it is found.
 */
export function gunzip(source: AsyncIterable<Buffer>): Gunzipped {
  const gun = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (e) => gun.destroy(e));
  input.pipe(gun);
  let ended = false;
  let total = 0;
  let trailer: Buffer = Buffer.alloc(0);
  input.on('data', (b: Buffer) => {
    trailer = trailer.length + b.length <= 8 ? Buffer.concat([trailer, b]) : Buffer.concat([trailer, b]).subarray(-8);
  });
  async function* out(): AsyncGenerator<Buffer> {
    for await (const b of gun as AsyncIterable<Buffer>) {
      total += b.length;
      yield b;
    }
    ended = true;
  }
  return {
    stream: out(),
    // The gzip trailer's last four bytes hold the uncompressed size mod 2^32 (of the last
    // member: a multi-member file can only be checked for its last member, which is the
    // one a cut damages).
    truncated: () => ended && (trailer.length < 8 || (trailer.readUInt32LE(4) !== total % 2 ** 32 && !multiMemberPlausible(trailer, total))),
  };
}

/** A multi-member file's last ISIZE is smaller than the total; accept it when it could be a member's. */
function multiMemberPlausible(trailer: Buffer, total: number): boolean {
  const isize = trailer.readUInt32LE(4);
  return isize > 0 && isize < total % 2 ** 32;
}
