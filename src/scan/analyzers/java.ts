/**
 * JSP / JSPX / Java: request input reaching Runtime.exec, ProcessBuilder, class loading,
 * script engines and expression languages; reflective Runtime access; runtime registration
 * of filters/servlets/listeners (memory-shell loaders); request-driven socket tunnels.
 */
import { plainProgramOf } from '../argv.js';
import { containedPaths, withContained } from '../guards.js';
import { javaGuards } from './java-guards.js';
import type { AnalyzerContext } from '../context.js';
import { analyzeWriters } from './writers.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { callArgs } from '../text.js';
import { blankCalls } from '../sanitize.js';
import { fileManager, sqlClient } from './admin-tools.js';
import { reflectiveInvoke } from './reflection.js';
import { managedJava } from './managed/java.js';
import { lendTaint, passwordGate } from './managed/common.js';

/** Java's number parsers: their result carries no request text. */
const NUMERIC_PARSE =
  /\b(?:Integer\s*\.\s*(?:parseInt|valueOf)|Long\s*\.\s*(?:parseLong|valueOf)|Short\s*\.\s*parseShort|Double\s*\.\s*(?:parseDouble|valueOf)|Float\s*\.\s*parseFloat|Boolean\s*\.\s*parseBoolean)\s*\(/g;

export const JAVA_FLOW: FlowSpec = {
  source:
    /\brequest\s*\.\s*get(?:Parameter|ParameterValues|ParameterMap|ParameterNames|Header|Headers|InputStream|Reader|QueryString|Part|Parts|Cookies)\s*\(|\bpageContext\s*\.\s*getRequest\s*\(|\b(?:req|httpRequest|servletRequest)\s*\.\s*get(?:Parameter|Header|InputStream|Reader|QueryString)\s*\(/,
  assign: /(?<![\w$.])([A-Za-z_]\w{0,40})(?:\s*\[\s*\])?\s*=(?!=)\s*([^;]{1,300})/g,
  varRef: /\b([A-Za-z_]\w*)\b/g,
  // Integer.parseInt(request.getParameter("p")): a number, whatever the request sent
  sanitize: (e) => blankCalls(e, NUMERIC_PARSE, '0'),
  guards: (code) => withContained(javaGuards(code), containedPaths(code, 'java')),
};

const SINKS: Array<[RegExp, string, 'cmd' | 'code' | 'write']> = [
  [/\bRuntime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/g, 'Runtime.exec', 'cmd'],
  [/\bnew\s+ProcessBuilder\s*\(/g, 'ProcessBuilder', 'cmd'],
  [/\.\s*command\s*\(/g, 'ProcessBuilder.command', 'cmd'],
  [/(?<!\w)(?:\w+\s*\.\s*)?exec\s*\(/g, 'Runtime.exec', 'cmd'],
  [/\bdefineClass\s*\(/g, 'ClassLoader.defineClass', 'code'],
  [/\bnew\s+URLClassLoader\s*\(/g, 'URLClassLoader', 'code'],
  [/\bClass\s*\.\s*forName\s*\(/g, 'Class.forName', 'code'],
  [/\.\s*getEngineByName\s*\([^)]{0,40}\)\s*\.\s*eval\s*\(|\bengine\s*\.\s*eval\s*\(/g, 'ScriptEngine.eval', 'code'],
  [/\b(?:createValueExpression|createMethodExpression|ELProcessor\s*\(\s*\)\s*\.\s*eval|\.\s*getValue\s*\(\s*ognl)/g, 'expression language evaluation', 'code'],
  [/\bnew\s+InitialContext\s*\(\s*\)\s*\.\s*lookup\s*\(|\.\s*lookup\s*\(/g, 'JNDI lookup', 'code'],
  // a logging FileHandler is a file writer too: the log record is the file's content
  [/\bnew\s+FileOutputStream\s*\(|\bnew\s+FileWriter\s*\(|\bFiles\s*\.\s*write\s*\(|\bnew\s+(?:java\s*\.\s*util\s*\.\s*logging\s*\.\s*)?FileHandler\s*\(/g, 'file write', 'write'],
];

/** EL that reaches reflection, processes or engines, and EL that reads the request. */
const ELREFLECT = /forName\s*\(|Runtime|ProcessBuilder|ScriptEngineManager|getMethod\s*\(|defineClass|newInstance/;
const ELREQUEST = /\b(?:param|paramValues|header|headerValues|cookie)\s*[.[]|pageContext\s*\.\s*request/;

export function analyzeJava(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // the token-level data flow: paths through methods, reflection on folded names, droppers
  const flow = managedJava(ctx);
  const taint = new Taint(code, JAVA_FLOW);
  // what the token pass found tainted (method parameters, wrappers returning request values)
  // feeds the pattern passes too: file managers and SQL clients behind a `getParam()` helper
  if (flow) lendTaint(flow, taint);
  const hasRequest = JAVA_FLOW.source.test(code);
  analyzeWriters(ctx, taint);
  fileManager(ctx, taint);
  sqlClient(ctx, taint);
  // any evaluator (JShell, script engines, EL/OGNL processors) handed a request parameter
  for (const m of matches(/\.\s*eval\s*\(/g, code, 200)) {
    if (taint.hasSource(callArgs(code, m.index + m[0].length - 1))) {
      ev.add('flow', 'request input reaches an evaluator .eval()', 12, m.index, m[0].length);
      break;
    }
  }
  // JSP Expression Language sits in the page text, outside scriptlets: since EL 3.0 it can
  // call methods, so reflection on a request parameter there is a scriptlet-free shell
  if (ctx.text.includes('{')) {
    // a bean the page declares as a process builder or runtime is reached by its id: `${pb.command(paramValues.c).start()}`
    const ids = [...(ctx.text.includes('<jsp:useBean') ? matches(/<jsp:useBean\b[^>]{0,300}>/g, ctx.text, 50) : [])]
      .filter((m) => /class\s*=\s*["']java\.lang\.(?:ProcessBuilder|Runtime)|class\s*=\s*["'][\w.]*(?:ScriptEngineManager|ClassLoader)["']/.test(m[0]))
      .map((m) => /\bid\s*=\s*["'](\w{1,40})["']/.exec(m[0])?.[1])
      .filter((id): id is string => id !== undefined);
    const beans = ids.length > 0 ? new RegExp(`\\b(?:${ids.join('|')})\\s*\\.`) : undefined;
    for (const m of matches(/[$#]\{([^}]{20,2000})\}/g, ctx.text, 200)) {
      const el = m[1]!;
      if ((ELREFLECT.test(el) || beans?.test(el)) && ELREQUEST.test(el)) {
        ev.add('flow', 'request input reaches reflection or process execution inside a JSP EL expression', 12, m.index, 30);
        break;
      }
    }
    // the same path split over expressions: one keeps `Runtime` in a page attribute, the next calls it with `param.x`
    const exprs = ctx.text.includes('${') || ctx.text.includes('#{') ? [...matches(/[$#]\{([^}]{8,2000})\}/g, ctx.text, 200)] : [];
    if (!ev.list().some((e) => /JSP EL expression/.test(e.reason)) && exprs.some((m) => ELREFLECT.test(m[1]!) && /setAttribute|\bset\s*\(/.test(m[1]!))) {
      const call = exprs.find((m) => /\.\s*(?:exec|invoke|start|eval)\s*\(/.test(m[1]!) && ELREQUEST.test(m[1]!));
      if (call) ev.add('flow', 'request input reaches reflection or process execution inside a JSP EL expression', 12, call.index, 30);
    }
  }
  // java.beans.Expression/Statement: reflective invocation by method-name string
  const bean = /\bnew\s+(?:java\.beans\.)?(?:Expression|Statement)\s*\(([^;]{0,300})/.exec(code);
  if (bean && /["'](?:exec|start|getRuntime|forName|invoke|defineClass|newInstance)["']|Runtime/.test(bean[1]!)) {
    ev.add('capability', 'reaches process execution through reflection', 7, bean.index, 20);
    if (taint.touches(bean[1]!)) ev.add('flow', 'request-derived variable reaches a reflective method call (java.beans)', 11, bean.index, 20);
  }
  // class/method/shell names hidden as short base64 literals: decodeBuffer("Y21k") is "cmd"
  for (const m of matches(/\b(?:decodeBuffer|decode|parseBase64Binary)\s*\(\s*"([A-Za-z0-9+/]{4,80}={0,2})"/g, code, 100)) {
    const s = Buffer.from(m[1]!, 'base64').toString('latin1');
    if (/^(?:java\.lang\.(?:Runtime|ProcessBuilder|ProcessImpl|UNIXProcess)|exec|getRuntime|start|\/bin\/(?:ba)?sh|cmd(?:\.exe)?|\/c|-c)$/.test(s)) {
      ev.add('obfuscation', `class, method or shell name "${s}" hidden in base64`, 8, m.index, 30);
      break;
    }
  }
  // class/method names hidden as byte or char arrays: new String(new byte[]{106, 97, ...})
  for (const m of matches(/new\s+String\s*\(\s*new\s+(?:byte|char)\s*\[\s*\]\s*\{([\d\s,]{3,400})\}/g, code, 50)) {
    const s = m[1]!
      .split(',')
      .map((x) => String.fromCharCode(Number(x.trim()) & 0xff))
      .join('');
    if (/^(?:java\.lang\.(?:Runtime|ProcessBuilder|ProcessImpl|UNIXProcess)|exec|getRuntime|start|forkAndExec|defineClass)$/.test(s)) {
      ev.add('obfuscation', `class or method name "${s}" hidden as a byte array`, 8, m.index, 30);
      break;
    }
  }
  let execSeen = false;
  // every command the page runs is a fixed program given its arguments one by one (a ping page)
  let plainArgvOnly = true;
  for (const [re, sinkName, kind] of SINKS) {
    for (const m of matches(re, code, 500)) {
      const args = callArgs(code, m.index + m[0].length - 1);
      if (sinkName === 'Runtime.exec' && re.source.startsWith('(?<!') && !/Runtime|ProcessBuilder|getRuntime|"exec"/.test(code)) break;
      // the generic `x.exec(` is Runtime's on a receiver the page got from Runtime.getRuntime()
      // (`r.exec(c)`) or on a chained call; a bare `exec(c)`, or one on another variable, is a
      // method of the page's own (whose body's sink is judged where it is written)
      const generic = sinkName === 'Runtime.exec' && re.source.startsWith('(?<!');
      // `public static String exec(String regex, ..) {`: a method defined, not called
      if (generic && /\b(?!return\b|throw\b|new\b|else\b|case\b)[A-Za-z_][\w.<>[\]]*\s+$/.test(code.slice(Math.max(0, m.index - 60), m.index))) continue;
      const name = generic && !chainedCall(code, m.index) && !runtimeReceiver(code, m[0]) ? 'exec()' : sinkName;
      if (kind === 'cmd') execSeen = true;
      const program = kind === 'cmd' ? plainProgramOf(args, (e) => taint.touches(e)) : undefined;
      if (kind === 'cmd' && program === undefined) plainArgvOnly = false;
      if (program !== undefined) {
        if (taint.touches(args)) ev.add('capability', `request chooses arguments of a fixed program (${program}), not the command`, 2, m.index, m[0].length);
      } else if (taint.hasSource(args)) ev.add('flow', `request input reaches ${name}`, kind === 'write' ? 7 : 12, m.index, m[0].length);
      else if (taint.touches(args)) ev.add('flow', `request-derived variable reaches ${name}`, kind === 'write' ? 6 : 11, m.index, m[0].length);
      else if (kind === 'cmd' && !re.source.startsWith('(?<!') && name !== 'ProcessBuilder.command') ev.add('capability', `runs OS commands (${name})`, 4, m.index, m[0].length);
      else if (name === 'ClassLoader.defineClass') ev.add('capability', 'defines classes from bytes at runtime', 5, m.index, m[0].length);
    }
  }
  if (execSeen && hasRequest && !flow?.fixedCommands && !plainArgvOnly) {
    const m = /Runtime|ProcessBuilder/.exec(code);
    ev.add('flow', 'OS command execution in a page that reads request input', 4, m?.index ?? -1, 10);
  }
  // reflection to reach Runtime/ProcessBuilder without naming the call
  const refl = /["'](?:java\.lang\.Runtime|java\.lang\.ProcessBuilder|java\.lang\.ProcessImpl|java\.lang\.UNIXProcess|getRuntime|forkAndExec)["']/.exec(code);
  if (refl) {
    ev.add('capability', 'reaches process execution through reflection', 7, refl.index, refl[0].length);
    reflectiveInvoke(ctx, taint);
  }
  // shell interpreters handed to exec
  const shell = /["'](?:cmd(?:\.exe)?|\/bin\/(?:ba)?sh|\/c|-c)["']/.exec(code);
  if (shell && execSeen && !plainArgvOnly) ev.add('capability', 'passes commands to a shell interpreter', 3, shell.index, shell[0].length);

  // class loading of posted, decrypted bytes (Behinder/Godzilla-style)
  const define = /defineClass|\bnew\s+\w*ClassLoader\b|extends\s+ClassLoader/.exec(code);
  const crypto = /Cipher\s*\.\s*getInstance|SecretKeySpec|\bAES\b/.exec(code);
  const b64 = /Base64|BASE64Decoder|decodeBuffer|DatatypeConverter\s*\.\s*parseBase64/.exec(code);
  if (define && (crypto || b64) && (hasRequest || /getInputStream|getReader/.test(code))) {
    ev.add('flow', 'loads classes from request bytes it decodes/decrypts', 12, define.index, define[0].length);
  }
  // memory shell: components registered into the running container via its internals
  // (WebSocket endpoints count: ServerContainer.addEndpoint with a config built at runtime)
  // (Spring's interceptor list reached by its field name; in a page also Tomcat valves, Jetty
  // mappings, Spring's addInterceptor and the Servlet 3 registration calls, which an application's
  // own configuration classes make at start-up and no page has a reason to make)
  const mem =
    /\b(?:addFilterDef|addFilterMap(?:Before)?|addServletMappingDecoded|addServletMapping|addApplicationEventListener|ApplicationFilterConfig|registerMapping|getDeclaredField\s*\(\s*"(?:context|applicationContext|standardContext|filterConfigs)"|addEndpoint(?=\s*\(\s*(?:ServerEndpointConfig\b|\w+\s*\))))|"adaptedInterceptors"/.exec(
      code,
    ) ??
    (ctx.text.includes('<%') || ctx.text.includes('<jsp:')
      ? /\b(?:application|servletContext|context|sc|ctx)\s*\.\s*add(?:Filter|Servlet|Listener)\s*\(|\baddInterceptor\b|getPipeline\s*\(\s*\)\s*\.\s*addValve|\b(?:addFilterWithMapping|addServletWithMapping)\b/.exec(
          code,
        )
      : null);
  if (mem) {
    const refl2 = /setAccessible\s*\(\s*true|getDeclaredField|getDeclaredMethod/.test(code);
    // a page (not a library class) that adds components to the server it runs in
    const page = /<%/.test(ctx.text);
    ev.add('capability', 'registers a filter/servlet/listener/endpoint into the running server (memory shell loader)', refl2 || page ? 9 : 6, mem.index, mem[0].length);
  }
  // request-driven socket: HTTP tunnel (reGeorg-style)
  // every place an address is built: the tunnel's `SocketChannel.open()` takes none, its `new InetSocketAddress(host, port)` does
  for (const sock of matches(/\b(?:new\s+Socket\s*\(|SocketChannel\s*\.\s*open\s*\(|new\s+InetSocketAddress\s*\()/g, code, 50)) {
    const args = callArgs(code, code.indexOf('(', sock.index));
    if (taint.touches(args)) {
      ev.add('flow', 'request input chooses a network host/port to connect to (tunnel)', 8, sock.index, sock[0].length);
      break;
    }
  }
  // uploader: request chooses both file and content
  const fos = /\bnew\s+FileOutputStream\s*\(([^;]{0,200})/.exec(code);
  if (fos && taint.touches(fos[1]!) && /getParameter|getInputStream|getPart/.test(code)) ev.add('flow', 'request chooses a file to write', 5, fos.index, 20);
  if (flow) passwordGate(ctx, flow);
}

/** Whether the call at `at` hangs off an expression (`getRuntime().exec(`, `rt().exec(`): its receiver is not read here. */
function chainedCall(code: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && /\s/.test(code[i]!)) i--;
  return code[i] === '.';
}

/** Whether the receiver of a matched `r.exec(` holds a Runtime (`Runtime r = Runtime.getRuntime()`, `r = Runtime.getRuntime()`). */
function runtimeReceiver(code: string, call: string): boolean {
  const recv = /^(\w+)\s*\./.exec(call)?.[1];
  if (recv === undefined) return false;
  if (/^(?:Runtime|getRuntime)$/.test(recv)) return true;
  return new RegExp(`\\b${recv}\\s*=\\s*(?:\\(\\s*Runtime\\s*\\)\\s*)?(?:java\\.lang\\.)?Runtime\\s*\\.\\s*getRuntime\\s*\\(|\\bRuntime\\s+${recv}\\b`).test(code);
}
