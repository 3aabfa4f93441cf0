/**
 * Java validation guards (see ../guards.ts): `if (name == null || !name.matches("[A-Za-z0-9_-]{1,40}\\.pdf")) { response.sendError(400); return; }`
 * confines `name` to a character set (String.matches and Pattern.matches test the whole
 * value); `if (!ALLOWED.contains(fmt)) return;` with `ALLOWED` a literal Set/List confines
 * `fmt` to the page's values.
 */
import { anchoredBody, charsetOf, confiningSet } from '../guards.js';
import { guardReader, type GuardStatement } from '../guards-scan.js';
import { splitTopArgs } from '../text.js';

const CHECKS = ['matches', 'contains'];
/** What a failed check may do before it stops the page. */
const STOPS = /^\{?\s*(?:(?:response\s*\.\s*(?:sendError|setStatus|sendRedirect)\s*\([^;]*\)|out\s*\.\s*print(?:ln)?\s*\([^;]*\))\s*;\s*)*(?:return\b[^;]*|throw\b[^;]*);\s*\}?$/;
const STRING = /^\s*"((?:[^"\\]|\\.){0,300})"\s*$/;
const NAME = /^\s*([A-Za-z_]\w{0,40})\s*$/;

/** A Java string literal's text (`"\\d+"` is `\d+`). */
function javaString(lit: string): string | undefined {
  const m = STRING.exec(lit);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

/** The whole-value pattern of String.matches as a set (anchors optional: matches anchors itself). */
function matchesSet(pattern: string | undefined): Set<number> | undefined {
  if (pattern === undefined) return undefined;
  const body = /^(?:\^|\\A)/.test(pattern) ? anchoredBody(pattern) : pattern;
  return body === undefined ? undefined : charsetOf(body);
}

/** A collection assigned once from literals only: `Set.of("csv", "json")`, `Arrays.asList(...)`, `List.of(...)`. */
function literalCollection(code: string, name: string): boolean {
  const defs = [
    ...code.matchAll(
      new RegExp(`(?<![\\w.])${name}\\s*=\\s*(?:java\\s*\\.\\s*util\\s*\\.\\s*)?(?:Set\\s*\\.\\s*of|List\\s*\\.\\s*of|Arrays\\s*\\.\\s*asList)\\s*\\(([^()]{0,2000})\\)\\s*;`, 'g'),
    ),
  ];
  if (defs.length !== 1) return false;
  if (new RegExp(`(?<![\\w.])${name}\\s*\\.\\s*(?:add|addAll|put)\\s*\\(`).test(code)) return false;
  const items = splitTopArgs(defs[0]![1]!);
  return items.length > 0 && items.every((x) => STRING.test(x));
}

function confinedBy(code: string, cond: string): [string, 'allowlist' | 'charset'] | undefined {
  let m = /^!\s*([A-Za-z_]\w{0,40})\s*\.\s*matches\s*\(\s*("(?:[^"\\]|\\.)*")\s*\)$/.exec(cond);
  if (m) return confiningSet(matchesSet(javaString(m[2]!))) ? [m[1]!, 'charset'] : undefined;
  m = /^!\s*(?:java\s*\.\s*util\s*\.\s*regex\s*\.\s*)?Pattern\s*\.\s*matches\s*\(([\s\S]*)\)$/.exec(cond);
  if (m) {
    const args = splitTopArgs(m[1]!);
    const v = NAME.exec(args[1] ?? '')?.[1];
    return v && args.length === 2 && confiningSet(matchesSet(javaString(args[0]!))) ? [v, 'charset'] : undefined;
  }
  m = /^!\s*([A-Za-z_]\w{0,40})\s*\.\s*contains\s*\(\s*([A-Za-z_]\w{0,40})\s*\)$/.exec(cond);
  if (m && literalCollection(code, m[1]!)) return [m[2]!, 'allowlist'];
  return undefined;
}

function stops(g: GuardStatement): boolean {
  return STOPS.test(g.body.trim());
}

/** The variables guards in a JSP's code confine. */
export const javaGuards = guardReader({
  checks: CHECKS,
  confinedBy,
  holds: stops,
  assigns: (after) => /^\s*(?:\+)?=(?!=)/.test(after),
});
