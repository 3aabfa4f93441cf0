/**
 * What `warden search` looks for in an event: literal texts and linear-time regexes, in every
 * field value or only in named fields, any of them (default) or all of them. Pure: given an
 * event, it says which fields matched, so the output can show the evidence.
 */
import type { Event } from '../event/event.js';
import { fieldStrings, normalizeFieldName } from '../event/fields.js';
import { compileRegex } from '../sigma/regex.js';

export interface SearchSpec {
  /** Literal texts (-e). */
  texts: readonly string[];
  /** Regular expressions in RE2 syntax (--regex). */
  regexes: readonly string[];
  /** Only these fields (names compared as Sigma does: case and spaces ignored); default every field. */
  fields?: readonly string[];
  ignoreCase?: boolean;
  /** Every pattern must match somewhere in the event (default: any one). */
  all?: boolean;
}

export interface FieldMatch {
  field: string;
  value: string;
  /** The pattern as given (-e text or --regex source). */
  pattern: string;
}

export class SearchSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchSpecError';
  }
}

interface Pattern {
  source: string;
  test: (v: string) => boolean;
}

export class EventMatcher {
  private readonly patterns: Pattern[];
  private readonly fields?: Set<string>;
  private readonly all: boolean;

  constructor(spec: SearchSpec) {
    if (spec.texts.length + spec.regexes.length === 0) throw new SearchSpecError('nothing to search for: give -e TEXT or --regex RE');
    this.patterns = [];
    for (const t of spec.texts) {
      if (t === '') throw new SearchSpecError('-e: an empty text matches every event; give some text');
      if (spec.ignoreCase) {
        const needle = t.toLowerCase();
        this.patterns.push({ source: t, test: (v) => v.toLowerCase().includes(needle) });
      } else this.patterns.push({ source: t, test: (v) => v.includes(t) });
    }
    for (const r of spec.regexes) {
      try {
        this.patterns.push({ source: r, test: compileRegex(r, { i: spec.ignoreCase }) });
      } catch (e) {
        throw new SearchSpecError(`--regex: ${(e as Error).message}`);
      }
    }
    if (spec.fields?.length) this.fields = new Set(spec.fields.map(normalizeFieldName));
    this.all = spec.all === true;
  }

  /** The fields that matched (at most one entry per pattern and field), or undefined when the event does not match. */
  match(ev: Event): FieldMatch[] | undefined {
    const found: FieldMatch[] = [];
    const hit = new Array<boolean>(this.patterns.length).fill(false);
    for (const [name, value] of Object.entries(ev.fields)) {
      if (value === null) continue;
      if (this.fields && !this.fields.has(normalizeFieldName(name))) continue;
      const strings = typeof value === 'string' ? [value] : fieldStrings(value);
      for (let p = 0; p < this.patterns.length; p++) {
        const pat = this.patterns[p]!;
        const s = strings.find((v) => pat.test(v));
        if (s === undefined) continue;
        hit[p] = true;
        found.push({ field: name, value: s, pattern: pat.source });
      }
    }
    if (found.length === 0) return undefined;
    if (this.all && hit.includes(false)) return undefined;
    return found;
  }
}
