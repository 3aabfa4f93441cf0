/**
 * Every input decoder Warden knows, in auto-detection priority order (ties in
 * sniff confidence go to the earlier entry). Add one import + one entry per decoder.
 */
import type { Decoder } from './decoder.js';
import { jsonDecoder } from './json.js';

export const decoders: Decoder[] = [jsonDecoder];

export function decoderByName(name: string): Decoder | undefined {
  return decoders.find((d) => d.format === name);
}
