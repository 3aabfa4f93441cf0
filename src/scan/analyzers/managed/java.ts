/**
 * Java/JSP mechanisms on the managed data flow (dataflow.ts): request input reaching command
 * execution, class definition, script engines, expression languages and JNDI, directly or
 * through reflection whose class and method names the file builds at runtime; file writes
 * whose path and content the request both chooses; database clients on a request-chosen
 * connection; command interpreters wired to sockets; class files embedded in the page.
 */
import type { AnalyzerContext } from '../../context.js';
import { ManagedFlow } from './dataflow.js';
import type { Tok } from './tokens.js';
import { classFileStrings, constArgs, EMBEDDED_CLASS_DANGER, pathTainted, reflectiveNames, sinkCalls, type SinkHit } from './common.js';

const CMD = 'cmd';
const CODE = 'code';

/** Names whose presence in a folded reflective argument means process execution or class loading. */
const DANGER_CLASS =
  /^(?:java\.lang\.(?:Runtime|ProcessBuilder|ProcessImpl|UNIXProcess|ClassLoader)|javax\.script\.ScriptEngineManager|sun\.misc\.Unsafe|jdk\.internal\.misc\.Unsafe|javax\.naming\.InitialContext|java\.lang\.invoke\.MethodHandles(?:\$Lookup)?|com\.sun\.org\.apache\.bcel\.internal\.util\.ClassLoader|groovy\.lang\.GroovyShell|jdk\.jshell\.JShell)$/;
const DANGER_METHOD = /^(?:exec|getRuntime|start|forkAndExec|defineClass|defineAnonymousClass|defineHiddenClass|eval|lookup|newInstance|getEngineByName|evaluate)$/;

