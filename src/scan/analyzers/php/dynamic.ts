/**
 * Functions chosen at runtime: variable functions, names held in variables or computed in
 * place, reflection, and request parameters imported as variables.
 */
import { assignmentStarts, callIndex, dollarPairs, isRegexSpace, matchesAt, type AnalyzerContext, type CallIndex } from '../../context.js';
import { checkBudget } from '../../budget.js';
import { matches, type Taint } from '../../flow.js';
import { callArgs } from '../../text.js';
import { bareCode, matchingOpen, plainNameAssigned, splitTopArgs } from './code.js';
import { SLOT_ASSIGN, evalStringExpr, varVarName, type VarResolver } from './fold.js';
import { DANGEROUS_NAMES, INDIRECT, NAME_MAKERS, NOT_BEFORE_SINK, RUNS_WHEN_CALLED, TINY_DYNAMIC_CALL, TINY_SCRIPT } from './signatures.js';
import type { PhpScan } from './sources.js';
import { fixedNameTable, tableValues } from './tables.js';

/** Variable functions: $f(...), $_GET['f'](...), ${'x'}(...), $a['k'](...). */
export function variableFunctions(s: PhpScan, names: DangerousNameVars, near: ReadonlySet<string>): void {
  const { ctx, taint, resolve } = s;
  const { code, ev } = ctx;
  // read only where a call through a variable reaches the branches that ask (most pages have none)
  let computedSet: Set<string> | undefined;
  const computed = (): Set<string> => {
    if (computedSet === undefined) {
      computedSet = new Set<string>();
      for (const [name, rhss] of taint.assignments)
        if (rhss.some((r) => mayDecode(r) && /\b(?:strrev|str_rot13|base64_decode|gzinflate|gzuncompress|hex2bin|chr)\s*\(|['"]\s*\^|\^\s*['"]|~\s*['"]/i.test(r)))
          computedSet.add(name);
    }
    return computedSet;
  };
  // one whole-file search per variable name, not per call through it
  const plain = new Map<string, boolean>();
  const plainName = (base: string): boolean => {
    let r = plain.get(base);
    if (r === undefined) {
      r = plainNameAssigned(code, base.slice(1));
      plain.set(base, r);
    }
    return r;
  };
  for (const m of variableCalls(ctx)) {
    const callee = m[1]!;
    const base = /^\$\w+/.exec(callee)?.[0] ?? '';
    if (base === '$this') continue;
    // `new $class()` instantiates a class; it calls no function by name
    if (/\bnew\s+$/i.test(code.slice(Math.max(0, m.index - 8), m.index))) continue;
    // the names the callee may be filed under among the variables holding function names
    const heldBy = [base, callee.replace(/\s+/g, ''), varVarName(callee, resolve)];
    if (taint.hasSource(callee)) ev.add('flow', 'request input names the function to call', 12, m.index, m[0].length);
    else if (taint.vars.has(base) && s.scopes.touches(base, m.index))
      ev.add('flow', near.has(base) ? 'request-derived variable is called as a function' : INDIRECT, near.has(base) ? 11 : 4, m.index, m[0].length);
    else if (heldBy.some((k) => names.has(k))) {
      const strong = heldBy.some((k) => names.strong.has(k));
      ev.add('flow', 'a variable holding a dangerous function name is called', strong ? 11 : 4, m.index, m[0].length);
    } else {
      const args = callArgs(code, m.index + m[0].length - 1);
      if (base && (plainName(base) || taint.confined?.has(base)) && !computed().has(base)) continue;
      // `$sortable[$col](..)` over a literal table of harmless names: the page's own handlers
      if (base && callee !== base && fixedNameTable(code, callee, taint)) continue;
      // a tiny script has no router or plugin registry to fill the name: `$n = substr(__FILE__, ...); $c = $_POST[1]; $n($c);`
      if (ctx.size < TINY_SCRIPT && base && taint.touchesDirectly(args)) ev.add('flow', TINY_DYNAMIC_CALL, 10, m.index, m[0].length);
      else if (taint.hasSource(args)) {
        if (ctx.size < TINY_SCRIPT) ev.add('flow', TINY_DYNAMIC_CALL, 10, m.index, m[0].length);
        else ev.add('flow', 'request input passed to a function chosen at runtime', 8, m.index, m[0].length);
      } else if (taint.touchesDirectly(args) && (ctx.size < 4096 || callee.startsWith('${')))
        ev.add('flow', 'request-derived value passed to a function chosen at runtime', 5, m.index, m[0].length);
      else if (computed().has(base)) ev.add('obfuscation', 'function name computed by decoding/reversing strings', 7, m.index, m[0].length);
      else if (callee.startsWith('${')) ev.add('obfuscation', 'call through a variable-variable', 4, m.index, m[0].length);
      else if (/^\$GLOBALS\s*\[/.test(callee)) ev.add('obfuscation', 'call through a function table in $GLOBALS', 3, m.index, m[0].length);
    }
  }
}

/** Whether `r` holds a `(`, `^` or `~`: each alternative of the decoding-step pattern needs one. */
function mayDecode(r: string): boolean {
  return r.includes('(') || r.includes('^') || r.includes('~');
}

const VAR_CALL_TAIL = /(?<![\w>:$])(\$\{[^}\n]{1,80}\}(?:\s*\[[^\]\n]{0,60}\])*|\$\w+(?:\s*\[[^\]\n]{0,60}\]|\s*\{[^}\n]{0,20}\})*)\s*\($/;

/**
 * Calls through variables: `$f(`, `$a['k'](`, `${'x'}(`, `$s{0}(`. The plain form comes from
 * the call index; the bracketed forms are matched only where a `(` follows `]` or `}`, on a
 * short window, instead of running one backtracking regex from every `$` in the file.
 */
function variableCalls(ctx: AnalyzerContext): Array<{ index: number; 0: string; 1: string }> {
  const { code } = ctx;
  const out: Array<{ index: number; 0: string; 1: string }> = [];
  // `"$function("` inside a string literal is text, not a call: the string-blanked code shows which
  const bare = bareCode(ctx);
  for (const c of callIndex(ctx).get('$')) {
    if (bare.charCodeAt(c.at) !== 36) continue;
    const prev = c.at > 0 ? code[c.at - 1]! : ' ';
    if (/[\w>:$]/.test(prev)) continue;
    const callee = code.slice(c.at, c.open).trimEnd();
    if (!/^\$\w+$/.test(callee)) continue;
    out.push({ index: c.at, 0: code.slice(c.at, c.open + 1), 1: callee });
  }
  for (let i = code.indexOf('('); i !== -1 && out.length < 5000; i = code.indexOf('(', i + 1)) {
    let j = i - 1;
    while (j >= 0 && (code.charCodeAt(j) === 32 || code.charCodeAt(j) === 9 || code.charCodeAt(j) === 10 || code.charCodeAt(j) === 13)) j--;
    const ch = code.charCodeAt(j);
    if (ch !== 93 && ch !== 125) continue; // `]` or `}`
    const from = Math.max(0, j - 400);
    const m = VAR_CALL_TAIL.exec(code.slice(from, i + 1));
    if (m && bare.charCodeAt(from + m.index) === 36) out.push({ index: from + m.index, 0: m[0], 1: m[1]! });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Variables (and slots) holding dangerous function names; `strong`: ones that run code or commands. */
export type DangerousNameVars = Set<string> & { strong: Set<string> };

/** The longest of the dangerous names: most constant values are longer and need no lower-casing. */
const LONGEST_NAME = Math.max(...[...DANGEROUS_NAMES, ...RUNS_WHEN_CALLED].map((n) => n.length));

/**
 * Variables (and array slots) holding a dangerous function name, however it was spelled;
 * `strong` marks those holding one that runs code or commands.
 */
export function dangerousNameVars(ctx: AnalyzerContext, consts: Map<string, string[]>): DangerousNameVars {
  const out = Object.assign(new Set<string>(), { strong: new Set<string>() });
  for (const [name, vs] of consts) {
    for (const v of vs) {
      // trimmed first: lower-casing never shortens a string, so a longer value names none of them
      const t = v.trim();
      if (t.length > LONGEST_NAME) continue;
      const low = t.toLowerCase();
      if (DANGEROUS_NAMES.has(low)) out.add(name);
      if (RUNS_WHEN_CALLED.has(low)) out.strong.add(name);
    }
  }
  const resolve: VarResolver = (n) => consts.get(n)?.at(-1);
  // array slots: $a['k'] = 'assert'  ->  "$a['k']"
  for (const m of matchesAt(SLOT_ASSIGN, ctx.code, assignmentStarts(ctx.code, 'required', 40, true, false), 2000)) {
    const v = evalStringExpr(m[2]!, resolve);
    const low = v?.toLowerCase().trim();
    if (low !== undefined && DANGEROUS_NAMES.has(low)) {
      const slot = m[1]!.replace(/\s+/g, '');
      const base = /^\$\w+/.exec(m[1]!)![0];
      out.add(slot).add(base);
      if (RUNS_WHEN_CALLED.has(low)) out.strong.add(slot).add(base);
    }
  }
  return out;
}

/**
 * `base64_decode('...')($x)`, `file_get_contents('php'.$q)($_GET[2])`: since PHP 7 a call's
 * result can be called directly, so the function's name never sits in a variable at all.
 */
export function computedCallees(ctx: AnalyzerContext, calls: CallIndex, taint: Taint): void {
  if (!calls.hasAnyOf(NAME_MAKERS)) return;
  const { code, lower, ev } = ctx;
  const bare = bareCode(ctx);
  // every `)` followed by `(`: walk back to its `(` and read the name before it
  for (const [close, j] of closeThenOpen(bare, 2000)) {
    const open = matchingOpen(bare, close);
    if (open < 0) continue;
    let k = open - 1;
    while (k >= 0 && /\s/.test(bare[k]!)) k--;
    const end = k + 1;
    while (k >= 0 && /\w/.test(bare[k]!)) k--;
    const name = lower.slice(k + 1, end);
    if (!NAME_MAKERS.includes(name) || NOT_BEFORE_SINK.includes(bare[k] ?? ' ')) continue;
    const at = k + 1;
    const inner = code.slice(open + 1, close);
    const outer = code.slice(j + 1, j + 1 + callArgs(bare, j).length);
    if (taint.touches(inner) || taint.touches(outer)) ev.add('flow', `request input meets a function whose name ${name}() computes and calls in place`, 10, at, j - at + 1);
    else ev.add('obfuscation', `calls the function whose name ${name}() computes, in place`, 7, at, j - at + 1);
    return;
  }
}

/**
 * The matches of /\)\s*\(/g in `bare` (at most `cap`), as the offsets of their `)` and `(`:
 * found from the `(` signs, whose last non-space character before is the `)`; a native search
 * for `(` is cheaper than the regex tried at every offset.
 */
export function* closeThenOpen(bare: string, cap: number): Generator<[number, number]> {
  let n = 0;
  for (let i = bare.indexOf('('); i !== -1 && n < cap; i = bare.indexOf('(', i + 1)) {
    let j = i - 1;
    while (j >= 0 && isRegexSpace(bare.charCodeAt(j))) j--;
    if (bare.charCodeAt(j) !== 41) continue;
    n++;
    checkBudget();
    yield [j, i];
  }
}

/** ReflectionFunction / ReflectionMethod invoking a request-chosen or dangerous function. */
export function reflection(s: PhpScan): void {
  const { ctx, taint, resolve, hasRequest } = s;
  const { code, ev } = ctx;
  const refl0 = ctx.lower.includes('flect') ? /\bnew\s+Reflection(?:Function|Method)\s*\(/i.exec(code) : null;
  const refl = refl0 ? Object.assign([refl0[0], callArgs(code, refl0.index + refl0[0].length - 1)], { index: refl0.index }) : null;
  // ReflectionFunction runs any function; ReflectionMethod($handler, $method) with only the method
  // from the request is how routers dispatch to a fixed class's actions: the class must be chosen too
  const reflArgs = refl ? splitTopArgs(refl[1]!) : [];
  const classArg = (reflArgs[0] ?? '').trim();
  const classFromRequest = taint.hasSource(classArg) || (taint.assignments.get(classArg)?.some((r) => /^\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/.test(r)) ?? false);
  const anyFunction = refl !== null && (/ReflectionFunction/i.test(refl[0]!) || reflArgs.length === 1 || classFromRequest);
  if (refl && anyFunction && taint.touches(refl[1]!)) ev.add('flow', 'request input chooses a function invoked through reflection', 12, refl.index, 30);
  else if (refl) {
    const v = evalStringExpr(splitTopArgs(refl[1]!)[0] ?? '', resolve) ?? refl[1]!.replace(/[)\s]/g, '');
    if (DANGEROUS_NAMES.has(v.toLowerCase())) ev.add('flow', `${v.toLowerCase()} invoked through reflection`, hasRequest ? 11 : 8, refl.index, 30);
  }
}

/**
 * extract()/parse_str() of request data makes every variable attacker-controlled
 * (parse_str with a result array fills that array, not the scope: only the one-argument form imports).
 */
export function requestImports(s: PhpScan): void {
  const { ctx, taint, calls } = s;
  const { code, ev } = ctx;
  let ex: { index: number; 0: string } | null = null;
  const importer = calls.hasAnyOf(['extract', 'parse_str', 'mb_parse_str', 'import_request_variables']);
  for (const m of importer
    ? matches(/\b(extract|parse_str|import_request_variables|mb_parse_str)\s*\(\s*(\$_(?:GET|POST|REQUEST|COOKIE|SERVER)|\$GLOBALS|\$HTTP_(?:GET|POST|COOKIE)_VARS)/gi, code, 50)
    : []) {
    if (/parse_str$/i.test(m[1]!) && splitTopArgs(callArgs(code, code.indexOf('(', m.index))).length > 1) continue;
    ex = m;
    break;
  }
  // the hand-written extract(): foreach ($_POST as $k => $v) $$k = $v;
  const dollars = dollarPairs(ctx);
  if (!ex && (dollars.dollar || dollars.brace)) {
    for (const m of matches(/(?:\$\$\w+|\$\{[^}\n]{1,60}\})\s*=(?![=>])\s*(\$\w+)/g, code, 200)) {
      if (taint.touches(m[1]!)) {
        ex = m;
        break;
      }
    }
  }
  if (ex) {
    const dyn = /(?<![\w>:$])\$\w+\s*\(/.exec(bareCode(ctx));
    ev.add('flow', 'request parameters imported as variables' + (dyn ? ' and a variable is called as a function' : ''), dyn ? 11 : 4, ex.index, ex[0].length);
  }
}

/**
 * Whether a `(` follows a `]`, blanks between (`code.includes('](') || /\]\s+\(/.test(code)`,
 * which every TABLE_CALL match needs): walked from the `]` signs in one native search, where the
 * regex tried every offset of the file after a first whole-file search had failed. Each `]`
 * reads only the blanks after it, so the walk is linear.
 */
export function bracketCalled(code: string): boolean {
  for (let i = code.indexOf(']'); i !== -1; i = code.indexOf(']', i + 1)) {
    let j = i + 1;
    while (isRegexSpace(code.charCodeAt(j))) j++;
    if (code.charCodeAt(j) === 40) return true;
  }
  return false;
}

/** `$table[<index>](` with an index that may hold brackets itself (`$ops[$_GET['o']](`). */
const TABLE_CALL = /(?<![\w>:$])(\$\w+)\s*\[((?:[^[\]\n]|\[[^[\]\n]{0,40}\]){1,80})\]\s*\(/g;

/**
 * A literal table of functions that holds a runner (`['a' => 'phpinfo', 'b' => 'passthru']`)
 * called at a request-chosen index with request arguments: the client picks the runner. A
 * table of the page's own handlers is a router and is left to the other passes.
 */
export function tableRunners(s: PhpScan): void {
  const { ctx, taint } = s;
  const { code, ev } = ctx;
  if (!bracketCalled(code)) return;
  for (const m of matches(TABLE_CALL, bareCode(ctx), 500)) {
    // the index (and what comes after the table's name) reads the request
    if (!taint.touches(code.slice(m.index + m[1]!.length, m.index + m[0].length))) continue;
    const args = callArgs(code, m.index + m[0].length - 1);
    if (!taint.touches(args)) continue;
    const runner = tableValues(code, m[1]!, taint)?.find((v) => RUNS_WHEN_CALLED.has(v.toLowerCase()));
    if (runner) ev.add('flow', `request picks ${runner.toLowerCase()}() out of a table of functions and hands it request input`, 12, m.index, m[0].length);
  }
}
