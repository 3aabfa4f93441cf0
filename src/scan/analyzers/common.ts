/**
 * Behaviour that reads the same in every language: reverse shells spelled out as command
 * lines, download-and-run cradles, credential dumping commands.
 */
import { includesText, type AnalyzerContext } from '../context.js';

/** Each pattern with the lower-case words it cannot match without (any one of them). */
const PATTERNS: Array<[RegExp, string, number, string[]]> = [
  [/bash\s+-i\s*>&\s*\/dev\/tcp\/|\/dev\/tcp\/[\w.$%{}]+\/\d+|0<&\d+;?\s*exec\s+\d+<>\/dev\/tcp/i, 'reverse shell over /dev/tcp', 8, ['/dev/tcp']],
  [/\bn(?:c|cat)\s+(?:-\w+\s+)*-e\s+\/bin\/(?:ba)?sh|\bn(?:c|cat)\s+[^\n'"]{0,40}-e\s+cmd(?:\.exe)?\b/i, 'netcat handing a shell to a remote host', 8, ['/bin/', 'cmd']],
  [/\bmkfifo\s+\S+\s*;\s*(?:cat|nc)\b[^\n]{0,80}\|\s*\/bin\/(?:ba)?sh/i, 'named-pipe reverse shell', 8, ['mkfifo']],
  [
    /\b(?:wget|curl)\s+[^\n'"]{0,200}\s*(?:-O\s*-?\s*)?\|\s*(?:ba)?sh\b|\b(?:IEX|Invoke-Expression)\s*\(?\s*\(?\s*New-Object\s+(?:System\.)?Net\.WebClient/i,
    'download-and-execute cradle',
    6,
    ['wget', 'curl', 'webclient'],
  ],
  [/\bpython[23]?\s+-c\s+['"]import\s+(?:socket|pty)/i, 'python one-line reverse shell', 8, ['python']],
];

export function analyzeCommon(ctx: AnalyzerContext): void {
  // the patterns are case-insensitive, so their gates read the lower-cased code: a few native
  // substring searches cost less than one alternation regex over the whole file
  for (const [re, reason, w, words] of PATTERNS) {
    if (!words.some((k) => includesText(ctx.lower, k))) continue;
    const m = re.exec(ctx.code);
    if (m) ctx.ev.add('capability', reason, w, m.index, m[0].length);
  }
}
