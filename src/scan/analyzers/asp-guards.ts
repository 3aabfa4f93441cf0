/**
 * VBScript validation guards (see ../guards.ts): `If ext <> "jpg" And ext <> "png" Then
 * Response.End` and `If Not (ext = "jpg" Or ext = "png") Then ext = "jpg"` confine `ext` to the
 * page's literals. Only a guard whose failing branch stops the page (Response.End, a redirect,
 * leaving the procedure) or resets the variable to a literal counts, and only when the variable
 * is assigned before the guard, read nowhere before it and assigned nowhere after it. VBScript
 * names are case-blind: the variable's mentions are found in any case, and the confined names
 * are answered in any case.
 */
import { type Guards, NO_GUARDS, scriptExtension } from '../guards.js';
import { type GuardStatement, guardsAllUses } from '../guards-scan.js';
import { CaselessSet } from '../flow.js';

/** `If <cond> Then <one line>` or `If <cond> Then` + lines + `End If` (no nested If). */
const IF_THEN = /^[ \t]*If[ \t]+([^\n]{1,400}?)[ \t]+Then[ \t]*([^\n]*)$/gim;
/** One comparison of the variable (optionally case-folded or trimmed) with a string literal. */
const COMPARE = /^\s*(?:(?:LCase|UCase|Trim|LTrim|RTrim)\s*\(\s*)?([A-Za-z_]\w{0,40})\s*\)?\s*(<>|=)\s*"([^"\n]{0,60})"\s*$/i;
/** Statements that end the page or the procedure, after any number of writes. */
const STOPS =
  /^(?:\s*(?:Response\.Write\b[^\n:]*|Response\.Status\s*=[^\n:]*)\s*(?::|\n))*\s*(?:Response\.End\b|Response\.Redirect\b[^\n:]*|Exit\s+(?:Sub|Function)\b|Err\.Raise\b[^\n:]*)\s*$/i;
/** A listed value: a plain word, extension or path piece, never code. */
const PLAIN_VALUE = /^[\w.\-/]{0,60}$/;

/** The variable a failing condition confines to literals: all `v <> "a"` joined by And, or `Not (v = "a" Or ...)`. */
function allowlistOf(cond: string): string | undefined {
  let parts: string[];
  let op: string;
  const not = /^\s*Not\s*\(([\s\S]*)\)\s*$/i.exec(cond);
  if (not) {
    parts = not[1]!.split(/\s+Or\s+/i);
    op = '=';
  } else {
    parts = cond.split(/\s+And\s+/i);
    op = '<>';
  }
  let v: string | undefined;
  for (const p of parts) {
    const m = COMPARE.exec(p);
    if (!m || m[2] !== op || !PLAIN_VALUE.test(m[3]!) || scriptExtension(m[3]!)) return undefined;
    if (v === undefined) v = m[1]!.toLowerCase();
    else if (v !== m[1]!.toLowerCase()) return undefined;
  }
  return v;
}

const assigns = (after: string): boolean => /^\s*=(?!=)/.test(after);

/**
 * Whether `v` (lower case) is also bound where no `=` follows it: a procedure's parameter, which
 * every call fills, or a `For Each` variable. Such a name is not one variable the guard holds.
 */
function rebound(lower: string, v: string): boolean {
  if (new RegExp(`\\bfor\\s+each\\s+${v}\\b`).test(lower)) return true;
  for (const m of lower.matchAll(/\b(?:sub|function|property\s+(?:get|let|set))\s+\w+\s*\(([^)\n]{0,400})\)/g))
    if (m[1]!.split(',').some((p) => p.replace(/\b(?:byval|byref|optional)\b/g, '').trim() === v)) return true;
  return false;
}

/** The last page's answer: several taints are built over the same code. */
let last: { code: string; guards: Guards } | undefined;

/** The variables guards in a VBScript page's code confine. */
export function vbGuards(code: string): Guards {
  if (last?.code !== code) last = { code, guards: readGuards(code) };
  return last.guards;
}

