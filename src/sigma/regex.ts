/**
 * The `re` modifier. Sigma regexes are PCRE-flavoured (rules also carry Python inline
 * flags such as `(?i)`); they run on re2js, a linear-time engine, so no rule can make
 * matching hang. Constructs RE2 cannot run in linear time (look-around, back-references)
 * make the rule fail to load with a clear reason instead.
 */
import { createRequire } from 'node:module';
import type { RE2JS as RE2 } from 're2js';

let engine: typeof RE2 | undefined;
/** re2js, loaded on the first regex compiled (rule sets load from the cache without one). */
function re2(): typeof RE2 {
  engine ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return engine;
}
import type { StringTest } from './glob.js';

export interface RegexFlags {
  i?: boolean;
  m?: boolean;
  s?: boolean;
}

/** PCRE/Python spellings RE2 lacks but has an equivalent for. */
function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1]!;
      // \Z (end of subject) is RE2's \z; PCRE's \Z also allows a final newline, close enough for logs.
      out += n === 'Z' ? '\\z' : c + n;
      i++;
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * The PCRE feature of a pattern that a linear-time engine cannot have, named as a user would
 * look it up ("lookbehind"), instead of the parser's complaint about the syntax it tripped on.
 */
export function unsupportedFeature(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(n)) return `backreference \\${n}`;
      if (!inClass && n === 'k' && "<{'".includes(pattern[i + 2] ?? 'x')) return 'named backreference \\k<…>';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal member.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('<=') || rest.startsWith('<!')) return 'lookbehind (?<=…)/(?<!…)';
      if (rest.startsWith('=') || rest.startsWith('!')) return 'lookahead (?=…)/(?!…)';
      if (rest.startsWith('>')) return 'atomic group (?>…)';
      if (rest.startsWith('P=') || rest.startsWith('P>') || rest.startsWith('&')) return 'backreference or recursion (?P=…)';
      if (rest.startsWith('R') || /^\d/.test(rest)) return 'recursion (?R)';
      if (rest.startsWith('(')) return 'conditional group (?(…)…)';
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && pattern[i + 1] === '+' && i > 0) return `possessive quantifier ${c}+`;
  }
  return undefined;
}

/** Compiles a Sigma regex into an unanchored search; throws Error with a reason when invalid. */
export function compileRegex(pattern: string, flags: RegexFlags): StringTest {
  const RE2JS = re2();
  let f = 0;
  if (flags.i) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.m) f |= RE2JS.MULTILINE;
  if (flags.s) f |= RE2JS.DOTALL;
  let re: RE2;
  try {
    re = RE2JS.compile(translate(pattern), f);
  } catch (e) {
    const feature = unsupportedFeature(pattern);
    if (feature)
      throw new Error(
        `regular expression '${pattern}': ${feature} is not supported by the linear-time regex engine (RE2 syntax, which keeps matching safe from catastrophic backtracking)`,
      );
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`invalid or unsupported regular expression '${pattern}': ${why}`);
  }
  return (v) => re.test(v);
}

/** Index of the last character of the operand of escape `\<letter>` (at i), or i. */
function skipEscapeOperand(pattern: string, letter: string, i: number): number {
  const next = pattern[i + 1];
  if (next === '{' || next === '<') {
    if (!'xupPkN'.includes(letter)) return i;
    const close = pattern.indexOf(next === '{' ? '}' : '>', i + 1);
    return close > i ? close : pattern.length - 1;
  }
  const fixed = letter === 'x' ? 2 : letter === 'u' ? 4 : letter === 'c' || letter === 'p' || letter === 'P' ? 1 : 0;
  let j = i;
  while (j - i < fixed && j + 1 < pattern.length) j++;
  return j;
}

/**
 * The longest literal every match of the regex must contain (lower-cased), or '' when
 * none can be told safely: a top-level alternation gives up; groups, classes, escapes
 * like \d and optional or repeated characters end a literal run. Used only as a
 * prefilter, so being conservative is always right.
 */
export function requiredLiteral(pattern: string, minLen = 3): string {
  const runs: string[] = [];
  let run = '';
  const end = (): void => {
    if (run) runs.push(run);
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '|') return '';
    if (c === '\\') {
      const n = pattern[i + 1];
      i++;
      if (n === undefined) return '';
      if (/[A-Za-z0-9]/.test(n)) {
        end();
        // Escapes with an operand (\x41, \u0041, \cA, \p{L}, \k<n>): the operand is not
        // literal text, so it is skipped.
        i = skipEscapeOperand(pattern, n, i);
      } else {
        run += n;
      }
      continue;
    }
    if (c === '(' || c === '[') {
      end();
      // Skip the group or class, minding nesting, escapes and classes inside groups.
      let depth = 0;
      let inClass = false;
      for (; i < pattern.length; i++) {
        const d = pattern[i]!;
        if (d === '\\') {
          i++;
          continue;
        }
        if (inClass) {
          if (d === ']') {
            inClass = false;
            if (depth === 0) break;
          }
          continue;
        }
        if (d === '[') {
          inClass = true;
          // a ']' right after '[' or '[^' is literal
          if (pattern[i + 1] === ']') i++;
          else if (pattern[i + 1] === '^' && pattern[i + 2] === ']') i += 2;
          continue;
        }
        if (d === '(') depth++;
        else if (d === ')') {
          depth--;
          if (depth === 0) break;
        }
      }
      // A quantifier after the group/class changes nothing: its content was not used.
      continue;
    }
    if (c === '*' || c === '?' || c === '{' || c === '+') {
      // The previous character may be absent or repeated.
      run = run.slice(0, -1);
      end();
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        if (close > i) i = close;
      }
      if (pattern[i + 1] === '?' || pattern[i + 1] === '+') i++;
      continue;
    }
    if (c === '.' || c === '^' || c === '$') {
      end();
      continue;
    }
    run += c;
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  return best.length >= minLen ? best.toLowerCase() : '';
}
