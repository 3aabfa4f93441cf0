/**
 * Seeded mutations of byte inputs: bit flips, random overwrites, hostile tokens (quotes,
 * escapes, control characters, format directives, huge numbers, deep nesting), deletions,
 * repeated lines and slices (long lines, many lines), splices of two seeds, truncation, CR-only
 * line ends, UTF-16 and gzip wrapping.
 */
import { gzipSync } from 'node:zlib';

const NASTY = [
  '"',
  "'",
  '\\',
  '\\"',
  '\u0000',
  '\u001b]52;c;aGk=\u0007',
  '\r',
  '\n',
  '\r\n',
  '%n%s%x',
  '${jndi:ldap://x}',
  '#Fields: a b c',
  '#fields\ta\tb',
  'type=SYSCALL msg=audit(1.1:1): ',
  'node=x ',
  '{"',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  '{"a":{"a":{"a":{"a":{"a":',
  '99999999999999999999999999',
  '-1',
  'NaN',
  '__proto__',
  'constructor',
  'toString',
  '\uffff',
  '\ud800',
  'é',
  '𝕏',
  '*&a',
  '&a [',
  '|re',
  '(a+)+$',
  '\t',
  ' HTTP/1.1" 200 ',
  '--BOUNDARY--',
];

export function mutate(seeds: readonly Buffer[], rnd: () => number): { data: Buffer; how: string } {
  const int = (n: number): number => Math.floor(rnd() * n);
  let data = Buffer.from(seeds[int(seeds.length)]!);
  const steps = 1 + int(3);
  const how: string[] = [];
  for (let s = 0; s < steps; s++) {
    const kind = int(12);
    const pos = data.length ? int(data.length) : 0;
    switch (kind) {
      case 0: {
        for (let i = 0, n = 1 + int(16); i < n && data.length; i++) {
          const at = int(data.length);
          data[at] = data[at]! ^ (1 << int(8));
        }
        how.push('bitflips');
        break;
      }
      case 1: {
        const len = Math.min(data.length - pos, 1 + int(64));
        for (let i = 0; i < len; i++) data[pos + i] = int(256);
        how.push('overwrite');
        break;
      }
      case 2: {
        const tok = Buffer.from(NASTY[int(NASTY.length)]!);
        data = Buffer.concat([data.subarray(0, pos), tok, data.subarray(pos)]);
        how.push('nasty');
        break;
      }
      case 3: {
        data = Buffer.concat([data.subarray(0, pos), data.subarray(Math.min(data.length, pos + 1 + int(200)))]);
        how.push('delete');
        break;
      }
      case 4: {
        const text = data.toString('latin1').split('\n');
        const i = int(text.length);
        const times = [2, 10, 1000][int(3)]!;
        text.splice(i, 0, ...Array.from({ length: times }, () => text[i] ?? ''));
        data = Buffer.from(text.join('\n'), 'latin1');
        how.push(`dup-line x${times}`);
        break;
      }
      case 5: {
        const slice = data.subarray(pos, Math.min(data.length, pos + 1 + int(40)));
        const times = [100, 10_000, 100_000][int(3)]!;
        data = Buffer.concat([data.subarray(0, pos), Buffer.alloc(slice.length * times, slice), data.subarray(pos)]);
        how.push(`repeat x${times}`);
        break;
      }
      case 6: {
        const other = seeds[int(seeds.length)]!;
        const cut = int(other.length + 1);
        data = Buffer.concat([data.subarray(0, pos), other.subarray(cut)]);
        how.push('splice');
        break;
      }
      case 7: {
        data = data.subarray(0, pos);
        how.push('truncate');
        break;
      }
      case 8: {
        data = Buffer.from(data.toString('latin1').replace(/\n/g, '\r'), 'latin1');
        how.push('cr-only');
        break;
      }
      case 9: {
        data = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(data.toString('utf8'), 'utf16le')]);
        how.push('utf16');
        break;
      }
      case 10: {
        const gz = gzipSync(data);
        data = rnd() < 0.5 ? gz : gz.subarray(0, int(gz.length));
        how.push('gzip');
        break;
      }
      default: {
        data = Buffer.concat([data, Buffer.from(NASTY[int(NASTY.length)]!.repeat(1 + int(5000)))]);
        how.push('tail');
      }
    }
    if (data.length > 8 << 20) data = data.subarray(0, 8 << 20);
  }
  return { data, how: how.join('+') };
}
