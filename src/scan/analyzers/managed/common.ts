/**
 * Helpers shared by the Java and .NET mechanism passes: call sites with their receiver and
 * per-argument taint, names handed to reflection (folded), and the strings of a class file.
 */
import { checkBudget } from '../../budget.js';
import type { ManagedFlow } from './dataflow.js';
import type { AnalyzerContext } from '../../context.js';
import type { Taint } from '../../flow.js';

export interface SinkHit {
  kind: string;
  /** Token index of the call's `(`. */
  open: number;
  what: string;
  /** Offset of the call's name. */
  at: number;
  /** Some argument carries request input. */
  tainted: boolean;
  argTaint: boolean[];
}

/**
 * The receiver of the call whose name is token `i`: the dotted chain before it, calls and
 * indexes kept as their names (`Runtime.getRuntime().exec` -> `Runtime.getRuntime`), at most
 * a few links back.
 */
export function receiverOf(f: ManagedFlow, i: number): string {
  const parts: string[] = [];
  let j = i - 1;
  for (let n = 0; n < 8 && f.toks[j]?.k === 'op' && f.toks[j]!.v === '.'; n++) {
    j--;
    let t = f.toks[j];
    if (t?.k === 'op' && (t.v === ')' || t.v === ']') && f.match[j]! >= 0 && f.match[j]! < j) {
      j = f.match[j]! - 1;
      t = f.toks[j];
    }
    if (t?.k !== 'id') break;
    parts.unshift(t.v);
    j--;
  }
  return parts.join('.');
}

/** Whether the call named at token `i` is a constructor call (`new X(`, `new a.b.X(`). */
function isNew(f: ManagedFlow, i: number): boolean {
  let j = i - 1;
  for (let n = 0; n < 8 && f.toks[j]?.v === '.' && f.toks[j - 1]?.k === 'id'; n++) j -= 2;
  return f.toks[j]?.k === 'id' && f.toks[j]!.v === 'new';
}

/**
 * Every call the classifier names as a sink, with which arguments read request input. The
 * classifier sees the call's name, its receiver chain and whether it is `new`.
 */
export function sinkCalls(f: ManagedFlow, classify: (name: string, recv: string, isNew: boolean) => [string, string] | undefined, cap = 2000): SinkHit[] {
  const out: SinkHit[] = [];
  const toks = f.toks;
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'id' || toks[i + 1]!.k !== 'op' || toks[i + 1]!.v !== '(') continue;
    if ((i & 1023) === 0) checkBudget();
    const c = classify(t.v, receiverOf(f, i), isNew(f, i));
    if (!c) continue;
    const scope = f.scopeAt(i);
    const argTaint = f.args(i + 1).map(([a, b]) => f.exprTainted(a, b, scope));
    out.push({ kind: c[0], what: c[1], open: i + 1, at: t.at, tainted: argTaint.some(Boolean), argTaint });
    if (out.length >= cap) break;
  }
  return out;
}

const REFLECT =
  /^(?:forName|loadClass|getMethod|getDeclaredMethod|getConstructor|getDeclaredConstructor|getDeclaredField|getField|findVirtual|findStatic|findConstructor|findSpecial|GetType|GetMethod|InvokeMember|CreateInstance|GetField|GetProperty)$/;

/**
 * Names handed to reflection that the patterns call dangerous, folded (literals, byte arrays,
 * base64, concatenation). `hidden`: some such name was not written as a plain literal.
 */
export function reflectiveNames(f: ManagedFlow, classes: RegExp, methods: RegExp): { names: Set<string>; hidden: boolean; at: number } {
  const names = new Set<string>();
  let hidden = false;
  let at = -1;
  const toks = f.toks;
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'id' || !REFLECT.test(t.v) || toks[i + 1]!.v !== '(') continue;
    for (const [a, b] of f.args(i + 1).slice(0, 3)) {
      const v = f.constOf(a, b);
      if (v === undefined || !(classes.test(v) || methods.test(v))) continue;
      names.add(v);
      if (at < 0) at = t.at;
      if (!(b - a === 1 && toks[a]!.k === 'str')) hidden = true;
    }
    if (names.size >= 16) break;
  }
  return { names, hidden, at };
}

/** Constant-pool names a class file carries that mean process execution, class loading or a memory shell. */
export const EMBEDDED_CLASS_DANGER =
  /^(?:java\/lang\/Runtime|java\/lang\/ProcessBuilder|exec|defineClass|javax\/script\/ScriptEngineManager|addFilterDef|addFilterMap|addFilterMapBefore|addServletMapping|addServletMappingDecoded|addApplicationEventListener|addEndpoint|javax\/crypto\/Cipher|sun\/misc\/Unsafe)$/;

/** The UTF-8 constants of a class file's constant pool (bounded; stops at anything malformed). */
export function classFileStrings(b: Buffer): string[] {
  const out: string[] = [];
  if (b.length < 10 || b.readUInt32BE(0) !== 0xcafebabe) return out;
  const count = b.readUInt16BE(8);
  let p = 10;
  for (let k = 1; k < count && p < b.length; k++) {
    const tag = b[p]!;
    p++;
    if (tag === 1) {
      if (p + 2 > b.length) break;
      const len = b.readUInt16BE(p);
      p += 2;
      if (p + len > b.length) break;
      if (out.length < 4096) out.push(b.toString('latin1', p, p + len));
      p += len;
    } else if (tag === 3 || tag === 4 || tag === 9 || tag === 10 || tag === 11 || tag === 12 || tag === 17 || tag === 18) p += 4;
    else if (tag === 5 || tag === 6) {
      p += 8;
      k++;
    } else if (tag === 7 || tag === 8 || tag === 16 || tag === 19 || tag === 20) p += 2;
    else if (tag === 15) p += 3;
    else break;
  }
  return out;
}

