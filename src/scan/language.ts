/**
 * Decides the server-side language of a file from its content; the extension is only a
 * hint used to break ties. Also decides whether a file can execute on a web server at all.
 */
import type { Language } from './types.js';
import { includesText } from './context.js';
import { containsWord } from './words.js';

/**
 * Extensions a web server (or CGI) may execute, by the language they usually hold. Without a
 * prototype: a file ending `.constructor` or `.toString` must find nothing, not Object's members.
 */
const EXT_LANG: Record<string, Language> = Object.assign(Object.create(null) as Record<string, Language>, {
  php: 'php',
  php3: 'php',
  php4: 'php',
  php5: 'php',
  php7: 'php',
  php8: 'php',
  pht: 'php',
  phtml: 'php',
  phar: 'php',
  inc: 'php',
  asp: 'asp',
  asa: 'asp',
  cer: 'asp',
  cdx: 'asp',
  aspx: 'aspx',
  ashx: 'aspx',
  asmx: 'aspx',
  ascx: 'aspx',
  master: 'aspx',
  svc: 'aspx',
  cshtml: 'aspx',
  vbhtml: 'aspx',
  config: 'aspx',
  jsp: 'jsp',
  jspx: 'jsp',
  jspf: 'jsp',
  jsw: 'jsp',
  jsv: 'jsp',
  java: 'jsp',
  cfm: 'cfml',
  cfml: 'cfml',
  cfc: 'cfml',
  pl: 'perl',
  pm: 'perl',
  cgi: 'perl',
  py: 'python',
  js: 'node',
  mjs: 'node',
  cjs: 'node',
  sh: 'shell',
  bash: 'shell',
  xml: 'xml',
});

export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function languageForExtension(ext: string): Language | undefined {
  return EXT_LANG[ext];
}

/** Extensions we always open (plus anything carrying a server-code marker). */
export function isServerExtension(ext: string): boolean {
  return ext in EXT_LANG && ext !== 'xml' && ext !== 'config';
}

export const ARCHIVE_EXTS = new Set(['zip', 'jar', 'war', 'ear', 'jpi', 'hpi', 'obr', 'sar', 'nupkg']);

