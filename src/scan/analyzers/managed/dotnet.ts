/**
 * C# / JScript.NET mechanisms on the managed data flow (dataflow.ts): request input (Request.*,
 * posted server controls) reaching Process.Start and its start info, Assembly.Load, CodeDom
 * compilation, JScript eval, reflection on folded names; file writes whose path and content
 * the request both chooses; SQL clients on a request-chosen connection; command interpreters
 * wired to sockets; HTTP modules and virtual path providers registered at runtime.
 */
import { csharpGuards } from '../dotnet-guards.js';
import type { AnalyzerContext } from '../../context.js';
import { matches } from '../../flow.js';
import { ManagedFlow } from './dataflow.js';
import { constArgs, pathTainted, reflectiveChoice, reflectiveNames, sinkCalls, type SinkHit } from './common.js';
import { lateBoundDotnet } from './dotnet-late.js';

const DANGER_CLASS =
  /^(?:System\.Diagnostics\.Process(?:StartInfo)?|System\.Reflection\.Assembly|Microsoft\.JScript\.Eval|Microsoft\.CSharp\.CSharpCodeProvider|System\.CodeDom\.Compiler\.CodeDomProvider)(?:,.*)?$/;
const DANGER_METHOD = /^(?:Start|Load|JScriptEvaluate|CompileAssemblyFromSource|CreateInstance)$/;

