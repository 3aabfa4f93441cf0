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
  /** Paths canonicalized and checked to stay inside a folder the page fixed: no request text where used as a path. */
  contained?: ReadonlySet<string>;
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

/** Per language: an assignment from a path canonicalizer (group 1 the variable), and the prefix tests of a variable `V`. */
const CONTAINMENT = {
  php: {
    canonical: /(\$\w{1,40})\s*=(?!=)\s*(?:@\s*)?realpath\s*\(/g,
    assigned: (v: string) => new RegExp(`\\$${v}\\s*(?:\\[[^\\]\\n]{0,60}\\]\\s*)*(?:\\.|\\?\\?)?=(?![=>])\\s*(?:@\\s*)?(realpath\\s*\\()?`, 'g'),
    prefix: (v: string) => new RegExp(`\\b(?:strpos|stripos|str_starts_with|strncmp|strncasecmp)\\s*\\(\\s*\\$${v}\\b|\\bsubstr\\s*\\(\\s*\\$${v}\\s*,\\s*0\\s*,`, 'i'),
  },
  cs: {
    canonical: /\b([A-Za-z_]\w{0,40})\s*=(?!=)\s*(?:System\s*\.\s*IO\s*\.\s*)?Path\s*\.\s*GetFullPath\s*\(/g,
    assigned: (v: string) => new RegExp(`(?<![\\w.])${v}\\s*=(?![=>])\\s*((?:System\\s*\\.\\s*IO\\s*\\.\\s*)?Path\\s*\\.\\s*GetFullPath\\s*\\()?`, 'g'),
    prefix: (v: string) => new RegExp(`(?<![\\w.])${v}\\s*\\.\\s*StartsWith\\s*\\(`),
  },
  java: {
    canonical: /\b([A-Za-z_]\w{0,40})\s*=(?!=)\s*[^;=\n]{0,200}\.\s*(?:getCanonicalPath|getCanonicalFile|toRealPath|normalize)\s*\(\s*\)\s*;/g,
    assigned: (v: string) =>
      new RegExp(`(?<![\\w.])${v}\\s*=(?![=>])\\s*([^;=\\n]{0,200}\\.\\s*(?:getCanonicalPath|getCanonicalFile|toRealPath|normalize)\\s*\\(\\s*\\)\\s*;)?`, 'g'),
    prefix: (v: string) => new RegExp(`(?<![\\w.])${v}\\s*(?:\\.\\s*(?:toString|getPath)\\s*\\(\\s*\\))?\\s*\\.\\s*startsWith\\s*\\(`),
  },
} as const;

/**
 * Path containment: a variable every assignment of which canonicalizes a path (`realpath()`,
 * `Path.GetFullPath()`, `getCanonicalPath()`/`normalize()`), and whose prefix the page tests
 * (`strpos($p, $base) === 0`, `p.StartsWith(root)`, `p.startsWith(base)`). The requester may
 * name a file, but only inside the folder the page fixed, where `..` cannot lead out. The
 * variable is confined where it is used as a path; it still counts in code, commands and
 * includes (a file inside an upload folder can be a script).
 */
export function containedPaths(code: string, lang: keyof typeof CONTAINMENT): Set<string> {
  // (every taint over a page reads its guards: the last page's answer is kept)
  if (lastContained?.code === code && lastContained.lang === lang) return lastContained.paths;
  const paths = readContainedPaths(code, lang);
  lastContained = { code, lang, paths };
  return paths;
}

let lastContained: { code: string; lang: keyof typeof CONTAINMENT; paths: Set<string> } | undefined;

function readContainedPaths(code: string, lang: keyof typeof CONTAINMENT): Set<string> {
  const spec = CONTAINMENT[lang];
  const out = new Set<string>();
  if (!/realpath|GetFullPath|getCanonical|toRealPath|normalize/i.test(code)) return out;
  spec.canonical.lastIndex = 0;
  for (let m = spec.canonical.exec(code), n = 0; m !== null && n < 50; m = spec.canonical.exec(code), n++) {
    const v = lang === 'php' ? m[1]!.slice(1) : m[1]!;
    if (out.has(v) || !spec.prefix(v).test(code)) continue;
    let every = true;
    for (const a of code.matchAll(spec.assigned(v))) if (a[1] === undefined) every = false;
    if (every) out.add(lang === 'php' ? `$${v}` : v);
  }
  return out;
}

/** `g` with the page's contained paths added (a new object: guards may be shared). */
export function withContained(g: Guards, contained: Set<string>): Guards {
  return contained.size === 0 ? g : { ...g, contained };
}
