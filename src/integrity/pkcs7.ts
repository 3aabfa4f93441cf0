/**
 * PKCS#7 / CMS SignedData as code signing uses it (Authenticode, JAR signature blocks):
 * parsed with pkijs, the signer's certificate found by issuer and serial, the messageDigest
 * signed attribute checked against the content, and the signature checked with the signer's
 * public key (node:crypto). Certificate chains are not built here: the signer is reported and
 * trust is the caller's decision.
 */
import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
  // signature algorithm identifiers that name their hash
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '2.16.840.1.101.3.4.3.2': 'sha256',
};

export function hashName(oid: string): string | undefined {
  return HASHES[oid];
}

export interface ParsedSignedData {
  signed: pkijs.SignedData;
  /** The encapsulated content's raw encoding (tag and length included), when present. */
  eContent?: Uint8Array;
  eContentType: string;
}

export class SignatureFormatError extends Error {}

function bytes(b: ArrayBuffer | Uint8Array): Buffer {
  return b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b);
}

export function parseSignedData(der: Uint8Array): ParsedSignedData {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw new SignatureFormatError(`not DER: ${asn.result.error}`);
  let ci: pkijs.ContentInfo;
  let signed: pkijs.SignedData;
  try {
    ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== SIGNED_DATA) throw new SignatureFormatError(`content type ${ci.contentType} is not SignedData`);
    signed = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    if (e instanceof SignatureFormatError) throw e;
    throw new SignatureFormatError(`not a PKCS#7 SignedData: ${(e as Error).message}`);
  }
  // pkijs types eContent as an OCTET STRING; Authenticode puts a SEQUENCE there
  const raw = signed.encapContentInfo.eContent as unknown as asn1js.BaseBlock | undefined;
  const out: ParsedSignedData = { signed, eContentType: signed.encapContentInfo.eContentType };
  if (raw) out.eContent = raw.valueBeforeDecodeView;
  return out;
}

/** The content octets of a DER element (what follows its tag and length). */
export function contentOctets(el: Uint8Array): Uint8Array {
  if (el.length < 2) throw new SignatureFormatError('truncated DER element');
  const l = el[1]!;
  const header = l < 0x80 ? 2 : 2 + (l & 0x7f);
  return el.subarray(header);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(bytes(a), bytes(b)) === 0;
}

/** `CN=..., O=...` in the certificate's own order. */
function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

export interface SignerCheck {
  /** Subject of the signer's certificate, when it was found. */
  signer?: string;
  /** Empty when the signature verifies over `content`. */
  error?: string;
  certificate?: X509Certificate;
}

/** Verifies the first signer of `sd` over `content` (the encapsulated content's octets, or the detached content). */
export function verifySigner(sd: pkijs.SignedData, content: Uint8Array): SignerCheck {
  const si = sd.signerInfos[0];
  if (!si) return { error: 'no signer' };
  let cert: X509Certificate | undefined;
  const sid = si.sid;
  for (const c of sd.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    if (sid instanceof pkijs.IssuerAndSerialNumber) {
      if (!sameBytes(c.serialNumber.valueBlock.valueHexView, sid.serialNumber.valueBlock.valueHexView)) continue;
      if (!c.issuer.isEqual(sid.issuer)) continue;
    }
    cert = new X509Certificate(bytes(c.toSchema().toBER()));
    break;
  }
  if (!cert) return { error: "the signer's certificate is not in the signature" };
  const signer = subjectOf(cert);
  const hash = hashName(si.digestAlgorithm.algorithmId);
  if (!hash) return { signer, certificate: cert, error: `unsupported digest algorithm ${si.digestAlgorithm.algorithmId}` };
  let signedBytes: Buffer;
  if (si.signedAttrs) {
    const md = si.signedAttrs.attributes.find((a) => a.type === MESSAGE_DIGEST)?.values[0] as asn1js.OctetString | undefined;
    if (!md) return { signer, certificate: cert, error: 'signed attributes carry no messageDigest' };
    const actual = createHash(hash).update(content).digest();
    if (!sameBytes(actual, md.valueBlock.valueHexView)) return { signer, certificate: cert, error: 'the signed content does not match its messageDigest' };
    // the signature covers the attributes as an explicit SET, not the [0] IMPLICIT form they are stored in
    signedBytes = Buffer.from(bytes(si.signedAttrs.encodedValue));
    signedBytes[0] = 0x31;
  } else signedBytes = bytes(content);
  const sigHash = hashName(si.signatureAlgorithm.algorithmId) ?? hash;
  let ok = false;
  try {
    ok = cryptoVerify(sigHash, signedBytes, cert.publicKey, bytes(si.signature.valueBlock.valueHexView));
  } catch (e) {
    return { signer, certificate: cert, error: `signature cannot be checked: ${(e as Error).message}` };
  }
  return ok ? { signer, certificate: cert } : { signer, certificate: cert, error: 'the signature does not verify with the signer certificate' };
}
