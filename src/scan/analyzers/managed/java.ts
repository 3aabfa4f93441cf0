/**
 * Java/JSP mechanisms on the managed data flow (dataflow.ts): request input reaching command
 * execution, class definition, script engines, expression languages and JNDI, directly or
 * through reflection whose class and method names the file builds at runtime; file writes
 * whose path and content the request both chooses; database clients on a request-chosen
 * connection; command interpreters wired to sockets; class files embedded in the page.
 */
import { plainProgramOf } from '../../argv.js';
import { javaGuards } from '../java-guards.js';
import { callArgs } from '../../text.js';
import type { AnalyzerContext } from '../../context.js';
import { ManagedFlow } from './dataflow.js';
import type { Tok } from './tokens.js';
import { classFileStrings, constArgs, EMBEDDED_CLASS_DANGER, pathTainted, reflectiveChoice, reflectiveNames, sinkCalls, type SinkHit } from './common.js';
import { ownLoaderFed, packedClass, templatesBytecodes } from './java-loaders.js';
import { constantScripts } from './java-scripts.js';
import { commandField, constantEl, embeddedGadget, generatedClass, jndiSetters, partialProcessNames, remoteClassLoader } from './java-gadgets.js';

const CMD = 'cmd';
const CODE = 'code';

/** Call names of the less common sinks (interpreters, deserializers, loaders, native code, XSLT). */
const MORE_SINKS = new Set([
  'evaluate',
  'parseClass',
  'createExpression',
  'createScript',
  'eval',
  'executeExpression',
  'compileExpression',
  'fromXML',
  'load',
  'loadAs',
  'loadAll',
  'me',
  'x',
  'xy',
  'xyz',
  'exec',
  'runScriptlet',
  'newInstance',
  'loadAgent',
  'loadAgentPath',
  'loadLibrary',
  'newTransformer',
  'newTemplates',
]);
/** Comparisons that pick a method by its name. */
const NAME_TESTS = new Set(['equals', 'equalsIgnoreCase', 'contains', 'startsWith']);

/** Names whose presence in a folded reflective argument means process execution or class loading. */
const DANGER_CLASS =
  /^(?:java\.lang\.(?:Runtime|ProcessBuilder|ProcessImpl|UNIXProcess|ClassLoader)|javax\.script\.ScriptEngineManager|sun\.misc\.Unsafe|jdk\.internal\.misc\.Unsafe|javax\.naming\.InitialContext|java\.lang\.invoke\.MethodHandles(?:\$Lookup)?|com\.sun\.org\.apache\.bcel\.internal\.util\.ClassLoader|groovy\.lang\.GroovyShell|jdk\.jshell\.JShell)$/;
const DANGER_METHOD = /^(?:exec|getRuntime|start|forkAndExec|defineClass|defineAnonymousClass|defineHiddenClass|eval|lookup|newInstance|getEngineByName|evaluate)$/;

