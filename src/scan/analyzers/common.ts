/**
 * Behaviour that reads the same in every language: reverse shells spelled out as command
 * lines, download-and-run cradles, credential dumping commands.
 */
import { hasAny, type AnalyzerContext } from '../context.js';

const PATTERNS: Array<[RegExp, string, number]> = [
  [/bash\s+-i\s*>&\s*\/dev\/tcp\/|\/dev\/tcp\/[\w.$%{}]+\/\d+|0<&\d+;?\s*exec\s+\d+<>\/dev\/tcp/i, 'reverse shell over /dev/tcp', 8],
  [/\bn(?:c|cat)\s+(?:-\w+\s+)*-e\s+\/bin\/(?:ba)?sh|\bn(?:c|cat)\s+[^\n'"]{0,40}-e\s+cmd(?:\.exe)?\b/i, 'netcat handing a shell to a remote host', 8],
  [/\bmkfifo\s+\S+\s*;\s*(?:cat|nc)\b[^\n]{0,80}\|\s*\/bin\/(?:ba)?sh/i, 'named-pipe reverse shell', 8],
  [/\b(?:wget|curl)\s+[^\n'"]{0,200}\s*(?:-O\s*-?\s*)?\|\s*(?:ba)?sh\b|\b(?:IEX|Invoke-Expression)\s*\(?\s*\(?\s*New-Object\s+(?:System\.)?Net\.WebClient/i, 'download-and-execute cradle', 6],
  [/\bpython[23]?\s+-c\s+['"]import\s+(?:socket|pty)/i, 'python one-line reverse shell', 8],
];

/** Cheap literal gate: none of these substrings, none of the patterns can match. */
const GATE = ['/dev/tcp', 'nc ', 'ncat ', 'mkfifo', 'wget ', 'curl ', 'IEX', 'iex', 'Invoke-Expression', 'python'];

export function analyzeCommon(ctx: AnalyzerContext): void {
  if (!hasAny(ctx.code, GATE)) return;
  for (const [re, reason, w] of PATTERNS) {
    const m = re.exec(ctx.code);
    if (m) ctx.ev.add('capability', reason, w, m.index, m[0].length);
  }
}
