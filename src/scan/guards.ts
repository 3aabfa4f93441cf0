/**
 * Validation that confines a request value before a page uses it, in the terms the taint
 * engine (flow.ts) needs: variables an allowlist of the page's own literals confines (they
 * carry no request text at all), and variables a character-set check confines (an anchored
 * pattern such as `^[a-z0-9_-]+$`). A value of such a set names one file inside a folder the
 * page fixed, one argument word, one key: it holds no path separator, no blank and no shell or
 * quoting character. It can still be a whole function name or a whole command (`system`,
 * `reboot`), so the engine lets it count where it stands alone as a callee or an argument, and
 * not where the page builds it into a path, a command line or a name of its own.
 */

import { isServerExtension } from './language.js';

export interface Guards {
  /** Confined to literals the page lists: never request text. */
  allowlisted: ReadonlySet<string>;
  /** Confined to a character set without separators, blanks and shell or quoting characters. */
  charset: ReadonlySet<string>;
}

export const NO_GUARDS: Guards = { allowlisted: new Set(), charset: new Set() };

/**
 * A server-script extension, or a file that makes the server run scripts (web.config,
 * .htaccess, .user.ini), among an allowlist's values lets an uploader write code: no allowlist.
 */
export function scriptExtension(value: string): boolean {
  const ext = value.slice(value.lastIndexOf('.') + 1).toLowerCase();
  return isServerExtension(ext) || ext === 'config' || ext === 'htaccess' || ext === 'ini';
}

/** Characters a confining set must not hold: separators, blanks, shell, quoting and URL-scheme characters. */
const UNSAFE = new Set([...'/\\ \t\n\r\v\f;|&$`<>(){}[]\'"*?!#~%^:='].map((c) => c.charCodeAt(0)));

function addRange(set: Set<number>, from: number, to: number): boolean {
  if (to < from || to - from > 0xffff) return false;
  for (let c = from; c <= to; c++) set.add(c);
  return true;
}

const DIGITS: [number, number][] = [[48, 57]];
const WORD: [number, number][] = [
  [48, 57],
  [65, 90],
  [97, 122],
  [95, 95],
];

/** The characters one escape stands for inside or outside a class (`\d`, `\w`, `\.`), or undefined for one that widens the set (`\s`, `\D`, `\p`). */
function escapeSet(c: string): [number, number][] | undefined {
  if (c === 'd') return DIGITS;
  if (c === 'w') return WORD;
  if (/^[.\-_+@,]$/.test(c)) return [[c.charCodeAt(0), c.charCodeAt(0)]];
  return undefined;
}

/**
 * The characters a whole-string pattern can match (`^[a-z0-9_-]{1,40}\.pdf$` as its body between
 * the anchors), or undefined when it may match more than a plain set says: an unescaped `.`, a
 * negated class, `\s`, `\W`, a look-around, a back-reference. Groups and alternatives only add
 * their own characters; quantifiers add none. Case-blind patterns add both cases.
 */
export function charsetOf(body: string, caseless = false): Set<number> | undefined {
  const set = new Set<number>();
  let i = 0;
  const n = body.length;
  const add = (ranges: [number, number][]): boolean => ranges.every(([a, b]) => addRange(set, a, b));
  while (i < n) {
    const c = body[i]!;
    if (c === '[') {
      if (body[i + 1] === '^') return undefined;
      let j = i + 1;
      let prev = -1;
      for (; j < n && body[j] !== ']'; j++) {
        let code: number;
        if (body[j] === '\\') {
          const e = escapeSet(body[j + 1] ?? '');
          if (!e) return undefined;
          j++;
          if (e.length > 1 || e[0]![0] !== e[0]![1]) {
            if (!add(e)) return undefined;
            prev = -1;
            continue;
          }
          code = e[0]![0];
        } else code = body.charCodeAt(j);
        // `a-z`: a range from the previous character (a `-` first or last is itself)
        if (body[j] === '-' && prev !== -1 && j + 1 < n && body[j + 1] !== ']') {
          const to = body[j + 1] === '\\' ? undefined : body.charCodeAt(j + 1);
          if (to === undefined || !addRange(set, prev, to)) return undefined;
          j++;
          prev = -1;
          continue;
        }
        set.add(code);
        prev = code;
      }
      if (j >= n) return undefined;
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      const e = escapeSet(body[i + 1] ?? '');
      if (!e || !add(e)) return undefined;
      i += 2;
      continue;
    }
    if (c === '(') {
      // plain and non-capturing groups only (no look-arounds, no named groups)
      if (body[i + 1] === '?') {
        if (body[i + 2] !== ':') return undefined;
        i += 3;
      } else i++;
      continue;
    }
    if (c === ')' || c === '|' || c === '+' || c === '*' || c === '?') {
      i++;
      continue;
    }
    if (c === '{') {
      const close = body.indexOf('}', i);
      if (close === -1 || !/^\{\d+(?:,\d*)?\}$/.test(body.slice(i, close + 1))) return undefined;
      i = close + 1;
      continue;
    }
    if (/[A-Za-z0-9_\-@,]/.test(c)) {
      set.add(c.charCodeAt(0));
      i++;
      continue;
    }
    return undefined;
  }
  if (caseless)
    for (const c of [...set]) {
      if (c >= 65 && c <= 90) set.add(c + 32);
      else if (c >= 97 && c <= 122) set.add(c - 32);
    }
  return set;
}

/** Whether a value made only of `set` stays one word inside a folder the page chose. */
export function confiningSet(set: ReadonlySet<number> | undefined): boolean {
  if (!set || set.size === 0) return false;
  for (const c of set) if (UNSAFE.has(c) || c > 126 || c < 32) return false;
  return true;
}

/**
 * The body of a pattern anchored at both ends (`^...$`, `\A...\z`), or undefined: a pattern
 * that may match inside a longer value confines nothing. `$` without the D flag also matches
 * before a final newline, which the set then lacks: a newline after one word adds nothing to it.
 */
export function anchoredBody(pattern: string): string | undefined {
  const m = /^(?:\^|\\A)([\s\S]*?)(?:\$|\\z|\\Z)$/.exec(pattern);
  return m?.[1];
}
