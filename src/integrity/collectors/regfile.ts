/**
 * Reads `.reg` exports (regedit's "Windows Registry Editor Version 5.00", UTF-16LE or UTF-8):
 * keys and their string, expandable-string, DWORD and binary values. Malformed lines are
 * problems, the rest of the file is still read.
 */
export interface RegValue {
  type: 'sz' | 'expand_sz' | 'multi_sz' | 'dword' | 'binary';
  value: string;
  line: number;
}

export interface RegKey {
  path: string;
  values: Map<string, RegValue>;
}

export function decodeRegFile(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  const s = buf.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

function unquote(s: string): string | undefined {
  if (!s.startsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      out += s[++i] ?? '';
      continue;
    }
    if (c === '"') return out;
    out += c;
  }
  return undefined;
}

function hexBytes(s: string): Buffer | undefined {
  const t = s.replace(/[\s\\]/g, '');
  if (t === '') return Buffer.alloc(0);
  if (!/^[0-9a-fA-F]{2}(,[0-9a-fA-F]{2})*,?$/.test(t)) return undefined;
  return Buffer.from(
    t
      .split(',')
      .filter((x) => x !== '')
      .map((x) => parseInt(x, 16)),
  );
}

function utf16z(b: Buffer): string {
  return b
    .subarray(0, b.length - (b.length % 2))
    .toString('utf16le')
    .replace(/\0+$/, '');
}

export function parseRegFile(text: string, onProblem: (line: number, message: string) => void): RegKey[] {
  const keys: RegKey[] = [];
  let cur: RegKey | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    // hex values continue over lines ending in a backslash
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trim();
    const t = line.trim();
    if (t === '' || t.startsWith(';') || /^(Windows Registry Editor|REGEDIT4)/.test(t)) continue;
    if (t.startsWith('[')) {
      const end = t.lastIndexOf(']');
      if (end < 0) {
        onProblem(start, 'key line without a closing ]');
        cur = undefined;
        continue;
      }
      cur = { path: t.slice(1, end), values: new Map() };
      keys.push(cur);
      continue;
    }
    if (!cur) {
      onProblem(start, 'value outside any key');
      continue;
    }
    let name: string | undefined;
    let rest: string;
    if (t.startsWith('@=')) {
      name = '';
      rest = t.slice(2);
    } else {
      const q = unquote(t);
      if (q === undefined) {
        onProblem(start, 'value name is not a quoted string');
        continue;
      }
      const after = findAfterName(t);
      if (after === undefined) {
        onProblem(start, 'value name is not followed by =');
        continue;
      }
      name = q;
      rest = after;
    }
    const v = parseValue(rest.trim());
    if (!v) {
      onProblem(start, `value ${JSON.stringify(name)} has an unreadable data part`);
      continue;
    }
    cur.values.set(name.toLowerCase(), { ...v, line: start });
  }
  return keys;
}

/** The text after `"name"=`, honouring escaped quotes in the name. */
function findAfterName(t: string): string | undefined {
  for (let i = 1; i < t.length; i++) {
    if (t[i] === '\\') {
      i++;
      continue;
    }
    if (t[i] === '"') return t[i + 1] === '=' ? t.slice(i + 2) : undefined;
  }
  return undefined;
}

function parseValue(s: string): Omit<RegValue, 'line'> | undefined {
  if (s.startsWith('"')) {
    const v = unquote(s);
    return v === undefined ? undefined : { type: 'sz', value: v };
  }
  const dw = /^dword:([0-9a-fA-F]{1,8})$/.exec(s);
  if (dw) return { type: 'dword', value: String(parseInt(dw[1]!, 16)) };
  const hx = /^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$/s.exec(s);
  if (hx) {
    const bytes = hexBytes(hx[2]!);
    if (!bytes) return undefined;
    if (hx[1] === '2') return { type: 'expand_sz', value: utf16z(bytes) };
    if (hx[1] === '7') return { type: 'multi_sz', value: utf16z(bytes).split('\0').join('\n') };
    if (hx[1] === '1') return { type: 'sz', value: utf16z(bytes) };
    return { type: 'binary', value: bytes.toString('hex') };
  }
  return undefined;
}