/** Ids of server controls (`<asp:TextBox ID="x" runat="server">`, `<input id="x" runat="server">`) whose values the client posts. */
export function serverControls(text: string): string[] {
  const ids: string[] = [];
  for (const m of matches(/<(?:asp:(?:TextBox|DropDownList|ListBox|HiddenField|FileUpload|RadioButtonList|CheckBoxList)|input|textarea|select)\b[^>]{0,400}>/gi, text, 500)) {
    if (!/\brunat\s*=\s*["']?server/i.test(m[0])) continue;
    const id = /\bid\s*=\s*["']?([A-Za-z_]\w{0,60})/i.exec(m[0])?.[1];
    if (id) ids.push(id);
  }
  return ids;
}

export function managedDotnet(ctx: AnalyzerContext): ManagedFlow | undefined {
  const { code, ev } = ctx;
  const jscript = /Language\s*=\s*["']?\s*(?:JScript|JS|Javascript)\b|<script[^>]{0,80}language\s*=\s*["']?(?:jscript|javascript)[^>]{0,80}runat/i.test(ctx.text);
  const f = new ManagedFlow(code, 'cs', serverControls(ctx.text), false, csharpGuards(code));
  if (f.toks.length === 0) return undefined;
  const has = (re: RegExp) => re.test(code);
  const processFile = has(/\bProcess\b|ProcessStartInfo/);
  const formatterFile = has(/BinaryFormatter|LosFormatter|ObjectStateFormatter|SoapFormatter|NetDataContractSerializer|SimpleTypeResolver/);
  const nativeFile = has(/VirtualAlloc|CreateThread|GetDelegateForFunctionPointer/);
  const trustedXslt = has(/XsltSettings\s*\(\s*true|TrustedXslt/);
  const cmdHits: SinkHit[] = [];
  for (const h of sinkCalls(f, (name, recv, isNew) => {
    if (isNew) return name === 'ProcessStartInfo' ? ['cmd', 'ProcessStartInfo'] : undefined;
    if (name === 'Start' && /(?:^|\.)Process$/.test(recv)) return ['cmd', 'Process.Start'];
    if ((name === 'WriteLine' || name === 'Write') && /StandardInput$/.test(recv) && processFile) return ['cmd', 'the standard input of a process'];
    if ((name === 'Load' || name === 'LoadFrom' || name === 'LoadFile' || name === 'UnsafeLoadFrom') && /(?:^|\.)(?:Assembly|CurrentDomain)$/.test(recv))
      return ['code', 'Assembly.Load'];
    if (/^CompileAssemblyFrom(?:Source|Dom|File)$/.test(name)) return ['code', 'CodeDom compile'];
    if (name === 'eval' && jscript && recv === '') return ['code', 'JScript eval'];
    if (name === 'JScriptEvaluate') return ['code', 'JScriptEvaluate'];
    // PowerShell runspaces, Roslyn scripting, formatters that build any type, XSLT with script, shellcode
    if ((name === 'AddScript' || name === 'AddCommand') && has(/PowerShell|Runspace/)) return ['cmd', 'PowerShell script'];
    if (name === 'InvokeMethod' && has(/Win32_Process/)) return ['cmd', 'WMI process creation (Win32_Process.Create)'];
    if (/^(?:EvaluateAsync|RunAsync)$/.test(name) && /(?:^|\.)CSharpScript$/.test(recv)) return ['code', 'C# scripting'];
    if (name === 'Deserialize' && formatterFile) return ['deser', 'formatter'];
    if (name === 'Load' && trustedXslt && has(/XslCompiledTransform/)) return ['code', 'XSLT with script'];
    if (name === 'Copy' && nativeFile && /(?:^|\.)Marshal$/.test(recv)) return ['code', 'machine code in memory (shellcode)'];
    return undefined;
  })) {
    if (h.kind === 'deser') {
      // a page deserializing request bytes is a backdoor; a service class may be an endpoint
      if (h.tainted) ev.add('flow', 'request bytes deserialized by a .NET formatter (gadget chains run code)', /<%|runat\s*=/i.test(ctx.text) ? 10 : 8, h.at, 10);
      continue;
    }
    if (h.tainted) ev.add('flow', `request-derived variable reaches ${h.what}`, 12, h.at, 10);
    if (h.kind === 'cmd') cmdHits.push(h);
  }
  // fixed commands: constant start infos (or Process.Start of one), constant FileName/Arguments
  const infos = cmdHits.filter((h) => h.what === 'ProcessStartInfo');
  let propsConst = true;
  for (const a of f.assignmentsTo(/^(?:FileName|Arguments)$/)) if (f.constOf(a.from, a.to) === undefined) propsConst = false;
  f.fixedCommands =
    cmdHits.length > 0 &&
    propsConst &&
    infos.every((h) => constArgs(f, h)) &&
    cmdHits.every((h) => h.what === 'ProcessStartInfo' || constArgs(f, h) || (!h.tainted && (infos.length > 0 || /StartInfo/.test(code))));
  f.fixedProgram = cmdHits.length > 0 && !cmdHits.some((h) => h.tainted) && fixedProgram(f, cmdHits);
  // ProcessStartInfo properties assigned from the request
  if (has(/StartInfo|ProcessStartInfo/)) {
    for (const a of f.assignmentsTo(/^(?:FileName|Arguments)$/)) {
      if (f.exprTainted(a.from, a.to, a.scope)) {
        ev.add('flow', 'request-derived variable reaches ProcessStartInfo.FileName/Arguments', 12, a.at, 10);
        break;
      }
    }
  }
  // reflection on folded names
  const refl = reflectiveNames(f, DANGER_CLASS, DANGER_METHOD);
  if (refl.names.size > 0) {
    if (refl.hidden) ev.add('obfuscation', `reflective class or method name built at runtime (${[...refl.names].slice(0, 3).join(', ')})`, 8, refl.at, 20);
    for (const h of sinkCalls(f, (name) => (name === 'Invoke' || name === 'InvokeMember' || name === 'CreateInstance' ? ['code', name] : undefined))) {
      if (!h.tainted) continue;
      ev.add('flow', 'request input reaches process execution or code loading through reflection', 12, h.at, 10);
      break;
    }
  }
  reflectiveChoice(ctx, f);
  lateBoundDotnet(ctx, f, /Language\s*=\s*["']?\s*(?:VB|VisualBasic)\b/i.test(ctx.text));
  // a file whose path and content the request both chooses
  const writers = new Set<string>();
  // the path is judged without the upload's own name: `Path.Combine(dir, file.FileName)` is an upload handler
  const candidates = [...f.assignedWith(/^(?:FileStream|StreamWriter|BinaryWriter)$/)].filter(([, a]) => f.exprTainted(a.from, a.to, a.scope));
  const pathFlow =
    candidates.length > 0 || has(/\bFile\s*\.\s*(?:WriteAll|AppendAll)/) ? new ManagedFlow(code, 'cs', serverControls(ctx.text), true, csharpGuards(code)) : undefined;
  for (const [name, a] of candidates) if (pathFlow!.exprTainted(a.from, a.to, a.scope)) writers.add(name);
  let dropper = -1;
  for (const h of sinkCalls(f, (name, recv) => {
    if (/^(?:WriteAllBytes|WriteAllText|AppendAllText|WriteAllLines)$/.test(name) && /(?:^|\.)File$/.test(recv)) return ['pair', name];
    if (/^(?:Write|WriteLine)$/.test(name) && writers.has(recv)) return ['writer', name];
    return undefined;
  })) {
    if ((h.kind === 'pair' && h.argTaint[1] && pathTainted(pathFlow, h)) || (h.kind === 'writer' && h.tainted)) {
      dropper = h.at;
      break;
    }
  }
  if (dropper >= 0) ev.add('flow', "request chooses a file's path and its content (writes any file)", 10, dropper, 10);
  // SQL client: request-chosen connection string and SQL text
  let conn = -1;
  let sql = false;
  for (const h of sinkCalls(f, (name, _recv, isNew) =>
    isNew && /^(?:Sql|OleDb|Odbc|MySql|Oracle|Npgsql|SQLite)Connection$/.test(name)
      ? ['conn', name]
      : isNew && /^(?:Sql|OleDb|Odbc|MySql|Oracle|Npgsql|SQLite)(?:Command|DataAdapter)$/.test(name)
        ? ['sql', name]
        : undefined,
  )) {
    if (h.kind === 'conn' && h.argTaint[0] && conn < 0) conn = h.at;
    if (h.kind === 'sql' && h.argTaint[0]) sql = true;
  }
  for (const a of f.assignmentsTo(/^(?:ConnectionString|CommandText)$/)) {
    if (!f.exprTainted(a.from, a.to, a.scope)) continue;
    if (f.toks[a.from - 2]?.v === 'ConnectionString') {
      if (conn < 0) conn = a.at;
    } else sql = true;
  }
  if (conn >= 0 && sql) ev.add('flow', 'request chooses the database connection and the SQL it runs (database client backdoor)', 10, conn, 10);
  // a command interpreter wired to a socket
  if (processFile && has(/RedirectStandardInput/) && has(/\b(?:TcpClient|Socket|TcpListener)\b/)) {
    const shell = f.toks.find((t) => t.k === 'str' && /^(?:cmd|cmd\.exe|powershell(?:\.exe)?|\/bin\/(?:ba)?sh)$/i.test(t.v));
    if (shell) ev.add('capability', 'connects a command interpreter to a network socket (reverse or bind shell)', 12, shell.at, 10);
  }
  // modules and virtual path providers registered at runtime: an in-memory backdoor loader
  // (called directly, or by name through reflection: `GetMethod("RegisterVirtualPathProviderInternal")`)
  const reg = /\b(?:RegisterModule|RegisterVirtualPathProvider)\s*\(|["'](?:RegisterModule|RegisterVirtualPathProvider(?:Internal)?)["']/.exec(code);
  if (reg) {
    const loads = has(/Assembly\s*\.\s*Load|CompileAssemblyFrom|\beval\s*\(/);
    // an application registers these at start-up (App_Start, Global.asax); a page doing it while serving plants one
    const page = /<%(?!\s*@)|<script[^>]{0,200}runat\s*=\s*["']?server/i.test(ctx.text) && !/Application_Start|PreApplicationStartMethod/.test(code);
    // one that also takes the request's input: what it plants serves what the requester sent
    const fed = page && f.toks.some((_t, i) => f.sourceAt(i) !== -1);
    ev.add('capability', 'registers an HTTP module or virtual path provider at runtime (in-memory backdoor loader)', fed ? 10 : loads || page ? 9 : 6, reg.index, 20);
  }
  // an assembly embedded as base64 and loaded
  const pe = f.toks.find((t) => t.k === 'str' && t.v.length >= 200 && t.v.startsWith('TVqQ'));
  if (pe && has(/Assembly\s*\.\s*Load|AppDomain\s*\.\s*CurrentDomain\s*\.\s*Load/)) ev.add('capability', 'loads an assembly embedded in the page', 9, pe.at, 20);
  return f;
}

/** Programs that run whatever command text they are handed: a constant one of these fixes nothing. */
const INTERPRETER =
  /(?:^|[\\/])(?:cmd|command|powershell|pwsh|wscript|cscript|mshta|rundll32|regsvr32|bash|sh|zsh|dash|ksh|csh|python[\d.]*|perl|ruby|php|node|java|certutil|bitsadmin|wmic|msiexec|schtasks|reg|net1?|sc|installutil|regasm|regsvcs|msbuild|forfiles|ftp)(?:\.exe|\.com)?$/i;

/**
 * Whether every command of `hits` starts a constant program that is no interpreter: the first
 * argument of `new ProcessStartInfo(..)` or `Process.Start(..)` and every `FileName` assignment.
 * `Process.Start(psi)` of a start info built on the page is read from that start info.
 */
function fixedProgram(f: ManagedFlow, hits: SinkHit[]): boolean {
  const programs: Array<string | undefined> = [];
  const infos = hits.some((h) => h.what === 'ProcessStartInfo');
  for (const h of hits) {
    if (h.what !== 'ProcessStartInfo' && h.what !== 'Process.Start') return false;
    const args = f.args(h.open);
    const first = args[0];
    if (first === undefined) continue; // `new ProcessStartInfo()`: its FileName is assigned
    if (h.what === 'Process.Start' && args.length === 1 && infos && first[1] - first[0] === 1 && f.toks[first[0]]!.k === 'id') continue;
    programs.push(f.constOf(first[0], first[1]));
  }
  for (const a of f.assignmentsTo(/^FileName$/)) programs.push(f.constOf(a.from, a.to));
  return programs.length > 0 && programs.every((p) => p !== undefined && p.trim() !== '' && !INTERPRETER.test(p.trim().replace(/^"|"$/g, '')));
}
