/**
 * Which Sigma logsource an event belongs to. Non-Windows decoders set product /
 * category / service themselves; Windows events (product 'windows') are classified
 * from their Channel, Provider_Name, EventID (and for Sysmon registry events,
 * EventType) with the built-in tables in logsource-windows.ts, which a user can extend
 * with a YAML file (`--logsource-map FILE`, shape documented on `loadLogSourceMap`).
 *
 * A rule runs on an event when every logsource member the rule sets equals the
 * event's (case-insensitive); an event can be in several categories at once
 * (Sysmon 13 is both registry_event and registry_set).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Event, LogSource } from './event.js';
import type { FieldAliases } from './fields.js';
import { WINDOWS_CATEGORIES, WINDOWS_SERVICES } from './logsource-windows.js';
import { WardenError, errorMessage } from '../errors.js';

export interface CategoryRule {
  category: string;
  /** Event channels (case-insensitive); the event must be on one of them or come from one of `providers`. */
  channels?: string[];
  providers?: string[];
  eventIds?: number[];
  /** Field -> accepted values (case-insensitive); a field the event lacks does not exclude it. */
  conditions?: Record<string, string[]>;
  /** Rule field name -> event field name, for rules of this category. */
  fields?: Record<string, string>;
}

export interface LogSourceTables {
  /** Sigma service -> Windows channels. */
  services: Record<string, string[]>;
  categories: CategoryRule[];
}

export interface ResolvedLogSource {
  product?: string;
  services: readonly string[];
  categories: readonly string[];
  /** Field aliases per category, for rules that name that category. */
  aliases: ReadonlyMap<string, FieldAliases>;
  /** Identifies the classification (events with the same key see the same rules). */
  key: string;
  /** The event's EventID as text (Windows events), for rules that require certain ids. */
  eventId?: string;
}

export const BUILTIN_TABLES: LogSourceTables = { services: WINDOWS_SERVICES, categories: WINDOWS_CATEGORIES };

const NO_ALIASES: ReadonlyMap<string, FieldAliases> = new Map();

function lowerStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'number') return String(v);
  return undefined;
}

interface CompiledCategory {
  category: string;
  channels: Set<string> | null;
  providers: Set<string> | null;
  eventIds: Set<number> | null;
  conditions: [string, Set<string>][];
  fields: FieldAliases | null;
}

export class LogSourceResolver {
  private readonly channelServices = new Map<string, string[]>();
  private readonly categories: CompiledCategory[] = [];
  private readonly conditionFields: string[];
  private readonly cache = new Map<string, ResolvedLogSource>();

  constructor(tables: LogSourceTables = BUILTIN_TABLES) {
    for (const [service, channels] of Object.entries(tables.services)) {
      for (const ch of channels) {
        const k = ch.toLowerCase();
        const list = this.channelServices.get(k) ?? [];
        if (!list.includes(service.toLowerCase())) list.push(service.toLowerCase());
        this.channelServices.set(k, list);
      }
    }
    const condFields = new Set<string>();
    for (const c of tables.categories) {
      const conditions: [string, Set<string>][] = Object.entries(c.conditions ?? {}).map(([f, vs]) => [f, new Set(vs.map((v) => v.toLowerCase()))]);
      for (const [f] of conditions) condFields.add(f);
      this.categories.push({
        category: c.category.toLowerCase(),
        channels: c.channels ? new Set(c.channels.map((x) => x.toLowerCase())) : null,
        providers: c.providers ? new Set(c.providers.map((x) => x.toLowerCase())) : null,
        eventIds: c.eventIds ? new Set(c.eventIds) : null,
        conditions,
        fields: c.fields ?? null,
      });
    }
    this.conditionFields = [...condFields];
  }

  /**
   * Results by the raw inputs of the classification, as a tree of Maps (product,
   * service, category, Channel, Provider_Name, EventID, then each condition field):
   * no string is built or lower-cased for an event whose combination was seen before.
   */
  private tree = new Map<unknown, unknown>();
  private treeLeaves = 0;
  /**
   * The tree node below the last event's product, service, category, Channel and
   * Provider_Name. A log's events mostly share them: comparing them with the last event's
   * (string equality, no hashing of fresh strings) enters the tree at the EventID level.
   */
  private memo: { product: unknown; service: unknown; category: unknown; channel: unknown; provider: unknown; node: Map<unknown, unknown> } | null = null;