export function managedJava(ctx: AnalyzerContext): ManagedFlow | undefined {
  const { code, ev } = ctx;
  const f = new ManagedFlow(code, 'java');
  if (f.toks.length === 0) return undefined;
  const has = (re: RegExp) => re.test(code);
  const runtimeFile = has(/\bRuntime\b|getRuntime/);
  const engineFile = has(/ScriptEngine|getEngineByName|GroovyShell|JShell|ELProcessor|bsh\.Interpreter|\bInterpreter\b|NashornScriptEngine/);
  const elFile = has(/ExpressionFactory|ELProcessor|Ognl|SpelExpressionParser|ExpressionParser|MVEL|JexlEngine|TemplateEngine/);
  const jndiFile = has(/InitialContext|\bContext\b|DirContext/);
  const bcelFile = has(/bcel/i);

  const hits: SinkHit[] = sinkCalls(f, (name, recv, isNew) => {
    if (isNew) {
      if (name === 'ProcessBuilder') return [CMD, 'ProcessBuilder'];
      if (name === 'ScriptEngineManager') return undefined;
      return undefined;
    }
    if (name === 'exec' && (runtimeFile || /getRuntime/.test(recv))) return [CMD, 'Runtime.exec'];
    if (name === 'command' && has(/ProcessBuilder/)) return [CMD, 'ProcessBuilder.command'];
    if (/^(?:defineClass|defineAnonymousClass|defineHiddenClass)$/.test(name)) return [CODE, 'ClassLoader.defineClass'];
    if (name === 'loadClass' && bcelFile) return [CODE, 'ClassLoader.defineClass'];
    if ((name === 'eval' || name === 'evaluate' || name === 'compile') && engineFile) return [CODE, 'ScriptEngine.eval'];
    if (elFile && /^(?:createValueExpression|createMethodExpression|parseExpression)$/.test(name)) return [CODE, 'expression language evaluation'];
    if (/^(?:getValue|setValue|parseExpression)$/.test(name) && /\bOgnl$/.test(recv)) return [CODE, 'expression language evaluation'];
    if (name === 'lookup' && jndiFile) return [CODE, 'JNDI lookup'];
    return undefined;
  });
  const cmds = hits.filter((h) => h.kind === CMD);
  f.fixedCommands = cmds.length > 0 && cmds.every((h) => constArgs(f, h));
  for (const h of hits) {
    if (!h.tainted) continue;
    // worded as the pattern pass words the same path, so one path counts once
    const reason = h.what === 'ScriptEngine.eval' ? 'request input reaches an evaluator .eval()' : `request-derived variable reaches ${h.what}`;
    ev.add('flow', reason, h.what === 'JNDI lookup' ? 11 : 12, h.at, 10);
  }

  // reflection: names folded from literals, byte arrays, base64; a request value handed to invoke/newInstance
  const refl = reflectiveNames(f, DANGER_CLASS, DANGER_METHOD);
  if (refl.names.size > 0) {
    if (refl.hidden) ev.add('obfuscation', `reflective class or method name built at runtime (${[...refl.names].slice(0, 3).join(', ')})`, 8, refl.at, 20);
    const exec = [...refl.names].some((n) => /Runtime|ProcessBuilder|ProcessImpl|UNIXProcess|^exec$|^start$|forkAndExec|getRuntime/.test(n));
    const load = [...refl.names].some((n) => /defineClass|defineAnonymousClass|defineHiddenClass|Unsafe|bcel|ClassLoader/.test(n));
    for (const h of sinkCalls(f, (name) => (name === 'invoke' || name === 'newInstance' || name === 'invokeExact' || name === 'invokeWithArguments' ? [CODE, name] : undefined))) {
      if (!h.tainted) continue;
      if (exec) ev.add('flow', 'request input reaches process execution through reflection', 12, h.at, 10);
      else if (load) ev.add('flow', 'request input reaches class definition through reflection', 12, h.at, 10);
      else ev.add('flow', 'request input reaches a method invoked through reflection', 9, h.at, 10);
      break;
    }
  }

  // a file whose path and content the request both chooses: writes any script anywhere
  const writers = new Set<string>();
  // the path is judged without the upload's own name: `new File(dir, part.getSubmittedFileName())` is an upload handler
  const WRITER_TYPES = /^(?:FileOutputStream|FileWriter|PrintWriter|PrintStream|RandomAccessFile|BufferedWriter|OutputStreamWriter|BufferedOutputStream|DataOutputStream)$/;
  const candidates = [...f.assignedWith(WRITER_TYPES)].filter(([, a]) => f.exprTainted(a.from, a.to, a.scope));
  const pathFlow = candidates.length > 0 || has(/\b(?:Files|FileUtils|FileUtil)\s*\.\s*write/) ? new ManagedFlow(code, 'java', [], true) : undefined;
  for (const [name, a] of candidates) if (pathFlow!.exprTainted(a.from, a.to, a.scope)) writers.add(name);
  let dropper = -1;
  for (const h of sinkCalls(f, (name, recv, isNew) => {
    if (isNew) return undefined;
    if (/^(?:write|print|println|append|writeBytes|writeUTF)$/.test(name) && writers.has(recv)) return ['write', name];
    if (/^(?:write|writeString|writeStringToFile|writeByteArrayToFile)$/.test(name) && /^(?:Files|FileUtils|FileUtil)$/.test(recv)) return ['write2', name];
    return undefined;
  })) {
    if (h.kind === 'write' && h.tainted) dropper = h.at;
    if (h.kind === 'write2' && h.argTaint.length >= 2 && h.argTaint[1] && pathTainted(pathFlow, h)) dropper = h.at;
    if (dropper >= 0) break;
  }
  if (dropper >= 0) ev.add('flow', "request chooses a file's path and its content (writes any file)", 10, dropper, 10);

  // database client: the request names the connection and the SQL
  let conn = -1;
  let sql = false;
  for (const h of sinkCalls(f, (name) =>
    name === 'getConnection' ? ['conn', name] : /^(?:executeQuery|executeUpdate|execute|prepareStatement|addBatch|prepareCall)$/.test(name) ? ['sql', name] : undefined,
  )) {
    if (!h.tainted) continue;
    if (h.kind === 'conn' && h.argTaint[0]) conn = h.at;
    if (h.kind === 'sql') sql = true;
  }
  if (conn >= 0 && sql) ev.add('flow', 'request chooses the database connection and the SQL it runs (database client backdoor)', 10, conn, 10);

  // a command interpreter wired to a socket: reverse or bind shell
  if ((runtimeFile || has(/ProcessBuilder/)) && has(/\bnew\s+(?:Socket|ServerSocket)\s*\(|SocketChannel/) && has(/getOutputStream/) && has(/getInputStream/)) {
    const shell = f.toks.find((t) => t.k === 'str' && /^(?:cmd|cmd\.exe|\/bin\/(?:ba)?sh|sh|bash|powershell(?:\.exe)?)$/i.test(t.v));
    if (shell) ev.add('capability', 'connects a command interpreter to a network socket (reverse or bind shell)', 12, shell.at, 10);
  }

  // compiled classes embedded in the page, defined at runtime
  const embedded = embeddedClass(f);
  if (embedded) {
    const defines = has(/defineClass|defineAnonymousClass|defineHiddenClass/) || [...refl.names].some((n) => /define/.test(n));
    ev.add('capability', defines ? 'defines a Java class from bytecode embedded in the file' : 'embeds compiled Java class bytecode', defines ? 10 : 6, embedded.at, 20);
    if (embedded.danger.length > 0) ev.add('capability', `embedded class bytecode references ${embedded.danger.slice(0, 3).join(', ')}`, 4, embedded.at, 20);
  }
  return f;
}

/** A class file in a base64 literal (`yv66vg...`) or a byte-array literal opening with CAFEBABE. */
function embeddedClass(f: ManagedFlow): { at: number; danger: string[] } | undefined {
  const toks = f.toks;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    let bytes: Buffer | undefined;
    if (t.k === 'str' && t.v.length >= 200 && t.v.startsWith('yv66vg')) bytes = Buffer.from(t.v.replace(/\s+/g, ''), 'base64');
    else if (t.k === 'op' && t.v === '{' && f.match[i]! > i + 8 && byteValue(toks, i + 1) === 0xca && byteValue(toks, i + 3 + (toks[i + 1]!.v === '-' ? 1 : 0)) !== undefined) {
      const b = arrayBytes(f, i);
      if (b && b.length >= 8 && b[0] === 0xca && b[1] === 0xfe && b[2] === 0xba && b[3] === 0xbe) bytes = b;
    }
    if (!bytes) continue;
    const strings = classFileStrings(bytes);
    const danger = [...new Set(strings.filter((s) => EMBEDDED_CLASS_DANGER.test(s)))];
    return { at: t.at, danger };
  }
  return undefined;
}

/** The byte a `-54` / `202` / `0xCA` literal at `i` stands for. */
function byteValue(toks: readonly Tok[], i: number): number | undefined {
  const neg = toks[i]?.v === '-';
  const t = toks[neg ? i + 1 : i];
  if (t?.k !== 'num') return undefined;
  const n = /^0x/i.test(t.v) ? Number.parseInt(t.v, 16) : Number.parseInt(t.v, 10);
  return Number.isFinite(n) ? (neg ? -n : n) & 0xff : undefined;
}

/** The bytes of an array literal `{..}` opening at `open` (numbers, casts and commas only). */
function arrayBytes(f: ManagedFlow, open: number): Buffer | undefined {
  const close = f.match[open]!;
  const out: number[] = [];
  for (let k = open + 1; k < close && out.length < 1 << 20; k++) {
    const t = f.toks[k]!;
    if (t.k === 'op' && (t.v === ',' || t.v === '(' || t.v === ')')) continue;
    if (t.k === 'id' && t.v === 'byte') continue;
    const b = byteValue(f.toks, k);
    if (b === undefined) return undefined;
    if (t.v === '-') k++;
    out.push(b);
  }
  return Buffer.from(out);
}
