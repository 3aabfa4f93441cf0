/**
 * Signed JARs (and WAR/HPI/JPI/zip plugins): META-INF/MANIFEST.MF lists a digest per entry,
 * META-INF/<NAME>.SF digests the manifest, and META-INF/<NAME>.RSA|.DSA|.EC holds the
 * PKCS#7 signature over the .SF file. Intact means all three agree with the archive's
 * content; an entry that changed, disappeared or was added unsigned makes the JAR "signed
 * but modified".
 */
import { createHash } from 'node:crypto';
import { isZip, readCentralDirectory, readEntry, type ZipEntry, type ZipLimits } from '../scan/zip.js';
import { parseSignedData, SignatureFormatError, verifySigner } from './pkcs7.js';
import type { Signature } from './types.js';

const DIGESTS: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512', SHA1: 'sha1', 'SHA-1': 'sha1', MD5: 'md5' };

export interface ManifestSection {
  attrs: Map<string, string>;
  /** The section's bytes with the blank line that ends it (what a .SF per-entry digest covers). */
  raw: Buffer;
}

/** Manifest sections: `Name: value` lines, continuation lines start with one space, blank lines separate. */
export function parseManifest(buf: Buffer): ManifestSection[] {
  const sections: ManifestSection[] = [];
  let start = 0;
  let attrs = new Map<string, string>();
  let last: string | undefined;
  let p = 0;
  while (p < buf.length) {
    let e = buf.indexOf(0x0a, p);
    const next = e < 0 ? buf.length : e + 1;
    if (e < 0) e = buf.length;
    const line = buf.subarray(p, e > p && buf[e - 1] === 0x0d ? e - 1 : e).toString('utf8');
    if (line === '') {
      if (attrs.size > 0) sections.push({ attrs, raw: buf.subarray(start, next) });
      attrs = new Map();
      last = undefined;
      start = next;
    } else if (line.startsWith(' ') && last !== undefined) attrs.set(last, attrs.get(last)! + line.slice(1));
    else {
      const colon = line.indexOf(': ');
      if (colon > 0) {
        last = line.slice(0, colon).toLowerCase();
        attrs.set(last, line.slice(colon + 2));
      }
    }
    p = next;
  }
  if (attrs.size > 0) sections.push({ attrs, raw: buf.subarray(start) });
  return sections;
}

/** The first `<ALG><suffix>` attribute this reader supports: [node hash name, base64 value]. */
function digestAttr(attrs: Map<string, string>, suffix: string): [string, string] | undefined {
  for (const [alg, hash] of Object.entries(DIGESTS)) {
    const v = attrs.get(`${alg}${suffix}`.toLowerCase());
    if (v !== undefined) return [hash, v.trim()];
  }
  return undefined;
}

function b64(hash: string, data: Uint8Array): string {
  return createHash(hash).update(data).digest('base64');
}

/** Signature-related files that the manifest does not (and cannot) list. */
function isSignatureFile(name: string): boolean {
  const u = name.toUpperCase();
  if (!u.startsWith('META-INF/') || u.slice(9).includes('/')) return false;
  const base = u.slice(9);
  return base === 'MANIFEST.MF' || base.startsWith('SIG-') || /\.(SF|RSA|DSA|EC)$/.test(base);
}

export function checkJar(buf: Buffer): Signature {
  if (!isZip(buf)) return { status: 'unsigned', detail: 'not a zip archive' };
  let entries: ZipEntry[];
  try {
    entries = readCentralDirectory(buf, 200_000);
  } catch (e) {
    return { status: 'unsigned', detail: `unreadable zip: ${(e as Error).message}` };
  }
  const limits: ZipLimits = { maxEntries: 200_000, maxEntryBytes: 512 << 20, inflatedBudget: { remaining: 4 * 1024 ** 3 } };
  const byName = new Map(entries.filter((e) => !e.isDirectory).map((e) => [e.name, e]));
  const manifestEntry = entries.find((e) => e.name.toUpperCase() === 'META-INF/MANIFEST.MF');
  const sfEntries = entries.filter((e) => /^META-INF\/[^/]+\.SF$/i.test(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (!manifestEntry || sfEntries.length === 0) return { status: 'unsigned' };
  const read = (e: ZipEntry): Buffer | string => {
    try {
      return readEntry(buf, e, limits);
    } catch (err) {
      return (err as Error).message;
    }
  };
  const manifest = read(manifestEntry);
  if (typeof manifest === 'string') return { status: 'signed-modified', detail: `unreadable manifest: ${manifest}` };
  const sections = parseManifest(manifest);
  const sf = sfEntries[0]!;
  const stem = sf.name.slice(0, -3);
  const block = entries.find((e) => e.name.length === stem.length + 4 && e.name.startsWith(stem) && /\.(RSA|DSA|EC)$/i.test(e.name));
  if (!block) return { status: 'signed-modified', detail: `${sf.name} has no signature block` };
  const sfBytes = read(sf);
  const blockBytes = read(block);
  if (typeof sfBytes === 'string' || typeof blockBytes === 'string') return { status: 'signed-modified', detail: `unreadable signature files in ${stem}` };
  let signer: string | undefined;
  try {
    const check = verifySigner(parseSignedData(blockBytes).signed, sfBytes);
    signer = check.signer;
    if (check.error) return { status: 'signed-modified', ...(signer ? { signer } : {}), detail: `${block.name}: ${check.error}` };
  } catch (e) {
    if (e instanceof SignatureFormatError) return { status: 'signed-modified', detail: `${block.name}: ${e.message}` };
    throw e;
  }
  const who = signer === undefined ? {} : { signer };
  const modified = (detail: string): Signature => ({ status: 'signed-modified', ...who, detail });
  // the .SF either digests the whole manifest, or (older signers, or after entries were added) each manifest section
  const sfSections = parseManifest(sfBytes);
  const whole = sfSections[0] ? digestAttr(sfSections[0].attrs, '-Digest-Manifest') : undefined;
  if (!whole || b64(whole[0], manifest) !== whole[1]) {
    const manifestByName = new Map(sections.slice(1).map((s) => [s.attrs.get('name') ?? '', s]));
    for (const s of sfSections.slice(1)) {
      const name = s.attrs.get('name') ?? '';
      const d = digestAttr(s.attrs, '-Digest');
      const m = manifestByName.get(name);
      if (!d || !m || b64(d[0], m.raw) !== d[1]) return modified(`manifest section for ${name} does not match ${sf.name}`);
    }
    if (sfSections.length <= 1) return modified(`manifest does not match ${sf.name}`);
  }
  const listed = new Set<string>();
  for (const s of sections.slice(1)) {
    const name = s.attrs.get('name');
    const d = digestAttr(s.attrs, '-Digest');
    if (name === undefined || !d) continue;
    listed.add(name);
    const e = byName.get(name);
    if (!e) return modified(`signed entry ${name} is missing`);
    const data = read(e);
    if (typeof data === 'string') return modified(`signed entry ${name} is unreadable: ${data}`);
    if (b64(d[0], data) !== d[1]) return modified(`entry ${name} does not match its signed digest`);
  }
  for (const name of byName.keys()) if (!listed.has(name) && !isSignatureFile(name)) return modified(`entry ${name} is not signed`);
  return { status: 'signed', ...who };
}
