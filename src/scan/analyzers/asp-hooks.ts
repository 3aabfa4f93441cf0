/**
 * Hook dispatch in a classic ASP application: `For Each s In Action_Plugin_Init : Execute(s)`,
 * or `If Not IsEmpty(ShowError_Custom) Then Execute(ShowError_Custom)`, where the code run is a
 * value the page never sets: plugins loaded from other files fill it. The page alone neither
 * chooses nor receives that code, so running it is not the page's own behaviour to judge.
 */

/** Application files: a page of a few lines that runs a value set elsewhere is a split loader, not a hook. */
const APPLICATION_SIZE = 4096;

/** An assignment statement of `name` (an element too): `name = `, `Set name = `, `name(i) = `. */
function assigned(code: string, name: string): boolean {
  return new RegExp(`(?:^|[\\n:]|\\bthen\\b|\\belse\\b)[ \\t]*(?:set[ \\t]+)?${name}[ \\t]*(?:\\([^()\\n]{0,60}\\))?[ \\t]*=(?!=)`, 'i').test(code);
}

/** Whether `name` is a parameter of one of the page's procedures (its callers fill it). */
function parameter(code: string, name: string): boolean {
  return new RegExp(`\\b(?:sub|function|property[ \\t]+(?:get|let|set))[ \\t]+\\w+[ \\t]*\\([^)\\n]{0,400}\\b${name}\\b`, 'i').test(code);
}

/**
 * Whether the page never gives `name` a value: no assignment, no parameter of that name, and a
 * `For Each name In c` loop only over a collection `c` the page never sets either.
 */
export function setElsewhere(code: string, size: number, name: string, depth = 0): boolean {
  if (size < APPLICATION_SIZE || !/^[A-Za-z_]\w{0,254}$/.test(name)) return false;
  if (assigned(code, name) || parameter(code, name)) return false;
  if (new RegExp(`\\bfor[ \\t]+${name}[ \\t]*=`, 'i').test(code)) return false;
  for (const m of code.matchAll(new RegExp(`\\bfor[ \\t]+each[ \\t]+${name}[ \\t]+in[ \\t]+([A-Za-z_]\\w{0,254})[ \\t]*(?:$|[\\r\\n:'])`, 'gim')))
    if (depth > 0 || !setElsewhere(code, size, m[1]!, depth + 1)) return false;
  // a loop over anything but a plain name (a call, an element, a Request collection) gives a value
  if (new RegExp(`\\bfor[ \\t]+each[ \\t]+${name}[ \\t]+in[ \\t]+(?![A-Za-z_]\\w*[ \\t]*(?:$|[\\r\\n:']))`, 'im').test(code)) return false;
  return true;
}
