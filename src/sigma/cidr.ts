/**
 * The `cidr` modifier: IPv4 and IPv6 network ranges. Addresses are compared as
 * byte arrays under the prefix mask; an IPv4 network also matches IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d), as logs often write them that way.
 */
import type { StringTest } from './glob.js';

function parseV4(s: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1, 5).map(Number);
  return b.every((x) => x <= 255) ? b : undefined;
}

function parseV6(s: string): number[] | undefined {
  let text = s;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    // A dotted-quad tail (::ffff:10.0.0.1) stands for the last two groups.
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    text = text.slice(0, lastColon + 1) + ((v4[0]! << 8) | v4[1]!).toString(16) + ':' + ((v4[2]! << 8) | v4[3]!).toString(16);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const total = left.length + right.length;
    if (total > 7) return undefined;
    all = [...left, ...new Array<number>(8 - total).fill(0), ...right];
  } else {
    if (left.length !== 8) return undefined;
    all = left;
  }
  const bytes: number[] = [];
  for (const g of all) bytes.push(g >> 8, g & 0xff);
  return bytes;
}

/** Parses an IP address into 4 or 16 bytes. */
export function parseIp(s: string): number[] | undefined {
  const t = s.trim();
  return t.includes(':') ? parseV6(t) : parseV4(t);
}

// A rule lists many networks for one field: the same value is parsed once, not per network.
let memoText: string | undefined;
let memoIp: number[] | undefined;

/** parseIp with a one-entry memo (results are never mutated). */
function parseIpMemo(s: string): number[] | undefined {
  if (s !== memoText) {
    memoIp = parseIp(s);
    memoText = s;
  }
  return memoIp;
}

function prefixEqual(a: number[], b: number[], aOff: number, bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[aOff + i]! ^ b[i]!) & mask) !== 0) return false;
  }
  return true;
}

/** Throws Error when the network is not valid CIDR notation. */
export function compileCidr(spec: string): StringTest {
  const slash = spec.indexOf('/');
  const addr = parseIp(slash >= 0 ? spec.slice(0, slash) : spec);
  if (!addr) throw new Error(`invalid CIDR network '${spec}'`);
  const max = addr.length * 8;
  const bits = slash >= 0 ? Number(spec.slice(slash + 1)) : max;
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (slash >= 0 && !/^\d+$/.test(spec.slice(slash + 1)))) {
    throw new Error(`invalid CIDR prefix length in '${spec}'`);
  }
  const v4 = addr.length === 4;
  return (value) => {
    const ip = parseIpMemo(value);
    if (!ip) return false;
    if (v4) {
      if (ip.length === 4) return prefixEqual(ip, addr, 0, bits);
      // IPv4-mapped IPv6 (::ffff:a.b.c.d)
      for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
      if (ip[10] !== 0xff || ip[11] !== 0xff) return false;
      return prefixEqual(ip, addr, 12, bits);
    }
    return ip.length === 16 && prefixEqual(ip, addr, 0, bits);
  };
}
