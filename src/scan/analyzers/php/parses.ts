/**
 * Where PHP text stops parsing. PHP compiles a file before it runs any of it, and its grammar
 * pairs every `(`, `[` and `{`: a closing bracket with no opener, or the wrong one, is a parse
 * error. An editor's syntax file or a manual that merely mentions `<?php` (a Vim plugin's
 * comment, a regex holding `<?`) reads as PHP from that tag on and breaks within a few tokens;
 * a shell hidden in a non-script file (an include named .txt) parses.
 */
import { tokenizePhp } from './tokens.js';

const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Tags PHP always opens code at; a bare `<?` does so only with short_open_tag on. */
const FULL_TAG = /<\?(?:php|=)/i;

/**
 * The offset of the first bracket PHP cannot parse in `text`, read from its first `<?php` or
 * `<?=` tag (a bare `<?` only when the file has neither: with short tags off, which production
 * configurations set, `<? ] ?>` is text that PHP prints, and a `<?php` after it still runs)
 * (-1 when every closing bracket pairs; brackets left open at the end are not counted, since
 * a truncated copy of a shell is still one). Braces may span `?>` ... `<?php`, as templates
 * write them; strings, heredocs and comments are the tokenizer's.
 */
export function phpParseErrorAt(text: string): number {
  const full = text.search(FULL_TAG);
  const tag = full === -1 ? text.indexOf('<?') : full;
  if (tag === -1) return -1;
  const toks = tokenizePhp(text.slice(tag));
  const stack: string[] = [];
  for (const t of toks) {
    if (t.k !== 'op') continue;
    const v = t.v;
    if (v === '(' || v === '[' || v === '{') stack.push(v);
    else if (v === ')' || v === ']' || v === '}') {
      if (stack.pop() !== OPENER[v]) return tag + t.at;
    }
  }
  return -1;
}