  resolve(event: Event): ResolvedLogSource {
    const ls = event.logsource;
    const f = event.fields;
    let node = this.tree;
    let k: unknown = ls.product;
    let d = 0;
    const m = this.memo;
    if (m !== null && m.channel === f['Channel'] && m.provider === f['Provider_Name'] && m.product === ls.product && m.service === ls.service && m.category === ls.category) {
      node = m.node;
      k = f['EventID'];
      d = 5;
    }
    const depth = 6 + this.conditionFields.length;
    for (; d < depth; d++) {
      const next = node.get(k);
      if (next === undefined) return this.learn(event);
      if (d === depth - 1) return next as ResolvedLogSource;
      node = next as Map<unknown, unknown>;
      if (d === 4) this.memo = { product: ls.product, service: ls.service, category: ls.category, channel: f['Channel'], provider: f['Provider_Name'], node };
      k = d === 0 ? ls.service : d === 1 ? ls.category : d === 2 ? f['Channel'] : d === 3 ? f['Provider_Name'] : d === 4 ? f['EventID'] : f[this.conditionFields[d - 5]!];
    }
    return this.learn(event);
  }

  /** Classifies an event the slow way and remembers the result in the tree. */
  private learn(event: Event): ResolvedLogSource {
    const r = this.resolveUncached(event);
    if (this.treeLeaves >= 10000) {
      this.tree = new Map();
      this.treeLeaves = 0;
      this.memo = null;
    }
    const ls = event.logsource;
    const f = event.fields;
    const keys: unknown[] = [ls.product, ls.service, ls.category, f['Channel'], f['Provider_Name'], f['EventID']];
    for (const cf of this.conditionFields) keys.push(f[cf]);
    let node = this.tree;
    for (let d = 0; d < keys.length - 1; d++) {
      let next = node.get(keys[d]) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(keys[d], next);
      }
      node = next;
    }
    if (!node.has(keys[keys.length - 1])) this.treeLeaves++;
    node.set(keys[keys.length - 1], r);
    return r;
  }

  private resolveUncached(event: Event): ResolvedLogSource {
    const ls = event.logsource;
    const f = event.fields;
    const product = ls.product?.toLowerCase() ?? (f['Channel'] !== undefined && f['EventID'] !== undefined ? 'windows' : undefined);
    if (product !== 'windows') return this.plain(ls);
    const channel = lowerStr(f['Channel']) ?? '';
    const provider = lowerStr(f['Provider_Name']) ?? '';
    const eid = f['EventID'];
    const eventId = typeof eid === 'number' ? eid : typeof eid === 'string' && /^\d+$/.test(eid.trim()) ? Number(eid) : NaN;
    let key = `w|${channel}|${provider}|${eventId}|${ls.service ?? ''}|${ls.category ?? ''}`;
    for (const cf of this.conditionFields) {
      const v = f[cf];
      if (v !== undefined) key += `|${cf}=${lowerStr(v) ?? ''}`;
    }
    let r = this.cache.get(key);
    if (r === undefined) {
      r = this.classify(ls, f, channel, provider, eventId, key);
      if (this.cache.size > 10000) this.cache.clear();
      this.cache.set(key, r);
    }
    return r;
  }

  private plain(ls: LogSource): ResolvedLogSource {
    const key = `p|${ls.product ?? ''}|${ls.service ?? ''}|${ls.category ?? ''}`;
    let r = this.cache.get(key);
    if (r === undefined) {
      r = {
        ...(ls.product ? { product: ls.product.toLowerCase() } : {}),
        services: ls.service ? [ls.service.toLowerCase()] : [],
        categories: ls.category ? [ls.category.toLowerCase()] : [],
        aliases: NO_ALIASES,
        key,
      };
      this.cache.set(key, r);
    }
    return r;
  }

  private classify(ls: LogSource, f: Event['fields'], channel: string, provider: string, eventId: number, key: string): ResolvedLogSource {
    const services = new Set<string>(this.channelServices.get(channel) ?? []);
    if (ls.service) services.add(ls.service.toLowerCase());
    if (!channel && provider === 'microsoft-windows-sysmon') services.add('sysmon');
    const categories = new Set<string>();
    if (ls.category) categories.add(ls.category.toLowerCase());
    const aliases = new Map<string, FieldAliases>();
    for (const c of this.categories) {
      const onChannel = c.channels?.has(channel) ?? false;
      const fromProvider = c.providers?.has(provider) ?? false;
      if ((c.channels || c.providers) && !onChannel && !fromProvider) continue;
      if (c.eventIds && !c.eventIds.has(eventId)) continue;
      let ok = true;
      for (const [field, accepted] of c.conditions) {
        const v = lowerStr(f[field]);
        if (v !== undefined && !accepted.has(v)) ok = false;
      }
      if (!ok) continue;
      categories.add(c.category);
      if (c.fields) aliases.set(c.category, { ...(aliases.get(c.category) ?? {}), ...c.fields });
    }
    const r: ResolvedLogSource = { product: 'windows', services: [...services], categories: [...categories], aliases: aliases.size ? aliases : NO_ALIASES, key };
    if (!Number.isNaN(eventId)) r.eventId = String(eventId);
    return r;
  }
}

