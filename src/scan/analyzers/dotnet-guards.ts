/**
 * C# validation guards (see ../guards.ts): `if (ext != ".pdf" && ext != ".docx") { Response.Write("type
 * not allowed"); return; }` and `if (!(ext == ".pdf" || ext == ".docx")) return;` confine `ext` to
 * the page's literals, so a name built from it (`Guid.NewGuid() + ext`) is the page's choice.
 * Only a guard whose failing branch stops the request counts, on a variable assigned before the
 * guard, read nowhere before it and never assigned after it; a server-script extension (or
 * web.config) among the values voids it.
 */
import { guardReader, type GuardStatement } from '../guards-scan.js';
import { splitTopLevel } from '../text.js';
import { scriptExtension } from '../guards.js';

/** One comparison of the variable (optionally case-folded or trimmed) with a string literal. */
const COMPARE = /^\(?\s*([A-Za-z_]\w{0,40})(?:\s*\.\s*(?:ToLower|ToLowerInvariant|ToUpper|ToUpperInvariant|Trim)\s*\(\s*\))*\s*(!=|==)\s*"([^"\\\n]{0,60})"\s*\)?$/;
/** A listed value: an extension or a plain word, never code. */
const PLAIN_VALUE = /^\.?[\w-]{1,30}$/;
/** What a failed check may do before it ends the request. */
const STOPS =
  /^\{?\s*(?:(?:(?:Context\s*\.\s*)?Response\s*\.\s*(?:Write\s*\([^;]*\)|StatusCode\s*=\s*\d+|Redirect\s*\([^;]*\)|Clear\s*\(\s*\))|[A-Za-z_]\w*\s*\.\s*Text\s*=\s*"[^"\n]*")\s*;\s*)*(?:return\b[^;]*|throw\b[^;]*|(?:Context\s*\.\s*)?Response\s*\.\s*End\s*\(\s*\));\s*\}?$/;

/** The variable a failing condition confines to literals: all `v != "a"` joined by `&&`, or `!(v == "a" || ...)`. */
function confinedBy(_code: string, cond: string): [string, 'allowlist'] | undefined {
  const not = /^!\s*\(([\s\S]*)\)$/.exec(cond.trim());
  const parts = not ? splitTopLevel(not[1]!, '||') : splitTopLevel(cond, '&&');
  const op = not ? '==' : '!=';
  let v: string | undefined;
  for (const p of parts) {
    const m = COMPARE.exec(p.trim());
    if (!m || m[2] !== op || !PLAIN_VALUE.test(m[3]!) || scriptExtension(m[3]!)) return undefined;
    if (v === undefined) v = m[1]!;
    else if (v !== m[1]) return undefined;
  }
  return v === undefined ? undefined : [v, 'allowlist'];
}

function stops(g: GuardStatement): boolean {
  return STOPS.test(g.body.trim());
}

/** The variables guards in an ASP.NET page's C# code confine. */
export const csharpGuards = guardReader({
  checks: ['!=', '=='],
  confinedBy,
  holds: stops,
  assigns: (after) => /^\s*(?:\+)?=(?!=)/.test(after),
});
