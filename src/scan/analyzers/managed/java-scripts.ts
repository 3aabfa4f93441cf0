/**
 * Code a Java file holds as constant strings and runs later, where the request reaches it as
 * data rather than as the code: Javassist source inserted into server classes at runtime (an
 * agent's memory shell hooking `ApplicationFilterChain.doFilter`, whose `$1` is the request),
 * and fixed scripts handed to a script engine together with the request or its values.
 */
import type { AnalyzerContext } from '../../context.js';
import type { ManagedFlow } from './dataflow.js';
import { sinkCalls } from './common.js';

/** Javassist calls that compile their string argument into a class. */
const JAVASSIST = /^(?:insertBefore|insertAfter|insertAt|setBody|make|addCatch)$/;
/** What a script must reach to be a shell's. */
const SCRIPT_DANGER = /\b(?:Runtime|ProcessBuilder|defineClass|forName|ScriptEngineManager)\b|\bexec\s*\(/;
/** Calls that hand a value to an engine's scope. */
const SCOPE_SETTERS = /^(?:put|setVariable|setAttribute|setProperty|set)$/;

/** `engineFile`: the file names a script engine or interpreter (managed/java.ts). */
export function constantScripts(ctx: AnalyzerContext, f: ManagedFlow, engineFile: boolean): void {
  const { code } = ctx;
  if (code.includes('javassist')) {
    const parts: string[] = [];
    let at = -1;
    for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && JAVASSIST.test(name) ? ['insert', name] : undefined), 64)) {
      for (const [a, b] of f.args(h.open)) {
        const v = f.constOf(a, b);
        if (v === undefined || v.length < 20 || !/[;(]/.test(v)) continue;
        parts.push(v);
        if (at < 0) at = h.at;
      }
    }
    if (parts.length > 0) {
      // the hooked server method's first argument (`$1`) is the request it serves
      const text = `<% javax.servlet.http.HttpServletRequest $1 = (javax.servlet.http.HttpServletRequest) null; %><% ${parts.join('\n').slice(0, 200000)} %>`;
      ctx.layers.push({ text, offset: at, how: 'Java source compiled into a server class at runtime (Javassist)', language: 'jsp' });
    }
  }
  if (!engineFile) return;
  // the engine gets the request (or its values) in its scope, and a fixed script that runs commands
  let fed = false;
  for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && SCOPE_SETTERS.test(name) ? ['scope', name] : undefined), 200)) {
    const args = f.args(h.open);
    const last = args[args.length - 1];
    if (h.tainted || (last && last[1] - last[0] === 1 && /^(?:request|req)$/.test(f.toks[last[0]]!.v))) fed = true;
    if (fed) break;
  }
  if (!fed) return;
  for (const h of sinkCalls(f, (name, _recv, isNew) => (!isNew && /^(?:eval|evaluate|run|parse)$/.test(name) ? ['eval', name] : undefined), 64)) {
    const first = f.args(h.open)[0];
    const v = first ? f.constOf(first[0], first[1]) : undefined;
    if (v !== undefined && SCRIPT_DANGER.test(v)) {
      ctx.ev.add('flow', 'request input reaches a fixed script that runs commands or loads classes', 11, h.at, 10);
      return;
    }
  }
}
