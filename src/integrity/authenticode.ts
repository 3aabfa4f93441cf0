/**
 * Authenticode for PE files (DLLs, EXEs): the image's digest computed the way the signature
 * defines it (the whole file except the checksum, the certificate-table directory entry and
 * the certificate table itself), compared with the digest inside the signature's
 * SpcIndirectDataContent, whose PKCS#7 signature is then checked. A digest mismatch with an
 * otherwise good signature is "signed but modified": the file was changed after signing.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { contentOctets, hashName, parseSignedData, SignatureFormatError, verifySigner } from './pkcs7.js';
import type { Signature } from './types.js';

const SPC_INDIRECT_DATA = '1.3.6.1.4.1.311.2.1.4';
const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2;

export interface PeLayout {
  checksumOffset: number;
  certDirOffset: number;
  certOffset: number;
  certSize: number;
}

/** Where the parts Authenticode skips are, or a reason the buffer is not a PE image. */
export function peLayout(buf: Buffer): PeLayout | string {
  if (buf.length < 0x40 || buf[0] !== 0x4d || buf[1] !== 0x5a) return 'not a PE file';
  const pe = buf.readUInt32LE(0x3c);
  if (pe + 24 > buf.length || buf.readUInt32LE(pe) !== 0x00004550) return 'not a PE file (no PE header)';
  const opt = pe + 24;
  const optSize = buf.readUInt16LE(pe + 20);
  if (opt + 2 > buf.length) return 'truncated PE optional header';
  const magic = buf.readUInt16LE(opt);
  if (magic !== 0x10b && magic !== 0x20b) return `unknown PE optional header magic 0x${magic.toString(16)}`;
  const plus = magic === 0x20b;
  const numDirs = opt + (plus ? 108 : 92);
  const dirs = opt + (plus ? 112 : 96);
  if (numDirs + 4 > buf.length || dirs + 5 * 8 > opt + optSize || dirs + 5 * 8 > buf.length) return 'truncated PE optional header';
  const certDirOffset = dirs + 4 * 8;
  if (buf.readUInt32LE(numDirs) < 5) return { checksumOffset: opt + 64, certDirOffset, certOffset: 0, certSize: 0 };
  return { checksumOffset: opt + 64, certDirOffset, certOffset: buf.readUInt32LE(certDirOffset), certSize: buf.readUInt32LE(certDirOffset + 4) };
}

export function authenticodeDigest(buf: Buffer, l: PeLayout, hash: string): Buffer {
  const h = createHash(hash);
  const end = l.certSize > 0 ? l.certOffset : buf.length;
  h.update(buf.subarray(0, l.checksumOffset));
  h.update(buf.subarray(l.checksumOffset + 4, l.certDirOffset));
  h.update(buf.subarray(l.certDirOffset + 8, end));
  // bytes appended after the certificate table are not part of a signed image: hash them so they show
  if (l.certSize > 0 && l.certOffset + l.certSize < buf.length) h.update(buf.subarray(l.certOffset + l.certSize));
  return h.digest();
}

export function checkAuthenticode(buf: Buffer): Signature {
  const l = peLayout(buf);
  if (typeof l === 'string') return { status: 'unsigned', detail: l };
  if (l.certSize === 0 || l.certOffset === 0) return { status: 'unsigned' };
  if (l.certOffset + l.certSize > buf.length || l.certSize < 8) return { status: 'signed-modified', detail: 'the certificate table runs past the end of the file' };
  const len = buf.readUInt32LE(l.certOffset);
  const type = buf.readUInt16LE(l.certOffset + 6);
  if (type !== WIN_CERT_TYPE_PKCS_SIGNED_DATA || len < 8 || len > l.certSize)
    return { status: 'signed-modified', detail: `unreadable certificate table entry (type ${type}, length ${len})` };
  try {
    const p = parseSignedData(buf.subarray(l.certOffset + 8, l.certOffset + len));
    if (p.eContentType !== SPC_INDIRECT_DATA || !p.eContent) return { status: 'signed-modified', detail: `signature content is ${p.eContentType}, not SpcIndirectDataContent` };
    const spc = asn1js.fromBER(p.eContent);
    const seq = spc.result as asn1js.Sequence;
    const digestInfo = seq.valueBlock?.value?.[1] as asn1js.Sequence | undefined;
    const alg = digestInfo?.valueBlock.value[0] as asn1js.Sequence | undefined;
    const oid = (alg?.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
    const digest = digestInfo?.valueBlock.value[1] as asn1js.OctetString | undefined;
    if (spc.offset === -1 || !oid || !(digest instanceof asn1js.OctetString)) return { status: 'signed-modified', detail: 'unreadable SpcIndirectDataContent' };
    const hash = hashName(oid);
    if (!hash) return { status: 'signed-modified', detail: `unsupported image digest algorithm ${oid}` };
    const check = verifySigner(p.signed, contentOctets(p.eContent));
    const signer = check.signer === undefined ? {} : { signer: check.signer };
    if (check.error) return { status: 'signed-modified', ...signer, detail: check.error };
    const actual = authenticodeDigest(buf, l, hash);
    if (Buffer.compare(actual, Buffer.from(digest.valueBlock.valueHexView)) !== 0)
      return { status: 'signed-modified', ...signer, detail: 'the image digest does not match the signed digest' };
    return { status: 'signed', ...signer };
  } catch (e) {
    if (e instanceof SignatureFormatError) return { status: 'signed-modified', detail: e.message };
    throw e;
  }
}
