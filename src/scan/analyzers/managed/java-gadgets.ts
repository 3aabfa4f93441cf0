/**
 * Java mechanisms that reach a command or remote code without calling the usual sinks by name:
 * JDK and library classes that perform a JNDI lookup of a name set on them (a RowSet's data
 * source name, a JNDI-backed data source's jndiName); class names assembled at runtime around an
 * unknown piece (`"java.lang." + c + "untime"`); classes loaded from a remote URL and built with
 * request input; a JDK object's private command field set by reflection to the request value
 * and then run; and expression-language text the page evaluates that reaches reflection and
 * reads the request itself (`${param.c}`).
 */
import type { AnalyzerContext } from '../../context.js';
import type { ManagedFlow } from './dataflow.js';
import { sinkCalls } from './common.js';

function isId(f: ManagedFlow, i: number, v?: string): boolean {
  const t = f.toks[i];
  return t?.k === 'id' && (v === undefined || t.v === v);
}

function isOp(f: ManagedFlow, i: number, v: string): boolean {
  const t = f.toks[i];
  return t?.k === 'op' && t.v === v;
}

/** Setters of library objects that look the set name up in JNDI when they connect. */
const JNDI_SETTERS = /^(?:setDataSourceName|setJndiName|setUserTransactionName|setTransactionManagerName)$/;
/** Calls that make such an object connect (and so look its name up). */
const JNDI_TRIGGERS = /\.\s*(?:setAutoCommit|execute|executeQuery|getDatabaseMetaData|prepare|connect|getConnection|afterPropertiesSet|setLoginTimeout|getObject)\s*\(/;

/** Class names that mean process execution, matched against names built around unknown parts. */
const PROCESS_CLASSES = ['java.lang.Runtime', 'java.lang.ProcessBuilder', 'java.lang.ProcessImpl', 'java.lang.UNIXProcess'];

/** Field names of a JDK object that hold a program to run. */
const COMMAND_FIELD = /exec|command|cmd|program|shell/i;

/** JNDI lookups through a setter: `rowSet.setDataSourceName(request.getParameter("u")); rowSet.setAutoCommit(true)`. */
export function jndiSetters(ctx: AnalyzerContext, f: ManagedFlow): void {
  const { code } = ctx;
  if (!/\bset(?:DataSourceName|JndiName|UserTransactionName|TransactionManagerName)\s*\(/.test(code) || !JNDI_TRIGGERS.test(code)) return;
  for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && JNDI_SETTERS.test(name) ? ['jndi', name] : undefined), 32)) {
    if (!h.argTaint[0]) continue;
    ctx.ev.add('flow', 'request-derived variable reaches JNDI lookup', 11, h.at, 10);
    return;
  }
}

/**
 * Names of process classes a `forName` builds from constants around a part the file cannot
 * fold (a random or computed character): `"java.lang." + x + "untime"` still names Runtime.
 */
export function partialProcessNames(f: ManagedFlow): { names: string[]; at: number } {
  const names: string[] = [];
  let at = -1;
  const toks = f.toks;
  for (let i = 0; i + 1 < toks.length && names.length === 0; i++) {
    const t = toks[i]!;
    if (t.k !== 'id' || (t.v !== 'forName' && t.v !== 'loadClass') || toks[i + 1]!.v !== '(') continue;
    const first = f.args(i + 1)[0];
    if (!first) continue;
    const parts = splitPlus(f, first[0], first[1]);
    if (parts.length < 2) continue;
    let known = 0;
    let source = '';
    for (const [a, b] of parts) {
      const v = f.constOf(a, b);
      if (v === undefined) source += '.{1,3}';
      else {
        known += v.length;
        source += v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
    }
    if (!source.includes('.{1,3}')) continue;
    const re = new RegExp(`^${source}$`);
    const hit = PROCESS_CLASSES.find((c) => re.test(c) && known >= c.length * 0.75);
    if (hit) {
      names.push(hit);
      at = t.at;
    }
  }
  return { names, at };
}

/** The top-level `+` operands of tokens [from, to). */
function splitPlus(f: ManagedFlow, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = from;
  for (let k = from; k < to; k++) {
    const t = f.toks[k]!;
    if (t.k === 'op' && (t.v === '(' || t.v === '[' || t.v === '{') && f.match[k]! > k) {
      k = f.match[k]!;
      continue;
    }
    if (t.k === 'op' && t.v === '+') {
      out.push([start, k]);
      start = k + 1;
    }
  }
  out.push([start, to]);
  return out.filter(([a, b]) => b > a);
}

/**
 * A class loader over a remote URL (an `http://` literal in its arguments or in the URL
 * variables they name) whose class is instantiated or invoked with request input.
 */
export function remoteClassLoader(ctx: AnalyzerContext, f: ManagedFlow): void {
  const { code } = ctx;
  if (!code.includes('URLClassLoader') || !/["'](?:https?|ftp|jar:https?):\/\//i.test(code)) return;
  const toks = f.toks;
  let loader = -1;
  for (let i = 0; i + 2 < toks.length && loader < 0; i++) {
    if (!isId(f, i, 'new') || !/URLClassLoader$/.test(toks[i + 1]!.v) || !isOp(f, i + 2, '(') || f.match[i + 2]! < i) continue;
    if (remoteIn(f, i + 3, f.match[i + 2]!, 0)) loader = i;
  }
  if (loader < 0) return;
  for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && (name === 'newInstance' || name === 'invoke') ? ['run', name] : undefined), 64)) {
    if (!h.tainted) continue;
    ctx.ev.add('flow', 'request input reaches a class loaded from a remote URL', 12, h.at, 10);
    return;
  }
  // alone no more than a hint: an updater or plugin fetcher may do the same
  ctx.ev.add('capability', 'loads classes from a remote URL', 4, toks[loader]!.at, 20);
}

