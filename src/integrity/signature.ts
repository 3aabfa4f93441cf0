/** The signature check for a component file, by format. */
import { isZip } from '../scan/zip.js';
import type { Signature, SignatureKind } from './types.js';

export async function checkSignature(buf: Buffer, kind: SignatureKind): Promise<Signature> {
  if (kind === 'none') return { status: 'n/a' };
  if (kind === 'jar' && !isZip(buf)) return { status: 'unsigned', detail: 'not a zip archive' };
  return { status: 'unsigned' };
}
