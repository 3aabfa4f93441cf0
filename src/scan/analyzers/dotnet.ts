/**
 * ASP.NET (aspx/ashx/asmx/ascx; C#, VB.NET, JScript.NET): request input reaching
 * Process.Start, Assembly.Load, JScript eval, CodeDom compilation, COM shells, file writes.
 */
import type { AnalyzerContext } from '../context.js';
import { analyzeWriters } from './writers.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { callArgs } from '../text.js';
import { fileManager, sqlClient } from './admin-tools.js';
import { reflectiveInvoke } from './reflection.js';
import { managedDotnet } from './managed/dotnet.js';
import { lendTaint, passwordGate } from './managed/common.js';
import { hiddenDotnetCode } from './dotnet-hidden.js';
import { containedPaths, withContained } from '../guards.js';
import { csharpGuards } from './dotnet-guards.js';

export const DOTNET_FLOW: FlowSpec = {
  // web-control values (`txtCmd.Text`, `cboProc.SelectedItem.Value`) are posted form fields too
  source:
    /\b[A-Za-z_]\w*\s*\.\s*(?:Text|SelectedValue|SelectedItem\s*\.\s*(?:Value|Text))\b(?!\s*=[^=])|\bRequest\s*(?:\.\s*(?:Form|QueryString|Params|Item|Headers|Cookies|InputStream|BinaryRead|Files|Body|ServerVariables\s*\[\s*"HTTP_)\b|\[\s*["\w]|\(\s*")|\b(?:Context|HttpContext\.Current)\s*\.\s*Request\s*(?:\.\s*\w+\s*)?[[(.]/i,
  assign: /(?<![\w$.])([A-Za-z_]\w{0,40})(?:\s+As\s+[\w.]{1,60}|\s*:\s*[\w.]{1,60})?(?:\s*\[\s*\])?\s*=(?!=|>)\s*([^;\n]{1,300})/gi,
  varRef: /\b([A-Za-z_]\w*)\b/g,
  guards: (code) => withContained(csharpGuards(code), containedPaths(code, 'cs')),
};

const SINKS: Array<[RegExp, string, 'cmd' | 'code' | 'write']> = [
  [/\bProcess\s*\.\s*Start\s*\(/gi, 'Process.Start', 'cmd'],
  [/\bnew\s+(?:System\s*\.\s*Diagnostics\s*\.\s*)?ProcessStartInfo\s*\(/gi, 'ProcessStartInfo', 'cmd'],
  [/\.\s*(?:FileName|Arguments)\s*=(?!=)/gi, 'ProcessStartInfo.FileName/Arguments', 'cmd'],
  [/\bAssembly\s*\.\s*(?:Load|LoadFrom|LoadFile|UnsafeLoadFrom)\s*\(/gi, 'Assembly.Load', 'code'],
  [/\bAppDomain\s*\.\s*CurrentDomain\s*\.\s*Load\s*\(/gi, 'AppDomain.Load', 'code'],
  [/(?<![\w.])eval\s*\(/g, 'JScript eval', 'code'],
  [/\bJScriptEvaluate\s*\(|\bEval\s*\.\s*JScriptEvaluate/gi, 'JScriptEvaluate', 'code'],
  [/\bCompileAssemblyFrom(?:Source|Dom|File)\s*\(/gi, 'CodeDom compile', 'code'],
  [/\.\s*(?:Run|Exec|ShellExecute)\s*\(/g, 'COM shell Run/Exec', 'cmd'],
  [/\bFile\s*\.\s*(?:WriteAllBytes|WriteAllText|AppendAllText|Create)\s*\(|\.\s*SaveAs\s*\(/gi, 'file write', 'write'],
];

/**
 * Server-side HTML inputs (`<input id="txtPath" runat="server">`): their `.Value` is a posted
 * form field. Collected by id from the markup, so `.Value` of anything else stays clean.
 */
function inputControlSource(text: string): RegExp | undefined {
  const ids = new Set<string>();
  for (const m of matches(/<(?:input|textarea|select)\b[^>]{0,400}>/gi, text, 500)) {
    if (!/\brunat\s*=\s*["']?server/i.test(m[0])) continue;
    const id = /\bid\s*=\s*["']?([A-Za-z_]\w{0,60})/i.exec(m[0])?.[1];
    if (id) ids.add(id);
  }
  if (ids.size === 0) return undefined;
  return new RegExp(`${DOTNET_FLOW.source.source}|\\b(?:${[...ids].slice(0, 200).join('|')})\\s*\\.\\s*(?:Value|InnerText)\\b(?!\\s*=[^=])`, DOTNET_FLOW.source.flags);
}

export function analyzeDotnet(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  // the token-level data flow: paths through methods, reflection on folded names, droppers
  const managed = managedDotnet(ctx);
  const inputs = inputControlSource(ctx.text);
  const flow = inputs ? { ...DOTNET_FLOW, source: inputs } : DOTNET_FLOW;
  const taint = new Taint(code, flow);
  if (managed) lendTaint(managed, taint);
  // web service / WCF operations: their parameters arrive from the request
  for (const m of matches(
    /\[\s*(?:WebMethod|OperationContract)[^\]]{0,200}\]\s*(?:public\s+)?(?:static\s+)?(?:[\w.<>[\]]+\s+)?\w+\s*\(([^)]{0,300})\)|(?:WebMethodAttribute|OperationContractAttribute)[\s\w]{0,80}function\s+\w+\s*\(([^)]{0,300})\)|<\s*(?:WebMethod|OperationContract)\b[^>\n]{0,200}>[ \t_\r\n]{0,20}(?:(?:Public|Shared|Overridable)\s+){0,3}(?:Function|Sub)\s+\w+\s*\(([^)]{0,300})\)/gi,
    code,
    200,
  )) {
    for (const part of (m[1] ?? m[2] ?? m[3] ?? '').split(',')) {
      // (VB.NET: `ByVal name As Type`)
      const name = /([A-Za-z_]\w*)\s*(?::\s*[\w.]+|\s+As\s+[\w.]+)?\s*$/i.exec(part.trim())?.[1];
      if (name) {
        taint.vars.add(name);
        taint.direct.add(name);
      }
    }
  }
  const hasRequest = flow.source.test(code);
  analyzeWriters(ctx, taint);
  fileManager(ctx, taint);
  sqlClient(ctx, taint);
  // posted file saved under the name the client sent
  const up = /(?:\.\s*SaveAs|new\s+FileStream|File\s*\.\s*(?:WriteAllBytes|Create))\s*\([^;\n]{0,200}?\.\s*(?:PostedFile\s*\.\s*)?FileName\b/i.exec(code);
  if (up && /Request\s*\.\s*Files|PostedFile|HttpPostedFile|FileUpload/i.test(code)) {
    ev.add('flow', 'stores an upload under a name the client chose', 6, up.index, 30);
    // into the page's own folder, where an uploaded .aspx runs, with no look at the extension
    if (
      /Request\s*\.\s*PhysicalPath|MapPath\s*\(\s*(?:"\.?\/?"|Request\s*\.\s*(?:Path|FilePath|CurrentExecutionFilePath)\b)/i.test(code) &&
      !/Extension|EndsWith|ContentType/i.test(code)
    )
      ev.add('flow', 'drops any uploaded file, extension unchecked, beside the page (where an uploaded script runs)', 5, up.index, 30);
  }
  let cmd = false;
  // (one program run is one capability, however many calls set it up: ProcessStartInfo, then Process.Start)
  let cmdCapability = false;
  for (const [re, name, kind] of SINKS) {
    for (const m of matches(re, code, 500)) {
      let args: string;
      if (m[0].endsWith('=')) args = code.slice(m.index + m[0].length, code.indexOf('\n', m.index + m[0].length) >>> 0 || code.length).slice(0, 300);
      else args = callArgs(code, m.index + m[0].length - 1);
      if (name === 'ProcessStartInfo.FileName/Arguments' && !/ProcessStartInfo|StartInfo/i.test(code)) break;
      if (name === 'COM shell Run/Exec' && !/WScript\.Shell|Shell\.Application/i.test(code)) break;
      if (name === 'JScript eval' && !/Language\s*=\s*["']?\s*(?:JScript|JS|Javascript)\b|<script[^>]{0,80}language\s*=\s*["']?(?:jscript|javascript)/i.test(ctx.text)) break;
      if (kind === 'cmd') cmd = true;
      if (taint.hasSource(args)) ev.add('flow', `request input reaches ${name}`, kind === 'write' ? 6 : 12, m.index, m[0].length);
      else if (taint.touches(args)) ev.add('flow', `request-derived variable reaches ${name}`, kind === 'write' ? 5 : 11, m.index, m[0].length);
      else if (kind === 'cmd') {
        if (!cmdCapability) ev.add('capability', `runs OS commands (${name})`, 4, m.index, m[0].length);
        cmdCapability = true;
      } else if (kind === 'code' && name !== 'JScript eval') ev.add('capability', `loads or compiles code at runtime (${name})`, 4, m.index, m[0].length);
    }
  }
  if (cmd && hasRequest && !managed?.fixedCommands && !managed?.fixedProgram) {
    const m = /Process|WScript/i.exec(code);
    ev.add('flow', 'OS command execution in a page that reads request input', 4, m?.index ?? -1, 10);
  }
  const shell = /["'](?:cmd(?:\.exe)?|\/c|c:\\\\windows\\\\system32\\\\cmd\.exe|powershell(?:\.exe)?)["']/i.exec(code);
  if (shell && cmd) ev.add('capability', 'passes commands to a shell interpreter', 3, shell.index, shell[0].length);
  // posted, decrypted assembly loaded into the worker process (Godzilla/Behinder-style)
  const load = /\bAssembly\s*\.\s*Load\s*\(|\.\s*CreateInstance\s*\(/i.exec(code);
  const crypt = /RijndaelManaged|AesManaged|Aes\s*\.\s*Create|CreateDecryptor|TransformFinalBlock/i.exec(code);
  if (load && crypt && /BinaryRead|InputStream|Request\s*\.\s*Form|Request\s*\[|Convert\s*\.\s*FromBase64String\s*\(\s*Request/i.test(code)) {
    ev.add('flow', 'loads an assembly from request bytes it decrypts', 12, load.index, load[0].length);
  }
  // request-chosen database connection: SQL client shells
  const sql = /new\s+(?:Sql|OleDb|Odbc)Connection\s*\(([^;\n]{0,200})/i.exec(code);
  if (sql && taint.touches(sql[1]!)) {
    const cmd = /new\s+(?:Sql|OleDb|Odbc)Command\s*\(([^;\n]{0,200})|\.\s*CommandText\s*=\s*([^;\n]{0,200})/i.exec(code);
    const sqlFromRequest = cmd && taint.touches(cmd[1] ?? cmd[2] ?? '');
    ev.add(
      'flow',
      sqlFromRequest ? 'request chooses the database connection and the SQL it runs (database client backdoor)' : 'request chooses a database connection string',
      sqlFromRequest ? 7 : 4,
      sql.index,
      20,
    );
  }
  const alias = /[:=,(]\s*eval\s*[,;})\]]/.exec(code);
  if (alias && /JScript|javascript/i.test(ctx.text)) ev.add('obfuscation', 'eval passed around as a value (aliased code execution)', 8, alias.index, alias[0].length);
  // request-driven socket: tunnel
  const sock = /\bnew\s+(?:Socket|TcpClient|IPEndPoint)\s*\(([^;\n]{0,200})/i.exec(code);
  if (sock && (taint.touches(sock[1]!) || /Request\s*\.\s*Headers\s*\[\s*"X-/i.test(code)))
    ev.add('flow', 'request input chooses a network host/port to connect to (tunnel)', 8, sock.index, 20);
  const xslt = /msxsl:script/i.exec(ctx.text);
  if (xslt && /XslCompiledTransform|XslTransform|XsltSettings\s*\(\s*true/i.test(code))
    ev.add('capability', 'runs script embedded in an XSLT stylesheet (msxsl:script)', 9, xslt.index, 20);
  const sc = /MSScriptControl\.ScriptControl/i.exec(code);
  if (sc) ev.add('capability', 'hosts a script engine (MSScriptControl) that runs strings as code', /request/i.test(code) ? 12 : 7, sc.index, sc[0].length);
  // JScript.NET eval(code, "unsafe"): full-trust evaluation, the China Chopper server side
  const unsafe = /(?<![\w.])eval\s*\(\s*[^,()]{1,120},\s*("unsafe"|'unsafe'|[A-Za-z_]\w{0,30}|"[^"]{0,10}"\s*\+[^)]{0,60})\s*\)/.exec(code);
  if (unsafe && /JScript|javascript/i.test(ctx.text))
    ev.add('capability', 'JScript.NET eval with the "unsafe" (full trust) option', /unsafe/i.test(unsafe[1]!) ? 10 : 8, unsafe.index, unsafe[0].length);
  // JScript.NET web services/handlers: method parameters are request input
  if (/<%@\s*(?:Web(?:Service|Handler)|ServiceHost)[^%]{0,200}Language\s*=\s*["']?\s*JScript/i.test(ctx.text)) {
    const e = /(?<![\w.])eval\s*\(\s*[A-Za-z_]/.exec(code);
    if (e) ev.add('flow', 'JScript.NET service evaluates a method argument or request value', 11, e.index, e[0].length);
  }
  // registry browser: enumerates keys and values of the hives a request walks (ASPXSpy-style RegShell)
  const hive = /\bRegistry\s*\.\s*(?:LocalMachine|ClassesRoot|CurrentUser|Users|CurrentConfig)\b|RegistryKey\s*\.\s*OpenBaseKey\s*\(/.exec(code);
  if (hive && hasRequest && /\.\s*OpenSubKey\s*\(/.test(code) && /\.\s*Get(?:SubKeyNames|ValueNames)\s*\(/.test(code)) {
    ev.add('capability', 'browses the Windows registry along paths the request gives (registry viewer)', 5, hive.index, hive[0].length);
  }
  // reflection that hides Process
  const refl = /["']System\.Diagnostics\.Process["']|GetType\s*\(\s*"System\.Diagnostics/i.exec(code);
  if (refl) {
    ev.add('capability', 'reaches process execution through reflection', 6, refl.index, refl[0].length);
    reflectiveInvoke(ctx, taint);
  }
  if (managed) passwordGate(ctx, managed);
  hiddenDotnetCode(ctx);
}
