/**
 * PHP validation guards (see ../../guards.ts): `if (!in_array($f, ['trim', 'ucfirst'], true))
 * exit;` confines `$f` to the page's literals; `if (!preg_match('/^[a-z0-9_-]+$/', $p)) $p =
 * '404';`, `if (preg_match('/[^a-z0-9]/', $p)) die();` and `if (!ctype_alnum($p)) exit;`
 * confine `$p` to a character set. An allowlist holding a dangerous name (`system`, `exec`) is
 * a shell's menu and confines nothing.
 */
import { NO_GUARDS, anchoredBody, charsetOf, confiningSet, type Guards } from '../../guards.js';
import { guardReader, type GuardStatement } from '../../guards-scan.js';
import { matchingClose, splitTopArgs } from '../../text.js';
import { anyWord } from '../../words.js';
import { DANGEROUS_NAMES } from './signatures.js';

const CHECKS = ['in_array', 'preg_match', 'ctype_', 'is_numeric'];
/** What a failed check may do before it stops the page. */
// (a report before stopping: a call statement, `wp_send_json_error('bad', 400);`, `$log->warn(..);`,
// whose arguments hold no assignment or closure)
const STOPS =
  /^\{?\s*(?:(?:(?:[A-Za-z_\\][\w\\]*|\$\w+(?:->|::)\w+|[A-Za-z_\\][\w\\]*::\w+)\s*\((?:[^()=;{}]|=>)*(?:\((?:[^()=;{}]|=>)*\)(?:[^()=;{}]|=>)*)*\)|(?:echo|print)\b[^;]*)\s*;\s*){0,4}(?:exit|die|return|throw)\b[^;]*;?\s*\}?$/;
const LITERAL = /^\s*(?:'([^'\\]{0,200})'|"([^"\\$]{0,200})"|(\d{1,12}))\s*$/;
const VAR = /^\s*(\$\w{1,40})\s*$/;
const CTYPE_SETS: Record<string, string> = { ctype_alnum: '[A-Za-z0-9]', ctype_alpha: '[A-Za-z]', ctype_digit: '[0-9]', ctype_xdigit: '[0-9A-Fa-f]', is_numeric: '[0-9.eE+-]' };

/** The literals of a list (`['a', "b", 3]`, `array(...)`), or undefined when it holds anything else. */
function literals(list: string): string[] | undefined {
  const m = /^\s*(?:\[([\s\S]*)\]|array\s*\(([\s\S]*)\))\s*$/.exec(list);
  if (!m) return undefined;
  const out: string[] = [];
  for (const item of splitTopArgs(m[1] ?? m[2] ?? '')) {
    if (item.trim() === '') continue;
    const l = LITERAL.exec(item);
    if (!l) return undefined;
    out.push(l[1] ?? l[2] ?? l[3]!);
  }
  return out;
}

/** The list a variable holds: assigned once, from a literal list, and written nowhere else. */
function listOfVar(code: string, name: string): string[] | undefined {
  const esc = name.replace('$', '\\$');
  const writes = [...code.matchAll(new RegExp(`${esc}(?!\\w)\\s*(?:\\[[^\\]]*\\])?\\s*(?:\\.|\\+)?=(?![=>])`, 'g'))];
  if (writes.length !== 1) return undefined;
  const rhs = code.slice(writes[0]!.index + writes[0]![0].length);
  const semi = rhs.indexOf(';');
  return semi === -1 ? undefined : literals(rhs.slice(0, semi));
}

/** The character set a PHP regex literal (`'/^[a-z]+$/i'`) confines a whole value to, if it does. */
function regexSet(arg: string, negatedClassOnly: boolean): Set<number> | undefined {
  const m = /^\s*(['"])([^\w\s\\])([\s\S]*)\2([a-zA-Z]*)\1\s*$/.exec(arg);
  if (!m) return undefined;
  const [, , , body, flags] = m as unknown as [string, string, string, string, string];
  // `x` reads blanks as layout; `m` lets the anchors match at every line
  if (/[xm]/.test(flags)) return undefined;
  if (negatedClassOnly) {
    const c = /^\[\^([^\]]*)\]$/.exec(body);
    return c ? charsetOf(`[${c[1]}]`, flags.includes('i')) : undefined;
  }
  const inner = anchoredBody(body);
  return inner === undefined ? undefined : charsetOf(inner, flags.includes('i'));
}

/** The variable and kind a condition confines when it fails: `!in_array($v, ..)`, `!preg_match(.., $v)`, `preg_match('/[^..]/', $v)`, `!ctype_alnum($v)`. */
function confinedBy(code: string, cond: string): [string, 'allowlist' | 'charset'] | undefined {
  const m = /^\s*(!\s*)?(in_array|preg_match|ctype_alnum|ctype_alpha|ctype_digit|ctype_xdigit|is_numeric)\s*\(([\s\S]*)\)\s*$/.exec(cond);
  if (!m) return undefined;
  // the whole part is that one call: `!in_array($a, $l) && f($b)` is not (its last `)` closes f)
  const open = cond.indexOf('(', cond.indexOf(m[2]!));
  if (matchingClose(cond, open) !== cond.trimEnd().length - 1) return undefined;
  const [, not, fn, inner] = m as unknown as [string, string | undefined, string, string];
  const args = splitTopArgs(inner);
  if (fn === 'in_array') {
    const v = VAR.exec(args[0] ?? '')?.[1];
    if (!not || !v || args.length < 2) return undefined;
    const list = args[1]!.trim();
    // a plain variable holding the list, or a literal list; any other expression (a property, a call) says nothing
    const values = VAR.test(list) ? listOfVar(code, list.trim()) : literals(list);
    if (!values || values.length === 0 || values.some((x) => DANGEROUS_NAMES.has(x.toLowerCase()))) return undefined;
    return [v, 'allowlist'];
  }
  if (fn === 'preg_match') {
    const v = VAR.exec(args[1] ?? '')?.[1];
    if (!v || args.length !== 2) return undefined;
    return confiningSet(regexSet(args[0]!, !not)) ? [v, 'charset'] : undefined;
  }
  const v = VAR.exec(args[0] ?? '')?.[1];
  if (!not || !v || args.length !== 1) return undefined;
  return confiningSet(charsetOf(CTYPE_SETS[fn]!)) ? [v, 'charset'] : undefined;
}

function stopsOrResets(g: GuardStatement, v: string): boolean {
  const body = g.body.trim();
  if (STOPS.test(body)) return true;
  const esc = v.replace('$', '\\$');
  return new RegExp(`^\\{?\\s*${esc}\\s*=\\s*(?:'[^'\\\\]*'|"[^"\\\\$]*")\\s*;\\s*\\}?$`).test(body);
}

const readGuards = guardReader({
  checks: CHECKS,
  confinedBy,
  holds: stopsOrResets,
  assigns: (after) => /^\s*(?:\?\?)?=(?![=>])/.test(after),
});

/**
 * The variables guards in `code` confine. The reader first asks `code.includes` of each check
 * word and finds no guard without one; most pages hold none of them, and anyWord gives the same
 * answer searching from each word's rarest character (every page's PHP taint asks this).
 */
export function phpGuards(code: string): Guards {
  return anyWord(code, CHECKS) ? readGuards(code) : NO_GUARDS;
}
