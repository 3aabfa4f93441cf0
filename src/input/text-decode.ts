/**
 * Bytes to text: the encoding from a BOM or from the pattern of NUL bytes (UTF-16 without a
 * BOM), UTF-16BE by swapping to LE, and characters split across chunks kept whole.
 */
import { StringDecoder } from 'node:string_decoder';

export type Encoding = 'utf8' | 'utf16le' | 'utf16be';

export function detectEncoding(head: Buffer): { encoding: Encoding; bom: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bom: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bom: 2 };
  // No BOM: text that is mostly ASCII in UTF-16 has a NUL in every other byte.
  const n = Math.min(head.length, 512) & ~1;
  if (n >= 8) {
    let oddNul = 0;
    let evenNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const pairs = n / 2;
    if (oddNul > pairs * 0.7 && evenNul < pairs * 0.1) return { encoding: 'utf16le', bom: 0 };
    if (evenNul > pairs * 0.7 && oddNul < pairs * 0.1) return { encoding: 'utf16be', bom: 0 };
  }
  return { encoding: 'utf8', bom: 0 };
}

/** Decodes a byte stream to text chunks. */
export class TextDecoderStream {
  private readonly decoder: StringDecoder;
  private carry: Buffer | null = null;
  constructor(private readonly encoding: Encoding) {
    this.decoder = new StringDecoder(encoding === 'utf8' ? 'utf8' : 'utf16le');
  }
  write(chunk: Buffer): string {
    if (this.encoding !== 'utf16be') return this.decoder.write(chunk);
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    if (buf.length & 1) {
      this.carry = buf.subarray(buf.length - 1);
      buf = buf.subarray(0, buf.length - 1);
    }
    const swapped = Buffer.from(buf);
    swapped.swap16();
    return this.decoder.write(swapped);
  }
  end(): string {
    return this.decoder.end();
  }
}
