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
 * The offset of the first bracket PHP cannot parse in `text` (-1 when every closing bracket
 * pairs; brackets left open at the end are not counted, since a truncated copy of a shell is
 * still one). Whether a bare `<?` opens code depends on short_open_tag, which the scanner
 * cannot know: the text is read both ways, from its first `<?` (short tags on, as old shells
 * assume) and from its first `<?php` or `<?=` (short tags off, as production configurations
 * set: `<? ] ?>` is then printed text and a `<?php` after it still runs), and it fails to parse
 * only where it fails both ways, from the later of the two errors. Braces may span `?>` ...
 * `<?php`, as templates write them; strings, heredocs and comments are the tokenizer's.
 */
export function phpParseErrorAt(text: string): number {
  const bare = text.indexOf('<?');
  if (bare === -1) return -1;
  const shortOn = errorFrom(text, bare);
  if (shortOn === -1) return -1;
  const full = text.search(FULL_TAG);
  if (full === -1 || full === bare) return shortOn;
  const shortOff = errorFrom(text, full);
  return shortOff === -1 ? -1 : Math.max(shortOn, shortOff);
}

/** The first unpaired closing bracket of the PHP read from the tag at `tag`, or -1. */
function errorFrom(text: string, tag: number): number {
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
