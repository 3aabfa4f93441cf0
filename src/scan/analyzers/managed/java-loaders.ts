/**
 * Java class-loading mechanisms the sink table does not name: class loaders the page builds
 * itself (a `ClassLoader` subclass, or any object constructed with the page's own class loader
 * as its parent, as Behinder and Godzilla do) handed request bytes; TemplatesImpl given request
 * bytes as `_bytecodes`; and class files packed into the page as gzip+base64 (`H4sI...`) or BCEL
 * (`$$BCEL$$...`) literals, unpacked here so their constant pool can be read.
 */
import { gunzipSync } from 'node:zlib';
import type { ManagedFlow } from './dataflow.js';
import { sinkCalls } from './common.js';

/** Unpacked class files are capped: a constant pool is near the start, and a bomb must not cost memory. */
const UNPACK_MAX = 4 << 20;

/**
 * Types the file uses as class loaders: its own classes extending a `*ClassLoader`, and any type
 * constructed with a class loader as an argument (`new U(this.getClass().getClassLoader())`).
 */
function loaderTypes(f: ManagedFlow): Set<string> {
  const types = new Set<string>();
  const toks = f.toks;
  for (let i = 0; i + 3 < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'id') continue;
    if (t.v === 'class' && toks[i + 1]!.k === 'id' && toks[i + 2]!.v === 'extends' && /ClassLoader$/.test(lastDotted(f, i + 3))) types.add(toks[i + 1]!.v);
    else if (t.v === 'new' && toks[i + 1]!.k === 'id' && toks[i + 2]!.v === '(' && !/ClassLoader$/.test(toks[i + 1]!.v)) {
      const close = f.match[i + 2]!;
      for (let k = i + 3; k < close && k < i + 40; k++) {
        if (toks[k]!.k === 'id' && /^get(?:Context|System|Parent)?ClassLoader$/.test(toks[k]!.v)) {
          types.add(toks[i + 1]!.v);
          break;
        }
      }
    }
  }
  return types;
}

function lastDotted(f: ManagedFlow, k: number): string {
  let name = f.toks[k]?.v ?? '';
  while (f.toks[k + 1]?.v === '.' && f.toks[k + 2]?.k === 'id') {
    k += 2;
    name = f.toks[k]!.v;
  }
  return name;
}

/**
 * Offset of a call that hands request input to a class loader the file builds (its own
 * subclass or an object made with the page's loader as parent), -1 when there is none.
 */
export function ownLoaderFed(f: ManagedFlow, code: string): number {
  // both kinds of loader name a class loader somewhere in the text
  if (!code.includes('ClassLoader')) return -1;
  const types = loaderTypes(f);
  if (types.size === 0) return -1;
  const vars = new Set<string>();
  const re = new RegExp(`^(?:${[...types].join('|')})$`);
  for (const [name] of f.assignedWith(re)) vars.add(name);
  for (const h of sinkCalls(f, (name, recv, isNew) => (!isNew && (types.has(recv) || vars.has(recv)) && name !== 'getClass' ? ['code', name] : undefined), 200)) {
    if (h.tainted) return h.at;
  }
  return -1;
}

/**
 * TemplatesImpl loaded through reflection: `_bytecodes` set on it defines those classes when it
 * builds a transformer. `fed`: some field set in the file carries request input.
 */
export function templatesBytecodes(f: ManagedFlow, code: string): { at: number; fed: boolean } | undefined {
  if (!code.includes('_bytecodes')) return undefined;
  const at = f.toks.findIndex((t) => t.k === 'str' && t.v === '_bytecodes');
  if (at < 0) return undefined;
  const fed = sinkCalls(f, (name, _recv, isNew) => (!isNew && (name === 'set' || name === 'setFieldValue') ? ['set', name] : undefined), 200).some(
    (h) => h.argTaint.length >= 2 && h.argTaint[h.argTaint.length - 1] === true,
  );
  return { at: f.toks[at]!.at, fed };
}

/** BCEL's escape alphabet: `$` then a letter for the bytes 0..47, or two hex digits. */
const BCEL_FREE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz$_';

/** The bytes a `$$BCEL$$` class name encodes (the part after the marker). */
function bcelBytes(s: string): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < s.length && out.length < UNPACK_MAX; i++) {
    const c = s[i]!;
    if (c !== '$') {
      out.push(c.charCodeAt(0) & 0xff);
      continue;
    }
    const d = s[i + 1];
    if (d === undefined) return undefined;
    if (/[0-9a-f]/.test(d)) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const v = BCEL_FREE.indexOf(d);
      if (v < 0) return undefined;
      out.push(v);
      i++;
    }
  }
  return Buffer.from(out);
}

function gunzip(b: Buffer): Buffer | undefined {
  if (b.length < 18 || b[0] !== 0x1f || b[1] !== 0x8b) return undefined;
  try {
    return gunzipSync(b, { maxOutputLength: UNPACK_MAX });
  } catch {
    // truncated or bigger than the cap: the page still gets no credit for a class it cannot show
    return undefined;
  }
}

/**
 * The class file a string literal packs: base64 (`yv66vg`), gzip+base64 (`H4sI`) or BCEL
 * (`$$BCEL$$`, gzip inside or not); undefined when it is none of them or does not unpack to
 * one. `bcel` tells the last kind, which BCEL's class loader defines from the name alone.
 */
export function packedClass(v: string): { bytes: Buffer; bcel: boolean } | undefined {
  let bytes: Buffer | undefined;
  let bcel = false;
  if (v.length >= 200 && v.startsWith('yv66vg')) bytes = Buffer.from(v.replace(/\s+/g, ''), 'base64');
  else if (v.length >= 200 && v.startsWith('H4sI')) bytes = gunzip(Buffer.from(v.replace(/\s+/g, ''), 'base64'));
  else if (v.length >= 100 && v.startsWith('$$BCEL$$')) {
    bcel = true;
    const raw = bcelBytes(v.slice(8));
    bytes = raw && raw[0] === 0x1f ? gunzip(raw) : raw;
  }
  if (!bytes || bytes.length < 10 || bytes.readUInt32BE(0) !== 0xcafebabe) return undefined;
  return { bytes, bcel };
}