export function managedJava(ctx: AnalyzerContext): ManagedFlow | undefined {
  const { code, ev } = ctx;
  const f = new ManagedFlow(code, 'java', [], false, javaGuards(code));
  if (f.toks.length === 0) return undefined;
  const has = (re: RegExp) => re.test(code);
  const runtimeFile = has(/\bRuntime\b|getRuntime/);
  const engineFile = has(/ScriptEngine|getEngineByName|GroovyShell|JShell|ELProcessor|bsh\.Interpreter|\bInterpreter\b|NashornScriptEngine|Velocity/);
  const elFile = has(/ExpressionFactory|ELProcessor|Ognl|SpelExpressionParser|ExpressionParser|MVEL|JexlEngine|TemplateEngine|ExpressionEvaluator/);
  const xsltFile = has(/TransformerFactory/);
  const jndiFile = has(/InitialContext|\bContext\b|DirContext/);
  const bcelFile = has(/bcel/i);

  const hits: SinkHit[] = sinkCalls(f, (name, recv, isNew) => {
    if (isNew) {
      if (name === 'ProcessBuilder') return [CMD, 'ProcessBuilder'];
      // XMLDecoder runs the method calls its XML names; ObjectInputStream runs whatever gadgets the classpath offers
      if (name === 'XMLDecoder') return [CODE, 'XMLDecoder'];
      if (name === 'ObjectInputStream') return ['deser', 'ObjectInputStream'];
      if (name === 'Template' && /freemarker/i.test(code)) return [CODE, 'template evaluation'];
      // a class loader over request-named URLs runs whatever class it is asked for from there
      if (name === 'URLClassLoader') return [CODE, 'URLClassLoader'];
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
    // the rarer sinks below: one set lookup keeps the common call cheap
    if (!MORE_SINKS.has(name)) return undefined;
    // EL through the page's evaluator, Groovy classes, JEXL and MVEL scripts
    if (name === 'evaluate' && elFile) return [CODE, 'expression language evaluation'];
    if (name === 'parseClass' && /GroovyClassLoader/.test(code)) return [CODE, 'ScriptEngine.eval'];
    if (/^(?:createExpression|createScript)$/.test(name) && /Jexl/.test(code)) return [CODE, 'expression language evaluation'];
    if (/^(?:eval|executeExpression|compileExpression)$/.test(name) && /(?:^|\.)MVEL$/.test(recv)) return [CODE, 'expression language evaluation'];
    if (name === 'fromXML' && /xstream/i.test(recv)) return [CODE, 'XStream.fromXML'];
    // SnakeYAML before 2.0 builds any class its tags name
    if ((name === 'load' || name === 'loadAs' || name === 'loadAll') && /^yaml$/i.test(recv)) return [CODE, 'YAML object construction'];
    // Groovy's Eval, Jython and JRuby interpreters
    if (/^(?:me|x|xy|xyz)$/.test(name) && /(?:^|\.)Eval$/.test(recv) && /groovy/.test(code)) return [CODE, 'ScriptEngine.eval'];
    if ((name === 'exec' || name === 'eval') && /PythonInterpreter/.test(code) && !/getRuntime/.test(recv)) return [CODE, 'ScriptEngine.eval'];
    if (name === 'runScriptlet') return [CODE, 'ScriptEngine.eval'];
    // a class loader over request-named URLs; an agent jar attached to the running JVM
    if (name === 'newInstance' && /(?:^|\.)URLClassLoader$/.test(recv)) return [CODE, 'URLClassLoader'];
    if ((name === 'loadAgent' || name === 'loadAgentPath') && /VirtualMachine/.test(code)) return [CODE, 'Java agent loading'];
    // native code: a library at a path the request names
    if ((name === 'load' || name === 'loadLibrary') && /(?:^|\.)(?:System|getRuntime)$/.test(recv)) return [CODE, 'native library loading'];
    // an XSLT stylesheet calls Java through extension functions
    if ((name === 'newTransformer' || name === 'newTemplates') && xsltFile) return [CODE, 'XSLT stylesheet compilation'];
    return undefined;
  });
  const cmds = hits.filter((h) => h.kind === CMD);
  f.fixedCommands = cmds.length > 0 && cmds.every((h) => constArgs(f, h));
  for (const h of hits) {
    // an evaluator runs its first argument (Velocity's evaluate, its fourth): request values in the bindings or context are data
    const code0 = h.what === 'ScriptEngine.eval';
    if (code0 && !(h.argTaint.length === 4 && /Velocity/.test(code) ? h.argTaint[3] : h.argTaint[0])) continue;
    if (!h.tainted) continue;
    if (h.kind === 'deser') {
      // a page exists only to run: a JSP deserializing request bytes is a backdoor, a library class may be an RPC endpoint
      const page = /<%|<jsp:/.test(ctx.text);
      ev.add('flow', 'request bytes deserialized by ObjectInputStream (gadget chains run code)', page ? 10 : 8, h.at, 10);
      continue;
    }
    // a fixed program given the request value as one of its own arguments (`new ProcessBuilder("ping", "-c", "1", host)`)
    if (h.kind === CMD && plainProgramOf(callArgs(code, f.toks[h.open]!.at), () => false) !== undefined) continue;
    // worded as the pattern pass words the same path, so one path counts once
    const reason = h.what === 'ScriptEngine.eval' ? 'request input reaches an evaluator .eval()' : `request-derived variable reaches ${h.what}`;
    ev.add('flow', reason, h.what === 'JNDI lookup' ? 11 : 12, h.at, 10);
  }

  // reflection: names folded from literals, byte arrays, base64; a request value handed to invoke/newInstance
  const refl = reflectiveNames(f, DANGER_CLASS, DANGER_METHOD);
  // methods picked by comparing names: `for (Method m : Runtime.class.getMethods()) if (m.getName().equals("exec"))`
  for (const [name, at] of code.includes('getName') ? comparedMethodNames(f) : []) {
    if (!DANGER_METHOD.test(name)) continue;
    refl.names.add(name);
    if (refl.at < 0) refl.at = at;
  }
  // `forName("java.lang." + c + "untime")`: a process class named around a part built at run time
  if (code.includes('forName') || code.includes('loadClass')) {
    const partial = partialProcessNames(f);
    for (const n of partial.names) refl.names.add(n);
    if (partial.names.length > 0) {
      refl.hidden = true;
      if (refl.at < 0) refl.at = partial.at;
    }
  }
  if (refl.names.size > 0) {
    if (refl.hidden) ev.add('obfuscation', `reflective class or method name built at runtime (${[...refl.names].slice(0, 3).join(', ')})`, 8, refl.at, 20);
    const exec = [...refl.names].some((n) => /Runtime|ProcessBuilder|ProcessImpl|UNIXProcess|^exec$|^start$|forkAndExec|getRuntime/.test(n));
    const load = [...refl.names].some((n) => /defineClass|defineAnonymousClass|defineHiddenClass|Unsafe|bcel|ClassLoader/.test(n));
    let invoked = false;
    for (const h of sinkCalls(f, (name) => (name === 'invoke' || name === 'newInstance' || name === 'invokeExact' || name === 'invokeWithArguments' ? [CODE, name] : undefined))) {
      if (!h.tainted) continue;
      if (exec) ev.add('flow', 'request input reaches process execution through reflection', 12, h.at, 10);
      else if (load) ev.add('flow', 'request input reaches class definition through reflection', 12, h.at, 10);
      else ev.add('flow', 'request input reaches a method invoked through reflection', 9, h.at, 10);
      invoked = true;
      break;
    }
    // the JDK's internal launcher (ProcessImpl.start, UNIXProcess.forkAndExec) has no use but starting
    // processes around Runtime and ProcessBuilder: reached by reflection in a page that reads the request
    // (its launching methods: a process utility reads UNIXProcess's `pid` field the same way)
    const names = [...refl.names];
    const launcher = names.includes('forkAndExec') || (names.some((n) => /ProcessImpl|UNIXProcess/.test(n)) && names.includes('start'));
    if (!invoked && launcher && f.toks.some((_t, i) => f.sourceAt(i) >= 0))
      ev.add('flow', "reaches the JDK's internal process launcher by reflection in a page that reads request input", 5, refl.at, 20);
  }

  reflectiveChoice(ctx, f);
  jndiSetters(ctx, f);
  remoteClassLoader(ctx, f);
  commandField(ctx, f);
  if (elFile || has(/ELProcessor/)) constantEl(ctx, f);
  embeddedGadget(ctx, f);
  generatedClass(ctx, f, has(/defineClass|defineAnonymousClass|defineHiddenClass/));
  constantScripts(ctx, f, engineFile);
  // Java source the request supplies, compiled by the JDK's compiler in the page
  if (has(/getSystemJavaCompiler/)) {
    const fedSource = sinkCalls(f, (name, recv) =>
      /^(?:write|writeString|print|println|getTask|run)$/.test(name) && !/^(?:out|response)$/.test(recv) ? [CODE, name] : undefined,
    ).find((h) => h.tainted);
    if (fedSource) ev.add('flow', 'request-supplied Java source compiled at runtime', 12, fedSource.at, 10);
  }
  // class loaders the page builds and feeds; TemplatesImpl bytecode
  const fed = ownLoaderFed(f, code);
  if (fed >= 0) ev.add('flow', 'request-derived variable reaches ClassLoader.defineClass', 12, fed, 10);
  const templates = templatesBytecodes(f, code);
  if (templates) {
    if (templates.fed) ev.add('flow', 'request-derived variable reaches ClassLoader.defineClass', 12, templates.at, 10);
    else ev.add('capability', 'defines classes from bytes at runtime', 5, templates.at, 10);
  }

  // a file whose path and content the request both chooses: writes any script anywhere
  const writers = new Set<string>();
  // the path is judged without the upload's own name: `new File(dir, part.getSubmittedFileName())` is an upload handler
  const WRITER_TYPES = /^(?:FileOutputStream|FileWriter|PrintWriter|PrintStream|RandomAccessFile|BufferedWriter|OutputStreamWriter|BufferedOutputStream|DataOutputStream)$/;
  const candidates = [...f.assignedWith(WRITER_TYPES)].filter(([, a]) => f.exprTainted(a.from, a.to, a.scope));
  // an upload stored by the upload's own call (`part.write(path)`, `item.write(file)`, `file.transferTo(dest)`)
  const uploadStores = has(/\.\s*(?:write|transferTo)\s*\(/) && has(/\b(?:getPart|Part|FileItem|MultipartFile|parseRequest)\b/);
  const pathFlow =
    candidates.length > 0 || uploadStores || has(/\b(?:Files|FileUtils|FileUtil)\s*\.\s*write/) ? new ManagedFlow(code, 'java', [], true, javaGuards(code)) : undefined;
  for (const [name, a] of candidates) if (pathFlow!.exprTainted(a.from, a.to, a.scope)) writers.add(name);
  let dropper = -1;
  for (const h of sinkCalls(f, (name, recv, isNew) => {
    if (isNew) return undefined;
    if (/^(?:write|print|println|append|writeBytes|writeUTF)$/.test(name) && writers.has(recv)) return ['write', name];
    if (/^(?:write|writeString|writeStringToFile|writeByteArrayToFile)$/.test(name) && /^(?:Files|FileUtils|FileUtil)$/.test(recv)) return ['write2', name];
    if (uploadStores && (name === 'write' || name === 'transferTo') && isUpload(code, recv)) return ['store', name];
    return undefined;
  })) {
    if (h.kind === 'write' && h.tainted) dropper = h.at;
    if (h.kind === 'write2' && h.argTaint.length >= 2 && h.argTaint[1] && pathTainted(pathFlow, h)) dropper = h.at;
    // the upload is the requester's content; the path, judged without the upload's own name, is theirs too
    if (h.kind === 'store' && pathTainted(pathFlow, h)) dropper = h.at;
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
    const defines = embedded.bcel || has(/defineClass|defineAnonymousClass|defineHiddenClass|_bytecodes/) || [...refl.names].some((n) => /define/.test(n));
    ev.add('capability', defines ? 'defines a Java class from bytecode embedded in the file' : 'embeds compiled Java class bytecode', defines ? 10 : 6, embedded.at, 20);
    if (embedded.danger.length > 0) ev.add('capability', `embedded class bytecode references ${embedded.danger.slice(0, 3).join(', ')}`, 4, embedded.at, 20);
  }
  return f;
}

/**
 * Whether the receiver chain `recv` is an uploaded part: a `getPart(..)` call, or a variable the
 * file declares as a Part / FileItem / MultipartFile.
 */
function isUpload(code: string, recv: string): boolean {
  if (/(?:^|\.)getPart$/.test(recv)) return true;
  if (!/^[A-Za-z_]\w{0,60}$/.test(recv)) return false;
  return new RegExp(`\\b(?:Part|FileItem|DiskFileItem|MultipartFile|CommonsMultipartFile)\\s+${recv}\\b`).test(code);
}

/** A class file in a packed literal (base64, gzip+base64, BCEL) or a byte-array literal opening with CAFEBABE. */
function embeddedClass(f: ManagedFlow): { at: number; danger: string[]; bcel: boolean } | undefined {
  const toks = f.toks;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    let bytes: Buffer | undefined;
    let bcel = false;
    if (t.k === 'str') {
      const packed = packedClass(t.v);
      bytes = packed?.bytes;
      bcel = packed?.bcel ?? false;
    } else if (t.k === 'op' && t.v === '{' && f.match[i]! > i + 8 && byteValue(toks, i + 1) === 0xca && byteValue(toks, i + 3 + (toks[i + 1]!.v === '-' ? 1 : 0)) !== undefined) {
      const b = arrayBytes(f, i);
      if (b && b.length >= 8 && b[0] === 0xca && b[1] === 0xfe && b[2] === 0xba && b[3] === 0xbe) bytes = b;
    }
    if (!bytes) continue;
    const strings = classFileStrings(bytes);
    const danger = [...new Set(strings.filter((s) => EMBEDDED_CLASS_DANGER.test(s)))];
    return { at: t.at, danger, bcel };
  }
  return undefined;
}

/** Method names compared with a constant: `m.getName().equals("exec")`, `"exec".equals(m.getName())`. */
function comparedMethodNames(f: ManagedFlow): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const toks = f.toks;
  for (let i = 3; i + 3 < toks.length && out.length < 16; i++) {
    const t = toks[i]!;
    if (t.k !== 'id' || toks[i + 1]!.v !== '(' || !NAME_TESTS.has(t.v)) continue;
    const arg = toks[i + 2]!;
    // m.getName().equals("x")
    if (arg.k === 'str' && toks[i + 3]!.v === ')' && toks[i - 1]!.v === '.' && toks[i - 2]!.v === ')' && toks[i - 3]!.v === '(' && toks[i - 4]?.v === 'getName')
      out.push([arg.v, arg.at]);
    // "x".equals(m.getName())
    else if (toks[i - 2]!.k === 'str' && toks[i - 1]!.v === '.' && f.match[i + 1]! > i && toks[f.match[i + 1]! - 3]?.v === 'getName') out.push([toks[i - 2]!.v, toks[i - 2]!.at]);
  }
  return out;
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
