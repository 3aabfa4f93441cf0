/**
 * ASP.NET attack tools the data flow does not show: a packet sniffer, and pages whose shell is not in the page: a one-line page that constructs a class from a
 * compiled assembly dropped into bin/ (the WebAdmin2Y family: `new WebAdmin2Y.x.y("<key>")`),
 * and request-reading code kept as a base64 constant until it is run
 * (`popup(FromBase64String("UmVxdWVzdC5JdGVtWyJ6Il0="))` is `Request.Item["z"]`).
 */
import type { AnalyzerContext } from '../context.js';

/** Server code of the page: `<script runat=server>` / `language="C#"` blocks and `<% %>` regions. */
function serverBlocks(text: string): string {
  const out: string[] = [];
  for (const m of text.matchAll(/<\s*script\b[^>]{0,200}>([\s\S]{0,4000}?)<\/script>|<%(?![@=])([\s\S]{0,4000}?)%>/gi)) out.push(m[1] ?? m[2] ?? '');
  return out.join('\n');
}

/** A key a backdoor's constructor takes: 8+ hex digits or a short password-like token. */
const KEY = /^"[0-9a-f]{8,64}"$/i;

export function hiddenDotnetCode(ctx: AnalyzerContext): void {
  const { text, ev } = ctx;
  // a raw socket switched to receive every packet: a sniffer for the passwords crossing the server
  const raw = /SocketType\s*\.\s*Raw\b/.exec(ctx.code);
  if (raw && /IOControlCode\s*\.\s*ReceiveAll\b|\bSIO_RCVALL\b|0x98000001/i.test(ctx.code))
    ev.add('capability', "captures the server's network traffic (raw socket receiving all packets: a sniffer)", 6, raw.index, raw[0].length);
  // the page is nothing but one constructor call with a key: its behaviour lives in the assembly
  if (text.length < 2048 && /\bnew\s+[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*){1,4}\s*\(/.test(text)) {
    const code = serverBlocks(text)
      .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '')
      .replace(/<!\[CDATA\[|\]\]>/g, '')
      .trim();
    const one = /^(?:[A-Za-z_][\w.]*\s+[A-Za-z_]\w*\s*=\s*)?new\s+([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*){1,4})\s*\(\s*("[^"\n]{0,80}")\s*\)\s*;?$/.exec(code);
    if (one && KEY.test(one[2]!) && !/^System\./.test(one[1]!)) {
      const known = /^WebAdmin2Y\./i.test(one[1]!);
      ev.add(
        'family',
        known
          ? 'constructs the WebAdmin2Y backdoor class from a compiled assembly with its key (the shell lives in bin/)'
          : 'page whose only code constructs a class from a compiled assembly with a key (a backdoor kept in bin/)',
        known ? 10 : 5,
        text.indexOf('new'),
        3,
      );
    }
  }
  // base64 constants that decode to a request read: only code that is run later needs hiding
  for (const m of text.matchAll(/FromBase64String\s*\(\s*"([A-Za-z0-9+/]{8,400}={0,2})"\s*\)/g)) {
    const plain = Buffer.from(m[1]!, 'base64').toString('latin1');
    if (/^\s*(?:HttpContext\.Current\.)?Request\s*(?:\.\s*(?:Item|Form|QueryString|Params)\s*)?[[(]\s*["'][^"']{1,40}["']\s*[\])]\s*$/i.test(plain)) {
      ev.add('flow', `request-reading code hidden as a base64 constant (${plain.trim()}) and handed to a call`, 10, m.index ?? 0, m[0].length);
      break;
    }
  }
}