/**
 * Hands the token pass's findings to the pattern passes' name-based taint: variables tainted
 * in any scope, and the file's own methods that return request input (their name then reads
 * as a request value wherever it is called).
 */
export function lendTaint(f: ManagedFlow, taint: Taint): void {
  let added = false;
  for (const key of f.tainted) {
    const name = key.slice(key.indexOf(':') + 1);
    if (!taint.vars.has(name)) {
      taint.vars.add(name);
      added = true;
    }
  }
  for (const m of f.methods) {
    if (m.retSource && !taint.vars.has(m.name)) {
      taint.vars.add(m.name);
      added = true;
    }
  }
  if (added) taint.propagate();
}

/**
 * A hard-coded password in front of a request-driven tool (file manager, SQL client, upload,
 * file writer): what turns an injectable admin page into someone's backdoor.
 */
export function passwordGate(ctx: AnalyzerContext, f: ManagedFlow): void {
  const tool = ctx.ev.list().some((e) => e.analyzer === 'flow' && e.weight >= 5 && e.weight <= 10);
  if (!tool) return;
  const at = f.passwordGate();
  if (at >= 0) ctx.ev.add('capability', 'request must carry a hard-coded password (the gate of a backdoor tool)', 3, at, 20);
}

/** Whether the first argument of the call `h` reads the request in `pathFlow` (the flow without uploads). */
export function pathTainted(pathFlow: ManagedFlow | undefined, h: SinkHit): boolean {
  if (!pathFlow) return false;
  const first = pathFlow.args(h.open)[0];
  return first !== undefined && pathFlow.exprTainted(first[0], first[1], pathFlow.scopeAt(h.open));
}

/** Whether every argument of the call `h` is a constant (strings, numbers, arrays of them, `true`/`null`). */
export function constArgs(f: ManagedFlow, h: SinkHit): boolean {
  for (const [a, b] of f.args(h.open)) {
    if (f.constOf(a, b) !== undefined) continue;
    let ok = true;
    for (let k = a; k < b && ok; k++) {
      const t = f.toks[k]!;
      ok = t.k === 'str' || t.k === 'num' || (t.k === 'op' && '[]{},'.includes(t.v)) || (t.k === 'id' && /^(?:new|String|string|true|false|null)$/.test(t.v));
    }
    if (!ok) return false;
  }
  return true;
}

/** Reflective lookups by name: the class, type or method a string names. */
const LOOKUPS = /^(?:forName|loadClass|getMethod|getDeclaredMethod|GetType|GetMethod|InvokeMember)$/;
/** What runs what a lookup found. */
const RUNNERS = new Set(['invoke', 'newInstance', 'Invoke', 'InvokeMember', 'CreateInstance']);
/** Past this many tokens a file is an application, where a request-named class is routing. */
const SMALL_FILE_TOKENS = 1500;

/**
 * `Actions.class.getMethod("do" + a)`: a method of a class the page declares itself, extending
 * nothing, looked up by name. The page dispatches to its own code (Struts-style `do<Action>`);
 * what those methods do is read by the other passes like any code of the page. Only Object's
 * own public methods come on top, none of which runs anything.
 */
function ownMethodLookup(f: ManagedFlow, name: string, recv: string): boolean {
  if (name !== 'getMethod' && name !== 'getDeclaredMethod') return false;
  const cls = /^(\w+)\.class$/.exec(recv)?.[1];
  if (cls === undefined) return false;
  const toks = f.toks;
  for (let k = 0; k + 2 < toks.length; k++) {
    if (toks[k]!.k !== 'id' || toks[k]!.v !== 'class' || toks[k + 1]!.v !== cls || toks[k - 1]?.v === '.') continue;
    const next = toks[k + 2]!;
    if (next.v === '{' || next.v === 'implements') return true;
    if (next.v === 'extends') return toks[k + 3]?.v === 'Object' && (toks[k + 4]?.v === '{' || toks[k + 4]?.v === 'implements');
    return false;
  }
  return false;
}

/**
 * A small page that looks up a class or method by a name the request gives and then invokes or
 * instantiates what it found: the requester chooses the code that runs (`Type.GetType(Request["t"])`,
 * `Class.forName(request.getParameter("c")).getMethod(..).invoke(..)`).
 */
export function reflectiveChoice(ctx: AnalyzerContext, f: ManagedFlow): void {
  if (f.toks.length > SMALL_FILE_TOKENS) return;
  if (!f.toks.some((t, i) => t.k === 'id' && RUNNERS.has(t.v) && f.toks[i + 1]?.v === '(')) return;
  for (const h of sinkCalls(f, (name, recv, isNew) => (!isNew && LOOKUPS.test(name) && !ownMethodLookup(f, name, recv) ? ['lookup', name] : undefined), 100)) {
    if (!h.argTaint[0]) continue;
    ctx.ev.add('flow', 'request chooses the class or method run through reflection', 10, h.at, 10);
    return;
  }
}
