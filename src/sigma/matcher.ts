/**
 * What a compiled detection is made of: a program (plain data, see program.ts; linked into
 * closures over a `FieldView` by link.ts), plus, for the rule index, a literal requirement
 * (a necessary condition the engine can check for many rules at once before running any
 * of them).
 */
import type { FieldView } from '../event/fields.js';
import { andOp, orOp, type MatchOp } from './program.js';

export type Matcher = (view: FieldView) => boolean;

/**
 * One literal (lower-case) that must occur in the named field's lower-cased value, or,
 * when `exact`, be the whole lower-cased value. An empty field name means any value of
 * the event (keyword searches).
 */
export interface LiteralAlt {
  field: string;
  lit: string;
  exact?: boolean;
}

/** At least one alternative holds in every event the expression matches. */
export interface Requirement {
  alts: LiteralAlt[];
}

export interface Compiled {
  op: MatchOp;
  req: Requirement | null;
  /** A second necessary requirement from another part of the expression (both must hold). */
  req2?: Requirement | null;
  /**
   * EventID values (as text) one of which every matching event has; undefined when
   * unconstrained. Lets the index leave a rule out of the buckets of other EventIDs.
   */
  eventIds?: ReadonlySet<string>;
}

function andIds(parts: Compiled[]): ReadonlySet<string> | undefined {
  let out: Set<string> | undefined;
  for (const p of parts) {
    if (!p.eventIds) continue;
    out = out ? new Set([...out].filter((x) => p.eventIds!.has(x))) : new Set(p.eventIds);
  }
  return out;
}

function orIds(parts: Compiled[]): ReadonlySet<string> | undefined {
  const out = new Set<string>();
  for (const p of parts) {
    if (!p.eventIds) return undefined;
    for (const x of p.eventIds) out.add(x);
  }
  return out;
}

export function andCompiled(parts: Compiled[]): Compiled {
  const [req, req2] = bestTwo(parts.flatMap((p) => [p.req, p.req2 ?? null]));
  const c: Compiled = { op: andOp(parts.map((p) => p.op)), req };
  if (req2) c.req2 = req2;
  const ids = andIds(parts);
  if (ids) c.eventIds = ids;
  return c;
}

export function orCompiled(parts: Compiled[]): Compiled {
  const c: Compiled = { op: orOp(parts.map((p) => p.op)), req: orReq(parts.map((p) => p.req)) };
  const req2 = c.req ? orReq(parts.map((p) => p.req2 ?? null)) : null;
  if (req2) c.req2 = req2;
  const ids = orIds(parts);
  if (ids) c.eventIds = ids;
  return c;
}

/**
 * Text found in a large share of Windows events. A literal inside one of these says
 * little about an event, so the index prefers any other requirement.
 */
export const COMMON_TEXT = [
  'c:\\windows\\system32\\',
  'c:\\windows\\syswow64\\',
  'c:\\program files (x86)\\',
  'c:\\program files\\',
  'c:\\programdata\\',
  'c:\\users\\',
  '\\appdata\\local\\temp\\',
  '\\appdata\\roaming\\',
  'hklm\\software\\microsoft\\windows\\currentversion\\',
  'nt authority\\system',
  '.exe',
  '.dll',
];

/** True when the literal is part of common text (see COMMON_TEXT). */
export function isCommonLiteral(lit: string): boolean {
  return COMMON_TEXT.some((c) => c.includes(lit));
}

/** Whole values most events of their field carry. */
const COMMON_VALUES = new Set(['microsoft corporation', 'system', 'high', 'medium', 'low', 'true', 'false', '0x3e7', 'nt authority\\system', '-', '0', '1']);

function altScore(a: LiteralAlt): number {
  if (a.exact) return COMMON_VALUES.has(a.lit) ? 2 : Math.min(a.lit.length + 4, 14);
  return isCommonLiteral(a.lit) ? Math.min(a.lit.length, 3) : Math.min(a.lit.length, 12);
}

/** How useful a requirement is to the index: longer, rarer, fewer literals are better. */
export function reqScore(r: Requirement): number {
  let min = Infinity;
  for (const a of r.alts) min = Math.min(min, altScore(a));
  // A keyword literal costs a scan of every value of the event.
  const keyword = r.alts.some((a) => a.field === '') ? 3 : 0;
  return min * 10 - keyword - Math.min(r.alts.length, 50) / 5;
}

/** The two most useful requirements (each necessary, so together they are too). */
export function bestTwo(reqs: (Requirement | null)[]): [Requirement | null, Requirement | null] {
  const list = reqs.filter((r): r is Requirement => r !== null);
  list.sort((a, b) => reqScore(b) - reqScore(a));
  return [list[0] ?? null, list.find((r, i) => i > 0 && r !== list[0]) ?? null];
}

export function andReq(reqs: (Requirement | null)[]): Requirement | null {
  let best: Requirement | null = null;
  for (const r of reqs) if (r && (!best || reqScore(r) > reqScore(best))) best = r;
  return best;
}

export function orReq(reqs: (Requirement | null)[]): Requirement | null {
  const alts: LiteralAlt[] = [];
  for (const r of reqs) {
    if (!r) return null;
    alts.push(...r.alts);
  }
  return alts.length ? { alts } : null;
}