/** Byte markers that mean "server-side code lives here" whatever the extension says. */
const SERVER_MARKERS =
  /<\?(?:php|=|[ \t\r\n]+(?:\$|@?[a-z_]\w*\s*\())|<%[@=\s!]|runat\s*=\s*["']?server|<script\s+language\s*=\s*["']?php|<cf(?:set|execute|file|output|script|component|function)\b/i;

const SERVER_MARKERS_ALL = new RegExp(SERVER_MARKERS.source, 'gi');
/** Control characters that source text never carries (tab, line breaks and form feed aside). */
const BINARY_BYTES = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;
/** How many marker look-alikes a binary file may hold before the search gives up on it. */
const MAX_MARKER_TRIES = 10000;

/**
 * Where the first server-side code marker is, or -1 (short open tags `<? $x`, `<script
 * language="php">` included). A marker must be followed by text: in a font, a PDF or a
 * compressed stream the bytes `<?=` or `<%@` turn up by chance, followed by more binary, while
 * code (a polyglot image's `<?php system(...)` too) goes on as text. One pass over the whole
 * text: every non-script file in a web root goes through here.
 */
export function serverMarkerAt(text: string): number {
  SERVER_MARKERS_ALL.lastIndex = 0;
  for (let tries = 0; tries < MAX_MARKER_TRIES; tries++) {
    const m = SERVER_MARKERS_ALL.exec(text);
    if (m === null) return -1;
    const end = m.index + m[0].length;
    if (!BINARY_BYTES.test(text.slice(end, end + 24))) return m.index;
  }
  return -1;
}

export function hasServerMarker(text: string): boolean {
  return serverMarkerAt(text) !== -1;
}

/** `<?php` in any case. */
const PHP_OPEN = /<\?php/i;

/**
 * Where `head` first holds `<?php` in any case (PHP_OPEN's match), or -1: a walk between the
 * `<?` (few in a page) that compares the letters folded, where the case-blind regex tried every `<`.
 * `first` is where `head` first holds `<?`, when the caller has looked already.
 */
export function phpOpenTag(head: string, first = head.indexOf('<?')): number {
  for (let i = first; i !== -1; i = head.indexOf('<?', i + 2)) {
    // without the u flag a case-blind p or h matches only its two ASCII cases; c | 32 folds those
    if ((head.charCodeAt(i + 2) | 32) === 112 && (head.charCodeAt(i + 3) | 32) === 104 && (head.charCodeAt(i + 4) | 32) === 112) return i;
  }
  return -1;
}

/**
 * Content cues per language; each hit adds its weight. Line-start cues spell `^` (multiline) as
 * "start or after a line terminator": only tested, never located, and the engine then jumps
 * between line breaks instead of trying every position. The fourth element, where a cue has
 * one, is a gate: words one of which a match must contain (lower case for a case-blind cue),
 * or a test a match implies; a head that fails it is not searched by the cue's regex (most
 * cues miss on most files). Gates are kept only where they measured cheaper than the regex
 * (a regex that opens with a rare literal is already fast). A language's cues stand together,
 * cheap ones first: detection stops trying them once what they can still add cannot change
 * the outcome (see bestByCues), so the costly word cues come last.
 */
export const CUES: ReadonlyArray<[Language, RegExp, number, (string[] | ((head: string, low: string) => boolean))?]> = [
  ['php', PHP_OPEN, 10, ['<?']],
  ['php', /<\?=/, 6, ['<?']],
  ['php', /<\?\s*(?:\$|@?\w+\s*\(|if|echo|error_reporting|set_time_limit|session_start|eval|include|require|function)/i, 6, ['<?']],
  ['php', /\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES|SESSION)\b/, 4, ['$_']],
  ['php', /<script\s+language\s*=\s*["']?php/i, 10, (_head, low) => containsWord(low, 'php') && containsWord(low, '<script')],
  ['php', /\$\w+\s*=\s*[^;\n]{0,200};/, 1, ['$']],
  ['php', /\b(?:function_exists|base64_decode|isset|preg_replace|str_replace|echo)\s*\(/, 1, ['function_exists', 'base64_decode', 'isset', 'preg_replace', 'str_replace', 'echo']],
  ['jsp', /<%@\s*page\b[^%]{0,400}(?:language\s*=\s*["']java|import\s*=\s*["']java|pageEncoding|contentType)/, 8, ['<%@']],
  ['jsp', /<jsp:(?:directive|scriptlet|declaration|root|useBean)/, 8, ['<jsp:']],
  ['jsp', /<%@\s*taglib\s+(?:prefix|uri)/, 5, ['<%@']],
  ['jsp', /(?:^|[\n\r\u2028\u2029])[ \t]*(?:package\s+[\w.]+;|import\s+java[x]?\.[\w.*]+;)/, 6, ['package', 'import']],
  ['jsp', /\brequest\.getParameter\s*\(|\bout\.print(?:ln)?\s*\(|\bjava\.(?:io|lang|util|net)\.\w/, 4, ['request.getParameter', 'out.print', 'java.']],
  ['aspx', /<%@\s*(?:Page|WebHandler|WebService|ServiceHost|Control|Master|Assembly|Import\s+Namespace|Register)\b[^%]{0,300}/i, 5, ['<%@']],
  // `C#` ends in a non-word character, so `\b` after it would need a letter next: a lookahead instead
  ['aspx', /<%@[^%]{0,300}Language\s*=\s*["']?\s*(?:C#(?!\w)|(?:CSharp|VB|VBNET|JScript|JS)\b)/i, 6, ['<%@']],
  ['aspx', /\bSystem\.(?:Diagnostics|IO|Web|Reflection|Text)\b|\busing\s+System\b|\bImports\s+System\b/, 3, ['System']],
  ['aspx', /@(?:model|using|inherits|section|Html\.)\b/, 5, ['@']],
  ['asp', /<%@\s*(?:LANGUAGE|CODEPAGE)\s*=\s*["']?\s*(?:VBScript|JScript|\d)/i, 8, ['<%@']],
  [
    'asp',
    /<script[^>]{0,80}language\s*=\s*["']?(?:vbscript|jscript)[^>]{0,80}runat\s*=\s*["']?server|<script[^>]{0,80}runat\s*=\s*["']?server[^>]{0,80}language\s*=\s*["']?(?:vbscript|jscript)/i,
    8,
    // (both alternatives hold `runat`, which few pages have; `<script` nearly every one)
    (_head, low) => containsWord(low, 'runat') && containsWord(low, '<script'),
  ],
  ['asp', /\bServer\.CreateObject\s*\(|\bCreateObject\s*\(\s*"(?:WScript|Scripting|ADODB|Shell)/i, 4, ['createobject']],
  ['asp', /(?:^|[\n\r\u2028\u2029])[ \t]*(?:Dim|Set|Sub|Function|End\s+If|On\s+Error\s+Resume\s+Next)\b/i, 2],
  ['asp', /\bResponse\.Write\b|\bRequest(?:\.Form|\.QueryString)?\s*\(\s*"/i, 1],
  ['cfml', /<cf(?:set|output|if|component|function|query|execute|file|param|include|script|argument|return|loop|directory|http|abort)\b/i, 8, ['<cf']],
  ['cfml', /(?:^|[\n\r\u2028\u2029])[ \t]*component\b[^{]{0,200}\{/, 4, ['component']],
  ['perl', /^#!\s*\S*perl/, 12],
  ['perl', /\bmy\s+[$@%]\w+/, 3, ['my']],
  // (`use` is in most English text: the module names decide)
  [
    'perl',
    /(?:^|[\n\r\u2028\u2029])[ \t]*use\s+(?:strict|warnings|CGI|Socket|IO::Socket)\b/,
    6,
    (head) => (containsWord(head, 'strict') || containsWord(head, 'warnings') || containsWord(head, 'CGI') || containsWord(head, 'Socket')) && containsWord(head, 'use'),
  ],
  ['python', /^#!\s*\S*python/, 12],
  ['python', /(?:^|[\n\r\u2028\u2029])[ \t]*(?:import\s+(?:os|sys|socket|subprocess|cgi|pty|base64|flask)\b|from\s+[\w.]+\s+import\s)/, 6, ['import']],
  ['python', /(?:^|[\n\r\u2028\u2029])[ \t]*def\s+\w+\s*\([^)]*\)\s*:/, 4, ['def']],
  ['node', /\brequire\s*\(\s*['"](?:child_process|http|https|net|express|fs|vm)['"]\s*\)/, 8, ['require']],
  ['node', /\bfrom\s+['"](?:node:)?(?:child_process|http|express|net)['"]/, 8, ['from']],
  ['node', /\bmodule\.exports\b|\bprocess\.(?:env|argv|exit)\b/, 2, ['module.exports', 'process.']],
  ['shell', /^#!\s*\S*(?:\/|env\s+)(?:ba|da|z|k)?sh\b/, 12],
  // (the engine tries a `^` pattern at every offset: the first non-blank character is checked first; trimStart drops what \s matches)
  // (a comment ends at its first `-->`, as in XML: a lazy `[\s\S]` body could also run on to a
  // later one, so a head of n comments before anything else had 2^n ways to fail)
  [
    'xml',
    /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--(?:[^-]|-(?!->)){0,2000}-->\s*)*<(?:beans|web-app|atlassian-plugin|plugin|project|hudson)\b/,
    8,
    (head) => head.trimStart().startsWith('<'),
  ],
];

/**
 * Whether `re` can only match at the start of the text: a `^` first, no `|` outside a group or
 * class (`^a|b` matches anywhere), and no `m` flag.
 */
export function startAnchored(re: RegExp): boolean {
  if (re.multiline || !re.source.startsWith('^')) return false;
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < re.source.length; i++) {
    const c = re.source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return false;
  }
  return true;
}

/**
 * The cues that can only match at the text's start, tried there alone: the engine tries a
 * non-sticky `^` pattern at every offset of the head (a `\s*` after it matches at each one).
 */
const AT_START = new Map(CUES.filter(([, re]) => startAnchored(re)).map(([, re]) => [re, new RegExp(re.source, `${re.flags}y`)]));

/** `re.test(head)`, with a start-anchored cue tried at offset 0 only (the same answer). */
function cueMatches(re: RegExp, head: string): boolean {
  const sticky = AT_START.get(re);
  if (!sticky) return re.test(head);
  sticky.lastIndex = 0;
  return sticky.test(head);
}

/** A word gate: the word, and whether it is looked up in the lower-cased head. */
interface GateWord {
  word: string;
  lower: boolean;
  /** Its key among the words looked up for one text. */
  key: string;
}

interface Cue {
  re: RegExp;
  weight: number;
  gate?: (head: string, low: string) => boolean;
  words?: GateWord[];
}

/** One language's cues, in CUES order, and what they weigh together. */
interface CueGroup {
  language: Language;
  cues: Cue[];
  weight: number;
}

/**
 * CUES by language. Scores went into a Map in the order languages first scored, and the first
 * of equal scores won: with each language's cues side by side in CUES, that order is the order
 * of these groups whichever cues hit, so a language's cues may be tried in any order.
 */
function groupCues(): CueGroup[] {
  const groups: CueGroup[] = [];
  for (const [language, re, weight, gate] of CUES) {
    // a word without letters is the same in the lower-cased head: one look-up serves both
    const words = Array.isArray(gate)
      ? gate.map((word) => (re.ignoreCase && /[a-z]/i.test(word) ? { word, lower: true, key: `!${word}` } : { word, lower: false, key: word }))
      : undefined;
    const cue: Cue = { re, weight, ...(typeof gate === 'function' ? { gate } : {}), ...(words ? { words } : {}) };
    const last = groups[groups.length - 1];
    if (last?.language === language) {
      last.cues.push(cue);
      last.weight += weight;
    } else if (groups.some((g) => g.language === language)) throw new Error(`language cues: the ${language} cues must stand together`);
    else groups.push({ language, cues: [cue], weight });
  }
  return groups;
}

const GROUPS = groupCues();
const GROUP_OF = new Map(GROUPS.map((g, i) => [g.language, i]));
const PHP_GROUP = GROUP_OF.get('php')!;
const ASPX_GROUP = GROUP_OF.get('aspx')!;

const REQUEST_READ = /req(?:uest)?\s*\.\s*(?:query|body|params|headers|url)\b/y;

/**
 * A .js file is only worth the Node analyzer when it can run commands or code for a
 * requester: it names child_process, or it evaluates strings or opens sockets and reads a
 * request (a tunnel). Browser
 * bundles (UMD wrappers with require/module.exports) are neither.
 */
export function serverSideJs(text: string): boolean {
  if (includesText(text, 'child_process')) return true;
  // cheapest test first (bundles nearly always say Function); the socket words are looked for
  // only when no eval word is there (each is a search of the whole bundle)
  const evals = includesText(text, 'Function') || text.includes('vm.') || text.includes('eval');
  if (!evals && !(text.includes('net.') || includesText(text, "require('net')") || includesText(text, 'require("net")'))) return false;
  // tried only where `req` stands (a native search), with the word boundary before it checked
  // by hand: the pattern's text after `req` holds no other `req`, so every match a global search
  // would find starts at one of these
  for (let i = text.indexOf('req'); i !== -1; i = text.indexOf('req', i + 3)) {
    REQUEST_READ.lastIndex = i;
    if (!REQUEST_READ.test(text)) continue;
    const before = i > 0 ? text.charCodeAt(i - 1) : 32;
    if (!((before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122) || before === 95)) return true;
  }
  return false;
}

/** detectLanguage's fast path: `<?php` opens the head (`php`), with no ASP, JSP or CFML code before or around it. */
function phpFirst(head: string, php: number, asp: number): boolean {
  return php !== -1 && !/<%@|<jsp:|<cf[a-z]/i.test(head) && (asp === -1 || asp > php);
}

/** Whether detectLanguage decides PHP at once from `head` (its first 16 KiB of text). */
export function phpOpensFirst(head: string): boolean {
  return phpFirst(head, phpOpenTag(head), head.indexOf('<%'));
}

export interface LanguageGuess {
  language: Language;
  confidence: number;
}

/** The language of `text` (only the first ~256 KiB is examined for cues). */
export function detectLanguage(text: string, ext: string): LanguageGuess {
  // the first 16 KiB decide it; cues on a whole bundle would cost more than the analysis
  const head = text.length > 16384 ? text.slice(0, 16384) : text;
  // fast paths: an unambiguous opening decides without running every cue
  // (not when ASP code opens first: an ASP shell may carry PHP it writes out as a string)
  const lt = head.indexOf('<?');
  const php = phpOpenTag(head, lt);
  const asp = head.indexOf('<%');
  if (phpFirst(head, php, asp)) return { language: 'php', confidence: 10 };
  if ((ext === 'js' || ext === 'mjs' || ext === 'cjs') && !/^#!/.test(head) && !serverSideJs(text)) return { language: 'unknown', confidence: 0 };
  const best = bestByCues(head, ext, php, asp, lt !== -1);
  // a bare extension hint without any content cue is not enough for script languages that
  // also name plain text (.inc, .config, .js in browsers)
  if (best.confidence <= 3 && (ext === 'js' || ext === 'mjs' || ext === 'config' || ext === 'xml' || ext === 'inc')) return { language: 'unknown', confidence: 0 };
  return best;
}

/** JSP and ASP.NET share `<%@ Page`; a Java import in it settles it for JSP. */
const JAVA_PAGE = /<%@\s*page[^%]{0,300}import\s*=\s*["']java/i;

/**
 * The language whose cues (plus the extension hint, minus PHP's penalty for text after an
 * ASP/JSP `<%`) weigh most, the first to score of equal ones, or unknown when none scores
 * above 0. Not every cue is tried: each language keeps what it has scored and the most it can
 * still reach, and the one that can reach most tries its next cue, until that one has tried
 * all its cues. It then weighs at least as much as any other can reach, and every language
 * that could still equal it has tried all of its cues as well (equal reaches try first), so
 * the winner and its score are those of trying every cue. On an ASP page the other languages
 * give up their costly word cues once their cheap ones (`<?`, `<%@ page`, `#!`) have missed.
 */
function bestByCues(head: string, ext: string, php: number, asp: number, hasLt: boolean): LanguageGuess {
  const low = head.toLowerCase();
  // several cues share a gate word: each word is looked up once per text (`<?` was already)
  const seen = new Map<string, boolean>([['<?', hasLt]]);
  const has = (w: GateWord): boolean => {
    let v = seen.get(w.key);
    if (v === undefined) {
      v = containsWord(w.lower ? low : head, w.word);
      seen.set(w.key, v);
    }
    return v;
  };
  const n = GROUPS.length;
  // one slot past the groups for a hint language that has no cues
  const reach: number[] = [];
  const score: number[] = [];
  const next: number[] = [];
  const scored: boolean[] = [];
  for (let g = 0; g <= n; g++) {
    score.push(0);
    reach.push(g < n ? GROUPS[g]!.weight : 0);
    next.push(0);
    scored.push(false);
  }
  // PHP text that an ASP/JSP page writes out comes after that page's own `<%`: it weighs little
  if (asp !== -1 && php > asp) {
    score[PHP_GROUP] = score[PHP_GROUP]! - 7;
    reach[PHP_GROUP] = reach[PHP_GROUP]! - 7;
  }
  const hint = EXT_LANG[ext];
  const hintGroup = hint ? (GROUP_OF.get(hint) ?? n) : -1;
  if (hintGroup !== -1) {
    score[hintGroup] = score[hintGroup]! + 3;
    reach[hintGroup] = reach[hintGroup]! + 3;
  }
  const open = (g: number): boolean => g < n && next[g]! < GROUPS[g]!.cues.length;
  for (;;) {
    let top = 0;
    for (let g = 1; g <= n; g++) if (reach[g]! > reach[top]! || (reach[g] === reach[top] && !open(top) && open(g))) top = g;
    if (reach[top]! <= 0) return { language: 'unknown', confidence: 0 };
    if (open(top)) {
      const cues = GROUPS[top]!.cues;
      const cue = cues[next[top]!]!;
      next[top] = next[top]! + 1;
      const hit = !(cue.gate ? !cue.gate(head, low) : cue.words && !cue.words.some(has)) && (cue.re === PHP_OPEN ? php !== -1 : cueMatches(cue.re, head));
      if (hit) {
        score[top] = score[top]! + cue.weight;
        scored[top] = true;
      } else reach[top] = reach[top]! - cue.weight;
      if (top === ASPX_GROUP && next[top] === cues.length && score[top]! > 0 && JAVA_PAGE.test(head)) score[top] = reach[top] = 0;
      continue;
    }
    // of equal scores the first to score wins: a language by its first cue hit (CUES order),
    // the hint language without one after them all
    let best = top;
    const rank = (g: number): number => (scored[g] ? g : n + 1);
    for (let g = 0; g <= n; g++) if (reach[g] === reach[top] && rank(g) < rank(best)) best = g;
    return { language: best < n ? GROUPS[best]!.language : hint!, confidence: reach[best]! };
  }
}
