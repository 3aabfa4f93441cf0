/**
 * `__call` forwarding: a class whose `__call` (or `__callStatic`) calls the method name it is
 * handed as a function (`return $n(...$a);`, `call_user_func_array($n, $a)`) turns every method
 * call on its objects into a call of the function of that name, so `$p->system($_GET['c'])`
 * runs system() with no call of system anywhere in the text. Alone, such a class is a
 * forwarding proxy (test doubles have them); with a method call that names a code or command
 * runner and hands it request input, or whose method name the request chooses, it is a shell.
 */
import { matches } from '../../flow.js';
import { braceBody, callArgs } from '../../text.js';
import { hasText } from './probe.js';
import { CMD_SINKS, CODE_SINKS } from './signatures.js';
import type { PhpScan } from './sources.js';

/** A magic method receiving the called name first. */
const MAGIC_CALL = /\bfunction\s+__call(?:static)?\s*\(\s*(\$\w+)/gi;
/** A method call by a plain name, or by a name an expression gives (`->{$x}(`, `->$x(`). */
const METHOD_CALL = /(?:->|::)\s*(?:([A-Za-z_]\w*)|\{([^{}]{1,200})\}|(\$\w+))\s*\(/g;
/** Functions that run code or commands when called by name. */
const RUNNERS = new Set([...CODE_SINKS, ...CMD_SINKS]);

export function magicCallForwarding(s: PhpScan): void {
  const { ctx, taint } = s;
  if (!hasText(ctx.lower, '__call') || !forwardsName(ctx.code)) return;
  for (const m of matches(METHOD_CALL, ctx.code, 2000)) {
    const open = m.index + m[0].length - 1;
    const byName = m[1];
    if (byName !== undefined) {
      if (!RUNNERS.has(byName.toLowerCase()) || !taint.touches(callArgs(ctx.code, open))) continue;
      ctx.ev.add('flow', `request input handed to ${byName.toLowerCase()}() through a class whose __call calls the method name as a function`, 11, m.index, m[0].length);
      return;
    }
    const expr = m[2] ?? m[3] ?? '';
    if (!taint.touches(expr)) continue;
    ctx.ev.add('flow', 'request input names the method of a class whose __call calls the method name as a function', 12, m.index, m[0].length);
    return;
  }
}

/** Whether some __call/__callStatic body calls its name parameter as a function. */
function forwardsName(code: string): boolean {
  for (const m of matches(MAGIC_CALL, code, 50)) {
    const brace = code.indexOf('{', m.index + m[0].length);
    if (brace === -1) continue;
    const body = braceBody(code, brace, 4000);
    const name = m[1]!.slice(1);
    const calls = new RegExp(`(?<![\\w>:$])\\$${name}\\s*\\(|\\bcall_user_func(?:_array)?\\s*\\(\\s*\\$${name}\\b`, 'i');
    if (calls.test(body)) return true;
  }
  return false;
}