/** True when every member the rule's logsource sets is the event's. */
export function logSourceMatches(rule: LogSource, ev: ResolvedLogSource): boolean {
  if (rule.product !== undefined && rule.product !== ev.product) return false;
  if (rule.service !== undefined && !ev.services.includes(rule.service)) return false;
  if (rule.category !== undefined && !ev.categories.includes(rule.category)) return false;
  return true;
}

const defaultResolver = new LogSourceResolver();

/** The logsource rules see for this event (built-in tables). */
export function resolveLogSource(event: Event, resolver: LogSourceResolver = defaultResolver): ResolvedLogSource {
  return resolver.resolve(event);
}

function stringList(v: unknown, what: string, file: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new WardenError('config', `${what} must be a string or a list of strings`, { file });
  return list.map(String);
}

/**
 * Reads a logsource map and merges it over the built-in tables. Shape:
 *
 * ```yaml
 * replace: false            # true: start from empty tables instead of the built-in ones
 * services:                 # Sigma service -> Windows channels (added to the built-in ones)
 *   my-app: ['MyApp/Operational']
 * categories:               # events that make up a Sigma category
 *   - category: process_creation
 *     channels: ['Microsoft-Windows-Kernel-Process/Analytic']   # and/or providers: [...]
 *     eventids: [1]
 *     conditions: {EventType: [Start]}       # optional: field -> accepted values
 *     fields: {Image: ImageName}             # optional: rule field -> event field
 * ```
 */
export function loadLogSourceMap(file: string): LogSourceTables {
  let doc: unknown;
  try {
    // Loaded here: most runs have no logsource map.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new WardenError('config', `cannot read logsource map: ${errorMessage(e)}`, { file });
  }
  return mergeLogSourceMap(doc, file);
}

export function mergeLogSourceMap(doc: unknown, file = '-'): LogSourceTables {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new WardenError('config', 'logsource map must be a YAML map with services and/or categories', { file });
  const d = doc as Record<string, unknown>;
  const replace = d['replace'] === true;
  const services: Record<string, string[]> = replace ? {} : Object.fromEntries(Object.entries(BUILTIN_TABLES.services).map(([k, v]) => [k, [...v]]));
  const categories: CategoryRule[] = replace ? [] : [...BUILTIN_TABLES.categories];
  const svc = d['services'];
  if (svc !== undefined && svc !== null) {
    if (typeof svc !== 'object' || Array.isArray(svc)) throw new WardenError('config', "'services' must map a service to channels", { file });
    for (const [k, v] of Object.entries(svc as Record<string, unknown>)) {
      const key = k.toLowerCase();
      services[key] = [...new Set([...(services[key] ?? []), ...stringList(v, `services.${k}`, file)])];
    }
  }
  const cats = d['categories'];
  if (cats !== undefined && cats !== null) {
    if (!Array.isArray(cats)) throw new WardenError('config', "'categories' must be a list", { file });
    for (const c of cats) {
      if (c === null || typeof c !== 'object' || typeof (c as Record<string, unknown>)['category'] !== 'string') {
        throw new WardenError('config', "each category entry needs a 'category' name", { file });
      }
      const e = c as Record<string, unknown>;
      const rule: CategoryRule = { category: String(e['category']) };
      if (e['channels'] !== undefined) rule.channels = stringList(e['channels'], 'channels', file);
      if (e['providers'] !== undefined) rule.providers = stringList(e['providers'], 'providers', file);
      const ids = e['eventids'] ?? e['eventIds'];
      if (ids !== undefined) {
        rule.eventIds = stringList(ids, 'eventids', file).map(Number);
        if (rule.eventIds.some((n) => !Number.isInteger(n))) throw new WardenError('config', `eventids of '${rule.category}' must be integers`, { file });
      }
      if (e['conditions'] !== undefined) {
        const cond = e['conditions'];
        if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) throw new WardenError('config', 'conditions must be a map', { file });
        rule.conditions = Object.fromEntries(Object.entries(cond as Record<string, unknown>).map(([k, v]) => [k, stringList(v, `conditions.${k}`, file)]));
      }
      if (e['fields'] !== undefined) {
        const fm = e['fields'];
        if (fm === null || typeof fm !== 'object' || Array.isArray(fm)) throw new WardenError('config', 'fields must be a map of rule field to event field', { file });
        rule.fields = Object.fromEntries(Object.entries(fm as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      }
      categories.push(rule);
    }
  }
  return { services, categories };
}
