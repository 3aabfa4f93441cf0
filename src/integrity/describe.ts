/**
 * What the file system says about one component file: sha256, size, times, mode, owner, and
 * its signature. Runs in worker threads during a baseline; a file that vanished or cannot be
 * read is described as missing with the reason, never thrown.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { checkSignature } from './signature.js';
import type { Signature, SignatureKind } from './types.js';

export interface FileFacts {
  sha256: string;
  size: number;
  mtime: number;
  mode: string;
  owner: string;
  signature: Signature;
  missing?: boolean;
  /** Why the file could not be read, when it exists but is unreadable. */
  error?: string;
}

/** Files above this are hashed as a stream and not opened for a signature. */
const MAX_SIGNED_BYTES = 256 * 1024 * 1024;

export function statFacts(st: Stats): Pick<FileFacts, 'size' | 'mtime' | 'mode' | 'owner'> {
  return { size: st.size, mtime: Math.trunc(st.mtimeMs), mode: (st.mode & 0o7777).toString(8), owner: `${st.uid}:${st.gid}` };
}

export const MISSING: FileFacts = { sha256: '', size: 0, mtime: 0, mode: '', owner: '', signature: { status: 'n/a' }, missing: true };

async function streamHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function describeFile(path: string, sig: SignatureKind): Promise<FileFacts> {
  let st: Stats;
  try {
    st = await fsp.lstat(path);
  } catch {
    return MISSING;
  }
  if (!st.isFile()) return { ...MISSING, ...statFacts(st), size: 0 };
  const facts = statFacts(st);
  try {
    if (sig === 'none' || st.size > MAX_SIGNED_BYTES) {
      const sha256 =
        st.size <= 4 << 20
          ? createHash('sha256')
              .update(await fsp.readFile(path))
              .digest('hex')
          : await streamHash(path);
      return { sha256, ...facts, signature: { status: sig === 'none' ? 'n/a' : 'unsigned', ...(sig === 'none' ? {} : { detail: 'too large to check' }) } };
    }
    const buf = await fsp.readFile(path);
    return { sha256: createHash('sha256').update(buf).digest('hex'), ...facts, size: buf.length, signature: await checkSignature(buf, sig) };
  } catch (e) {
    return { ...MISSING, ...facts, missing: false, error: (e as Error).message };
  }
}
