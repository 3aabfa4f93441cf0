/** The signature check for a component file, by format. */
import { checkAuthenticode } from './authenticode.js';
import { checkJar } from './jar-signature.js';
import type { Signature, SignatureKind } from './types.js';

export async function checkSignature(buf: Buffer, kind: SignatureKind): Promise<Signature> {
  if (kind === 'pe') return checkAuthenticode(buf);
  if (kind === 'jar') return checkJar(buf);
  return { status: 'n/a' };
}