function readGuards(code: string): Guards {
  if (!code.includes('"')) return NO_GUARDS;
  // the page's uses, read once a guard qualifies (most pages have none): lower case, with
  // declarations, which neither read nor assign, blanked and the offsets kept
  let lowerCode: string | undefined;
  const lower = (): string =>
    (lowerCode ??= code
      .toLowerCase()
      .replace(/(?:^|:)[ \t]*(?:dim|(?:private|public)(?![ \t]+(?:sub|function|property|default|const)\b))\b[^\n:]*/gm, (d) => ' '.repeat(d.length)));
  const allowlisted = new CaselessSet();
  for (const v of selectCaseConfined(code, lower)) allowlisted.add(v);
  // an If allowlist compares with `<>` or negates with `Not (`: a page with neither has none
  if (!/\bThen\b/i.test(code) || (!code.includes('<>') && !/\bNot\s*\(/i.test(code))) return allowlisted.size === 0 ? NO_GUARDS : { allowlisted, charset: new Set() };
  let n = 0;
  IF_THEN.lastIndex = 0;
  for (let m = IF_THEN.exec(code); m !== null && n < 200; m = IF_THEN.exec(code), n++) {
    const v = allowlistOf(m[1]!);
    if (v === undefined) continue;
    let body = m[2]!.trim();
    let end = m.index + m[0].length;
    if (body === '') {
      // a block If: its lines up to `End If`, with no If of its own inside
      const close = /^[ \t]*End[ \t]+If\b/im.exec(code.slice(end, end + 700));
      if (!close || close.index > 600) continue;
      body = code.slice(end, end + close.index).trim();
      if (/^[ \t]*If\b/im.test(body)) continue;
      end += close.index + close[0].length;
    }
    const reset = new RegExp(`^${v}\\s*=\\s*"[^"\\n]{0,60}"$`, 'i');
    if (!STOPS.test(body) && !reset.test(body)) continue;
    const g: GuardStatement = { at: m.index, end, cond: m[1]!, body };
    if (!rebound(lower(), v) && guardsAllUses(lower(), v, g, assigns)) allowlisted.add(v);
  }
  return allowlisted.size === 0 ? NO_GUARDS : { allowlisted, charset: new Set() };
}

/** `Select Case v` (or `Select Case LCase(v)`) up to its `End Select`. */
const SELECT_CASE = /^[ \t]*Select[ \t]+Case[ \t]+(?:(?:LCase|UCase|Trim|LTrim|RTrim)[ \t]*\([ \t]*)?([A-Za-z_]\w{0,40})[ \t]*\)?[ \t]*$/gim;
/** One arm's head: `Case "a", "b"` or `Case Else`, then the arm's first statement after `:` if any. */
const CASE_HEAD = /^[ \t]*Case[ \t]+([^\n:]*)(?::([^\n]*))?$/gim;
/** One listed value of an arm. */
const CASE_LABEL = /^\s*"([^"\n]{0,60})"\s*$/;
/** An assignment statement: `x = rhs` (the name, the right-hand side up to the statement's end). */
const ASSIGNMENT = /(?:^|[\n:]|\bthen\b|\belse\b)[ \t]*([A-Za-z_]\w{0,40})[ \t]*=(?!=)[ \t]*([^\n:]*)/gi;

/**
 * Variables a `Select Case` allowlist fills: every assignment of `x` in the page is a string
 * literal, or `x = v` inside an arm of `Select Case v` that lists only plain literal values (none
 * a script extension). `Case "about", "news" : tpl = page` then `Case Else : tpl = "home"` leaves
 * `tpl` one of the page's own words, whatever the request sent. (At most 50 blocks and 20 names
 * are read: each name costs one pass over the page.) `lower` gives the page in lower case for
 * rebound(), once: readGuards hands over its own, whose blanked declarations hold no parameter
 * list and no `For Each`.
 */
export function selectCaseConfined(code: string, lower: () => string = () => code.toLowerCase()): string[] {
  if (!/\bSelect[ \t]+Case\b/i.test(code)) return [];
  const fromArm = new Set<number>();
  const candidates = new Set<string>();
  let blocks = 0;
  SELECT_CASE.lastIndex = 0;
  for (let m = SELECT_CASE.exec(code); m !== null && blocks < 50; m = SELECT_CASE.exec(code), blocks++) {
    const v = m[1]!.toLowerCase();
    const start = m.index + m[0].length;
    const end = code.slice(start, start + 20000).search(/^[ \t]*End[ \t]+Select\b/im);
    if (end === -1) continue;
    const block = code.slice(start, start + end);
    if (/\bSelect[ \t]+Case\b/i.test(block)) continue; // nested: arms not read
    const heads = [...block.matchAll(CASE_HEAD)];
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      const labels = h[1]!.trim();
      const listed =
        !/^else$/i.test(labels) &&
        labels.split(',').every((l) => {
          const lit = CASE_LABEL.exec(l)?.[1];
          return lit !== undefined && PLAIN_VALUE.test(lit) && !scriptExtension(lit);
        });
      if (!listed) continue;
      const armStart = h.index! + h[0].length - (h[2]?.length ?? 0);
      const armEnd = i + 1 < heads.length ? heads[i + 1]!.index! : block.length;
      const arm = block.slice(armStart, armEnd);
      ASSIGNMENT.lastIndex = 0;
      for (let a = ASSIGNMENT.exec(arm); a !== null; a = ASSIGNMENT.exec(arm)) {
        if (a[2]!.trim().toLowerCase() !== v || (candidates.size >= 20 && !candidates.has(a[1]!.toLowerCase()))) continue;
        candidates.add(a[1]!.toLowerCase());
        fromArm.add(start + armStart + a.index + a[0].indexOf(a[1]!));
      }
    }
  }
  if (candidates.size === 0) return [];
  const out: string[] = [];
  for (const x of candidates) {
    let ok = true;
    ASSIGNMENT.lastIndex = 0;
    for (let a = ASSIGNMENT.exec(code); a !== null && ok; a = ASSIGNMENT.exec(code)) {
      if (a[1]!.toLowerCase() !== x) continue;
      const at = a.index + a[0].indexOf(a[1]!);
      ok = fromArm.has(at) || /^"[^"\n]{0,60}"\s*(?:'.*)?$/.test(a[2]!.trim());
    }
    // a parameter or a loop variable of that name is bound where no `=` is seen
    if (ok && !rebound(lower(), x)) out.push(x);
  }
  return out;
}
