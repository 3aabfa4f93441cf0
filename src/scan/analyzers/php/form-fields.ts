/**
 * A module of a shell kit reads the request through an array its loader filled (`$p =
 * array_map('rawurldecode', get_post())` in one file, `$p['dbQuery']` in the next): no
 * superglobal is in sight, so the flow analysis sees plain variables. The page gives the array
 * away itself: the keys it reads are the ids and names of the inputs its own markup renders.
 * An array read with several such keys, and never built in the file from anything but calls
 * (or not assigned here at all), holds what that form posted: it is a request source.
 */
import { includesText, type AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';

/** `id='x'` / `name="x"` of form controls in the file's markup or its string literals. */
const CONTROL = /<(?:input|textarea|select)\b[^>]{0,300}?\b(?:id|name)\s*=\s*\\?['"]([A-Za-z_][\w-]{1,40})\\?['"]/gi;
/** `$v['key']`: an array read with a literal key. */
const KEYED_READ = /\$([A-Za-z_]\w{0,30})\s*\[\s*['"]([A-Za-z_][\w-]{1,40})['"]\s*\]/g;
/** Keys of the form that must be read before the array counts as its input. */
const MIN_KEYS = 3;

/**
 * Whether `lower` holds `<input`, `<textarea` or `<select`: one walk over its `<` signs, where
 * three substring searches read the whole text three times.
 */
function hasControlTag(lower: string): boolean {
  for (let i = lower.indexOf('<'); i !== -1; i = lower.indexOf('<', i + 1)) {
    const c = lower.charCodeAt(i + 1);
    if ((c === 105 && lower.startsWith('input', i + 1)) || (c === 116 && lower.startsWith('textarea', i + 1)) || (c === 115 && lower.startsWith('select', i + 1))) return true;
  }
  return false;
}

/** Names (without `$`) of arrays read with the keys of the page's own form controls. */
export function formFieldArrays(ctx: AnalyzerContext): string[] {
  const { text, code, lower } = ctx;
  // the lower-cased code (markup and string literals alike) holds a control's tag
  if (!hasControlTag(lower)) return [];
  // a module's code reads only its loader's array: a page reading the request itself is no module
  if (includesText(lower, '$_post') || includesText(lower, '$_get') || includesText(lower, '$_request')) return [];
  const controls = new Set<string>();
  for (const m of matches(CONTROL, text, 2000)) controls.add(m[1]!);
  if (controls.size < MIN_KEYS) return [];
  const keys = new Map<string, Set<string>>();
  for (const m of matches(KEYED_READ, code, 5000)) {
    const name = m[1]!;
    // superglobals are sources already; $GLOBALS and $this are not a form
    if (name.startsWith('_') || name === 'GLOBALS' || name === 'this' || !controls.has(m[2]!)) continue;
    const set = keys.get(name) ?? new Set<string>();
    set.add(m[2]!);
    keys.set(name, set);
  }
  const out: string[] = [];
  for (const [name, set] of keys) {
    if (set.size < MIN_KEYS || !builtOnlyFromCalls(code, name)) continue;
    out.push(name);
  }
  return out;
}

/**
 * Whether every whole assignment of `$name` is a call (what a loader returns) and it never
 * gets literal keys or values of its own: an array the page fills itself is its own data.
 */
function builtOnlyFromCalls(code: string, name: string): boolean {
  const re = new RegExp(`\\$${name}\\s*(\\[[^\\]\\n]{0,60}\\]\\s*)?(?:\\.|\\+)?=(?![=>])\\s*([^;\\n]{0,80})`, 'g');
  for (const m of matches(re, code, 200)) {
    if (m[1] !== undefined) return false;
    if (!/^@?\s*[A-Za-z_][\w\\]*\s*\(/.test(m[2]!) || /^@?\s*array\s*\(/i.test(m[2]!)) return false;
  }
  return true;
}
