/**
 * The event fields the built-in rule pack (rules/sigma) reads, per event logsource, so that the
 * decoder bench can time decoding plus reading those fields: a decoder that builds fields only
 * when read (or defers any work to the first read) must not look cheaper than what a hunt pays.
 * Field names come from the rules' detection maps (`name|modifier: ...`); a rule with a keyword
 * search reads every field of the event.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Event, FieldValue, LogSource } from '../src/event/event.js';
import { parseYamlDocuments, isYamlMap, type YamlValue } from '../src/sigma/yaml.js';

interface RuleReads {
  logsource: LogSource;
  fields: Set<string>;
  keywords: boolean;
}

/** What the rules whose logsource covers an event read of it. */
export interface Reads {
  fields: string[];
  /** Some rule searches keywords: every value is read. */
  all: boolean;
}

function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...ruleFiles(p));
    else if (name.endsWith('.yml') || name.endsWith('.yaml')) out.push(p);
  }
  return out;
}

function collect(v: YamlValue, into: RuleReads): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      if (isYamlMap(x) || Array.isArray(x)) collect(x, into);
      else into.keywords = true;
    }
  } else if (isYamlMap(v)) {
    for (const k of Object.keys(v)) {
      const name = k.split('|')[0]!;
      if (name === '') into.keywords = true;
      else into.fields.add(name);
    }
  } else if (v !== null) into.keywords = true;
}

function loadRules(dir: string): RuleReads[] {
  const rules: RuleReads[] = [];
  for (const file of ruleFiles(dir)) {
    for (const doc of parseYamlDocuments(readFileSync(file, 'utf8'))) {
      const d = doc.value;
      if (doc.error || !isYamlMap(d) || !isYamlMap(d.logsource) || !isYamlMap(d.detection)) continue;
      const ls = d.logsource;
      const str = (x: YamlValue | undefined): string | undefined => (typeof x === 'string' ? x.toLowerCase() : undefined);
      const r: RuleReads = { logsource: { product: str(ls.product), category: str(ls.category), service: str(ls.service) }, fields: new Set(), keywords: false };
      for (const [id, sel] of Object.entries(d.detection)) if (id !== 'condition' && id !== 'timeframe') collect(sel, r);
      rules.push(r);
    }
  }
  return rules;
}

function covers(rule: LogSource, ev: LogSource): boolean {
  const same = (a: string | undefined, b: string | undefined): boolean => a === undefined || a === b?.toLowerCase();
  return same(rule.product, ev.product) && same(rule.category, ev.category) && same(rule.service, ev.service);
}

/** Reads per event logsource (decoders share one logsource object per kind of event). */
export class RuleFieldReader {
  private readonly rules: RuleReads[];
  private readonly bySource = new Map<LogSource, Reads>();

  /** `dir` defaults to the repository's rules/sigma (this module runs from dist/bench). */
  constructor(dir = fileURLToPath(new URL('../../rules/sigma', import.meta.url))) {
    this.rules = loadRules(dir);
  }

  readsOf(ls: LogSource): Reads {
    let r = this.bySource.get(ls);
    if (r === undefined) {
      const fields = new Set<string>();
      let all = false;
      for (const rule of this.rules) {
        if (!covers(rule.logsource, ls)) continue;
        for (const f of rule.fields) fields.add(f);
        all ||= rule.keywords;
      }
      r = { fields: [...fields], all };
      this.bySource.set(ls, r);
    }
    return r;
  }

  /** Reads what the rules read of `ev` (every character's first code, so a deferred string is made); returns a checksum. */
  read(ev: Event): number {
    const r = this.readsOf(ev.logsource);
    const f = ev.fields;
    let sum = 0;
    if (r.all) for (const k in f) sum += touch(f[k]!);
    else for (const k of r.fields) sum += touch(f[k]);
    return sum;
  }
}

function touch(v: FieldValue | undefined): number {
  if (typeof v === 'string') return v.length > 0 ? v.charCodeAt(v.length - 1) : 0;
  if (Array.isArray(v)) {
    let s = 0;
    for (const x of v) s += touch(x);
    return s;
  }
  return v === undefined || v === null ? 0 : 1;
}
