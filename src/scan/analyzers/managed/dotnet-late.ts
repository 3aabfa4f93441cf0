/**
 * .NET mechanisms that reach a sink without naming it at the call: the Windows shell's COM
 * objects bound late (`Type.GetTypeFromProgID("WScript.Shell")`, a class id, `CreateObject` of
 * a folded name) and driven through `InvokeMember("Run", ..)` or `dynamic`; VB's own `Shell()`;
 * a method group kept in a delegate (`Func<string, string, Process> go = Process.Start`);
 * and WebClient downloads to a path the request names.
 */
import type { AnalyzerContext } from '../../context.js';
import type { ManagedFlow } from './dataflow.js';
import { sinkCalls } from './common.js';

/** The shell objects by ProgID, and the class ids of WScript.Shell and Shell.Application. */
const SHELL_PROGID = /^(?:WScript\.Shell(?:\.1)?|Shell\.Application(?:\.1)?|WScript\.Network)$/i;
const SHELL_CLSID = /^\{?(?:72C24DD5-D70A-438B-8A42-98424B88AFB8|13709620-C279-11CE-A49E-444553540000)\}?$/i;
/** Calls that bind a COM type or object by a name or class id they are given. */
const BINDERS = /^(?:GetTypeFromProgID|GetTypeFromCLSID|CreateObject|GetObject)$/;
/** What drives a late-bound object: by name, or through `dynamic` / VB late binding. */
const DRIVERS = /^(?:InvokeMember|Run|Exec|ShellExecute|ShellExec|Invoke)$/;

/** Whether tokens [from, to) hold, among their first few, a string naming a shell object's class id. */
function clsidIn(f: ManagedFlow, from: number, to: number): boolean {
  for (let k = from; k < to && k < from + 8; k++) if (f.toks[k]!.k === 'str' && SHELL_CLSID.test(f.toks[k]!.v)) return true;
  return false;
}

/** Offset of the first shell COM object the file binds by a (folded) ProgID or class id; -1 if none. */
function comShellAt(f: ManagedFlow): number {
  const toks = f.toks;
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'id' || !BINDERS.test(t.v) || toks[i + 1]!.v !== '(') continue;
    const first = f.args(i + 1)[0];
    if (!first) continue;
    const v = f.constOf(first[0], first[1]);
    if (v !== undefined && (SHELL_PROGID.test(v.trim()) || SHELL_CLSID.test(v.trim()))) return t.at;
    // `new Guid("72C24DD5-...")`: the class id is the constructor's string, here or where the variable passed is assigned
    if (clsidIn(f, first[0], first[1])) return t.at;
    if (first[1] - first[0] === 1 && toks[first[0]]!.k === 'id') for (const a of f.assignmentsOf(toks[first[0]]!.v)) if (clsidIn(f, a.from, a.to)) return t.at;
  }
  return -1;
}

/**
 * Names assigned a method group of Process.Start (`go = Process.Start`, `go = new Func<..>(Process.Start)`):
 * `Process.Start` not called where it is written, and the name before the `=` of its statement.
 */
function startDelegates(f: ManagedFlow): Set<string> {
  const out = new Set<string>();
  const toks = f.toks;
  for (let i = 2; i + 1 < toks.length; i++) {
    const t = toks[i]!;
    if (t.k !== 'id' || t.v !== 'Start' || toks[i - 1]!.v !== '.' || toks[i - 2]!.v !== 'Process' || toks[i + 1]!.v === '(') continue;
    for (let k = i - 3; k >= 0 && k > i - 40; k--) {
      const u = toks[k]!;
      if (u.k === 'op' && (u.v === ';' || u.v === '{' || u.v === '}')) break;
      if (u.k === 'op' && u.v === '=' && toks[k - 1]?.k === 'id') {
        out.add(toks[k - 1]!.v);
        break;
      }
    }
    if (out.size >= 8) break;
  }
  return out;
}

export function lateBoundDotnet(ctx: AnalyzerContext, f: ManagedFlow, vbPage: boolean): void {
  const { code, ev } = ctx;
  // shell objects bound late, then driven by name with the request's text
  const shellAt = /GetTypeFrom|CreateObject|GetObject/.test(code) ? comShellAt(f) : -1;
  if (shellAt >= 0) {
    ev.add('capability', 'binds a Windows shell COM object by ProgID or class id (late bound)', 5, shellAt, 10);
    const h = sinkCalls(f, (name) => (DRIVERS.test(name) ? ['cmd', name] : undefined)).find((x) => x.tainted);
    if (h) ev.add('flow', "request input reaches a late-bound shell object's Run/Exec", 12, h.at, 10);
  }
  // VB's Shell() (Microsoft.VisualBasic.Interaction) starts a program from a command line
  const vbShell = code.includes('Shell');
  const delegates = code.includes('Start') ? startDelegates(f) : new Set<string>();
  const downloads = code.includes('DownloadFile');
  if (!vbShell && delegates.size === 0 && !downloads) return;
  const hits = sinkCalls(f, (name, recv) => {
    if (name === 'Shell' && ((vbPage && recv === '') || /(?:^|\.)Interaction$/.test(recv))) return ['cmd', 'VB Shell()'];
    if (delegates.has(name) && recv === '') return ['cmd', 'Process.Start (through a delegate)'];
    if (name === 'Invoke' && delegates.has(recv)) return ['cmd', 'Process.Start (through a delegate)'];
    if (/^DownloadFile(?:Async|TaskAsync)?$/.test(name)) return ['download', name];
    return undefined;
  });
  for (const h of hits) {
    if (h.kind === 'cmd') {
      if (h.tainted) ev.add('flow', `request-derived variable reaches ${h.what}`, 12, h.at, 10);
      else ev.add('capability', `runs OS commands (${h.what})`, 4, h.at, 10);
    } else if (h.argTaint[0] && h.argTaint.length >= 2 && h.argTaint[1]) {
      // the requester names what is fetched and where it lands: any file, any content
      ev.add('flow', "request chooses a file's path and its content (writes any file)", 10, h.at, 10);
    }
  }
}
