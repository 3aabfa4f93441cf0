/** Where Warden's own detection pack lives: <package root>/rules (loaded unless --no-builtin). */
import { fileURLToPath } from 'node:url';

// Compiled modules sit in dist/src/engine/, so the package root is three levels up.
export function builtinRulesDir(): string {
  return fileURLToPath(new URL('../../../rules/', import.meta.url));
}
