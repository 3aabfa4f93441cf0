/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum EVTX uses for the
 * file header, chunk headers and the event-record area of each chunk.
 */
import zlib from 'node:zlib';

type NativeCrc32 = (data: Uint8Array, value?: number) => number;
/** zlib.crc32 exists from Node 20.15; the table loop is the fallback. */
const native: NativeCrc32 | undefined = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Continue a CRC over buf[start, end); pass the previous result (0 to begin). */
export function crc32Update(crc: number, buf: Uint8Array, start: number, end: number): number {
  if (native && end - start >= 64) return native(buf.subarray(start, end), crc) >>> 0;
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  if (native && end - start >= 64) return native(buf.subarray(start, end)) >>> 0;
  return crc32Update(0, buf, start, end);
}