/** Whether tokens [from, to) hold a remote URL literal, directly or through the variables they name (one level). */
function remoteIn(f: ManagedFlow, from: number, to: number, depth: number): boolean {
  for (let k = from; k < to; k++) {
    const t = f.toks[k]!;
    if (t.k === 'str' && /^(?:https?|ftp|jar:https?):\/\//i.test(t.v)) return true;
    if (depth === 0 && t.k === 'id' && !isOp(f, k - 1, '.') && !isOp(f, k + 1, '(')) {
      for (const a of f.assignmentsOf(t.v)) if (a.to - a.from < 200 && remoteIn(f, a.from, a.to, 1)) return true;
    }
  }
  return false;
}

/**
 * `fld = cls.getDeclaredField("execPath"); fld.setAccessible(true); fld.set(obj, request..); obj.run()`:
 * a private field that names a program, set to the request value, on an object the page then runs.
 */
export function commandField(ctx: AnalyzerContext, f: ManagedFlow): void {
  const { code } = ctx;
  if (!/setAccessible/.test(code) || !/\.\s*(?:run|start|exec|call|launch)\s*\(/.test(code)) return;
  for (const h of sinkCalls(f, (name, recv, isNew) => (!isNew && name === 'set' && /^\w+$/.test(recv) ? ['set', recv] : undefined), 64)) {
    if (h.argTaint.length !== 2 || !h.argTaint[1]) continue;
    const named = f.assignmentsOf(h.what).some((a) => {
      for (let k = a.from; k + 2 < a.to; k++) {
        if ((isId(f, k, 'getDeclaredField') || isId(f, k, 'getField')) && isOp(f, k + 1, '(')) {
          const arg = f.args(k + 1)[0];
          const v = arg ? f.constOf(arg[0], arg[1]) : undefined;
          return v !== undefined && COMMAND_FIELD.test(v);
        }
      }
      return false;
    });
    if (named) {
      ctx.ev.add('flow', "request input set by reflection into an object's private command field", 11, h.at, 10);
      return;
    }
  }
}

/** EL reaching reflection, processes or engines, and EL reading the request (as the page-text EL check in ../java.ts). */
const EL_REFLECT = /forName\s*\(|Runtime|ProcessBuilder|ScriptEngineManager|getMethod\s*\(|defineClass|newInstance/;
const EL_REQUEST = /\b(?:param|paramValues|header|headerValues|cookie)\s*[.[]|pageContext\s*\.\s*request/;

/** An expression the page evaluates (`elp.eval(".."), factory.createValueExpression(ctx, "..", T)`) that reaches reflection and reads the request itself. */
export function constantEl(ctx: AnalyzerContext, f: ManagedFlow): void {
  for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && /^(?:eval|createValueExpression|createMethodExpression|getValue)$/.test(name) ? ['el', name] : undefined), 64)) {
    for (const [a, b] of f.args(h.open).slice(0, 2)) {
      const v = f.constOf(a, b);
      if (v === undefined || !EL_REFLECT.test(v) || !EL_REQUEST.test(v)) continue;
      ctx.ev.add('flow', 'request input reaches reflection or process execution inside an EL expression the page evaluates', 12, h.at, 10);
      return;
    }
  }
}

/** Gadget classes whose presence in a serialized stream means code runs when it is read. */
const GADGETS =
  /TemplatesImpl|_bytecodes|InvokerTransformer|InstantiateTransformer|ChainedTransformer|BeanComparator|JdbcRowSetImpl|MethodInvokeTypeProvider|AnnotationInvocationHandler|ConvertedClosure|MethodClosure/;

/**
 * A serialized object stream the page carries as a literal (base64 `rO0AB..`) and reads with
 * ObjectInputStream, holding a known gadget (TemplatesImpl bytecode, commons-collections
 * transformers): the page runs the gadget's code on itself.
 */
export function embeddedGadget(ctx: AnalyzerContext, f: ManagedFlow): void {
  if (!ctx.code.includes('ObjectInputStream') || !ctx.code.includes('rO0AB')) return;
  for (const t of f.toks) {
    if (t.k !== 'str' || t.v.length < 200 || !t.v.startsWith('rO0AB')) continue;
    const s = Buffer.from(t.v.replace(/\s+/g, ''), 'base64').toString('latin1');
    const g = GADGETS.exec(s);
    if (!g) continue;
    ctx.ev.add('capability', `deserializes an object stream embedded in the file that carries a gadget (${g[0]})`, 10, t.at, 20);
    return;
  }
}

/**
 * Class bytecode the page generates with ASM (`ClassWriter` + `visitMethodInsn(.., "java/lang/Runtime", "exec", ..)`)
 * and defines: a class that runs commands, written instruction by instruction so no text names the call.
 */
export function generatedClass(ctx: AnalyzerContext, f: ManagedFlow, defines: boolean): void {
  if (!defines || !ctx.code.includes('ClassWriter') || !ctx.code.includes('visitMethodInsn')) return;
  for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && name === 'visitMethodInsn' ? ['asm', name] : undefined), 500)) {
    const vals = f.args(h.open).map(([a, b]) => f.constOf(a, b));
    const owner = vals.find((v) => v !== undefined && /^java\/lang\/(?:Runtime|ProcessBuilder|ProcessImpl|UNIXProcess)$/.test(v));
    if (owner && vals.some((v) => v !== undefined && /^(?:exec|start|forkAndExec)$/.test(v))) {
      ctx.ev.add('capability', `generates and defines class bytecode that runs commands (${owner.slice(10)} through ASM)`, 10, h.at, 10);
      return;
    }
  }
}
