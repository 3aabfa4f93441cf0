/**
 * Hook dispatch in a classic ASP application: `For Each s In Action_Plugin_Init : Execute(s)`,
 * or `If Not IsEmpty(ShowError_Custom) Then Execute(ShowError_Custom)`, where the code run is a
 * value the page never sets: plugins loaded from other files fill it. The page alone neither
 * chooses nor receives that code, so running it is not the page's own behaviour to judge.
 */

/** Application files: a page of a few lines that runs a value set elsewhere is a split loader, not a hook. */
const APPLICATION_SIZE = 4096;

/** An assignment statement: `name = `, `Set name = `, `name(i) = ` (the name). */
const ASSIGNED = /(?:^|[\n:]|\bthen\b|\belse\b)[ \t]*(?:set[ \t]+)?([A-Za-z_]\w{0,254})[ \t]*(?:\([^()\n]{0,60}\))?[ \t]*=(?!=)/gi;
/** A procedure's head and its parameter list. */
const PROCEDURE = /\b(?:sub|function|property[ \t]+(?:get|let|set))[ \t]+\w+[ \t]*\(([^)\n]{0,400})/gi;
/** `For name =` (a counting loop) and `For Each name In collection` (the collection when it is a plain name). */
const FOR_LOOP = /\bfor[ \t]+(?:each[ \t]+([A-Za-z_]\w{0,254})[ \t]+in[ \t]+(?:([A-Za-z_]\w{0,254})[ \t]*(?=$|[\r\n:'])|)|([A-Za-z_]\w{0,254})[ \t]*=)/gim;

/** What the page binds, names in lower case: read once per page, whatever the number of Execute calls. */
interface Bindings {
  /** Names assigned, parameters and counting-loop variables: the page gives them values. */
  valued: Set<string>;
  /** For Each variables: the plain-named collections they loop over (null: a call, an element, the request). */
  loops: Map<string, Array<string | null>>;
}

let last: { code: string; b: Bindings } | undefined;

function bindings(code: string): Bindings {
  if (last?.code === code) return last.b;
  const valued = new Set<string>();
  const loops = new Map<string, Array<string | null>>();
  for (const m of code.matchAll(ASSIGNED)) valued.add(m[1]!.toLowerCase());
  for (const m of code.matchAll(PROCEDURE)) for (const w of m[1]!.match(/[A-Za-z_]\w*/g) ?? []) valued.add(w.toLowerCase());
  for (const m of code.matchAll(FOR_LOOP)) {
    if (m[3] !== undefined) valued.add(m[3].toLowerCase());
    else {
      const v = m[1]!.toLowerCase();
      const list = loops.get(v) ?? [];
      list.push(m[2]?.toLowerCase() ?? null);
      loops.set(v, list);
    }
  }
  const b = { valued, loops };
  last = { code, b };
  return b;
}

/**
 * Whether the page never gives `name` a value: no assignment, no parameter of that name, and a
 * `For Each name In c` loop only over a plain-named collection `c` the page never sets either.
 */
export function setElsewhere(code: string, size: number, name: string): boolean {
  if (size < APPLICATION_SIZE || !/^[A-Za-z_]\w{0,254}$/.test(name)) return false;
  const b = bindings(code);
  const n = name.toLowerCase();
  if (b.valued.has(n)) return false;
  // a loop over anything but a plain name (a call, an element, a Request collection) gives a value
  for (const c of b.loops.get(n) ?? []) if (c === null || b.valued.has(c) || b.loops.has(c)) return false;
  return true;
}
