/**
 * The `expand` modifier: `%name%` in a value is replaced by each value the user gave
 * for `name` (a YAML file `{name: [values]}`). `\%` is a plain percent sign. A
 * placeholder without values makes the rule fail to load, as the spec requires.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WardenError, errorMessage } from '../errors.js';

export type Placeholders = Readonly<Record<string, readonly string[]>>;

const NAME = /[A-Za-z0-9_.-]/;

/** Every expansion of `raw` (Sigma notation; wildcards in placeholder values stay wildcards). */
export function expandPlaceholders(raw: string, placeholders: Placeholders | undefined): string[] {
  let results = [''];
  let i = 0;
  let lit = '';
  const flush = (): void => {
    if (lit) results = results.map((r) => r + lit);
    lit = '';
  };
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\' && raw[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    if (c === '%') {
      let j = i + 1;
      while (j < raw.length && NAME.test(raw[j]!)) j++;
      if (j < raw.length && raw[j] === '%' && j > i + 1) {
        const name = raw.slice(i + 1, j);
        const values = placeholders?.[name];
        if (!values || values.length === 0) throw new Error(`unresolvable placeholder '%${name}%' (give it values with --placeholders FILE)`);
        flush();
        const next: string[] = [];
        for (const r of results) for (const v of values) next.push(r + v);
        results = next;
        if (results.length > 10000) throw new Error(`placeholder expansion of '${raw}' yields too many values`);
        i = j + 1;
        continue;
      }
    }
    lit += c;
    i++;
  }
  flush();
  return results;
}

/** Reads a placeholder file: a YAML map of name to a value or a list of values. */
export function loadPlaceholders(file: string): Record<string, string[]> {
  let doc: unknown;
  try {
    // Loaded here: most runs have no placeholders file.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new WardenError('config', `cannot read placeholder file: ${errorMessage(e)}`, { file });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new WardenError('config', 'placeholder file must be a YAML map of name: [values]', { file });
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const list = Array.isArray(v) ? v : [v];
    out[k] = list.filter((x) => x !== null && x !== undefined).map((x) => String(x));
  }
  return out;
}
