/**
 * Decides the server-side language of a file from its content; the extension is only a
 * hint used to break ties. Also decides whether a file can execute on a web server at all.
 */
import type { Language } from './types.js';
import { includesText } from './context.js';
import { containsWord } from './words.js';

/** Extensions a web server (or CGI) may execute, by the language they usually hold. */
const EXT_LANG: Record<string, Language> = {
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
};

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
 */
export function phpOpenTag(head: string): number {
  for (let i = head.indexOf('<?'); i !== -1; i = head.indexOf('<?', i + 2)) {
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
 * (a regex that opens with a rare literal is already fast).
 */
const CUES: Array<[Language, RegExp, number, (string[] | ((head: string, low: string) => boolean))?]> = [
  ['php', PHP_OPEN, 10, ['<?']],
  ['php', /<script\s+language\s*=\s*["']?php/i, 10, (_head, low) => containsWord(low, 'php') && containsWord(low, '<script')],
  ['php', /<\?=/, 6],
  ['php', /<\?\s*(?:\$|@?\w+\s*\(|if|echo|error_reporting|set_time_limit|session_start|eval|include|require|function)/i, 6, ['<?']],
  ['php', /\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES|SESSION)\b/, 4, ['$_']],
  ['php', /\b(?:function_exists|base64_decode|isset|preg_replace|str_replace|echo)\s*\(/, 1, ['function_exists', 'base64_decode', 'isset', 'preg_replace', 'str_replace', 'echo']],
  ['php', /\$\w+\s*=\s*[^;\n]{0,200};/, 1, ['$']],
  ['jsp', /<%@\s*page\b[^%]{0,400}(?:language\s*=\s*["']java|import\s*=\s*["']java|pageEncoding|contentType)/, 8, ['<%@']],
  ['jsp', /<jsp:(?:directive|scriptlet|declaration|root|useBean)/, 8, ['<jsp:']],
  ['jsp', /\brequest\.getParameter\s*\(|\bout\.print(?:ln)?\s*\(|\bjava\.(?:io|lang|util|net)\.\w/, 4, ['request.getParameter', 'out.print', 'java.']],
  ['jsp', /(?:^|[\n\r\u2028\u2029])[ \t]*(?:package\s+[\w.]+;|import\s+java[x]?\.[\w.*]+;)/, 6, ['package', 'import']],
  ['jsp', /<%@\s*taglib\s+(?:prefix|uri)/, 5, ['<%@']],
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
  // (`use` is in most English text: the module names decide)
  [
    'perl',
    /(?:^|[\n\r\u2028\u2029])[ \t]*use\s+(?:strict|warnings|CGI|Socket|IO::Socket)\b/,
    6,
    (head) => (containsWord(head, 'strict') || containsWord(head, 'warnings') || containsWord(head, 'CGI') || containsWord(head, 'Socket')) && containsWord(head, 'use'),
  ],
  ['perl', /\bmy\s+[$@%]\w+/, 3, ['my']],
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

const REQUEST_READ = /req(?:uest)?\s*\.\s*(?:query|body|params|headers|url)\b/y;

/**
 * A .js file is only worth the Node analyzer when it can run commands or code for a
 * requester: it names child_process, or it evaluates strings or opens sockets and reads a
 * request (a tunnel). Browser
 * bundles (UMD wrappers with require/module.exports) are neither.
 */
function serverSideJs(text: string): boolean {
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
  const php = phpOpenTag(head);
  const asp = head.indexOf('<%');
  if (php !== -1 && !/<%@|<jsp:|<cf[a-z]/i.test(head) && (asp === -1 || asp > php)) return { language: 'php', confidence: 10 };
  if ((ext === 'js' || ext === 'mjs' || ext === 'cjs') && !/^#!/.test(head) && !serverSideJs(text)) return { language: 'unknown', confidence: 0 };
  const score = new Map<Language, number>();
  const low = head.toLowerCase();
  // several cues share a gate word: each word is looked up once per text (`!` marks the lower-cased head)
  const seen = new Map<string, boolean>();
  const has = (n: string, lower: boolean): boolean => {
    const key = lower ? `!${n}` : n;
    let v = seen.get(key);
    if (v === undefined) {
      v = containsWord(lower ? low : head, n);
      seen.set(key, v);
    }
    return v;
  };
  for (const [lang, re, w, gate] of CUES) {
    if (typeof gate === 'function' ? !gate(head, low) : gate && !gate.some((n) => has(n, re.ignoreCase))) continue;
    // (the `<?php` cue is the search made above)
    if (re === PHP_OPEN ? php !== -1 : cueMatches(re, head)) score.set(lang, (score.get(lang) ?? 0) + w);
  }
  // PHP text that an ASP/JSP page writes out comes after that page's own `<%`: it weighs little
  if (asp !== -1 && php > asp) score.set('php', (score.get('php') ?? 0) - 7);
  const hint = EXT_LANG[ext];
  if (hint) score.set(hint, (score.get(hint) ?? 0) + 3);
  // JSP vs ASP.NET share `<%@ Page`; Java imports settle it
  if ((score.get('aspx') ?? 0) > 0 && /<%@\s*page[^%]{0,300}import\s*=\s*["']java/i.test(head)) score.set('aspx', 0);
  let best: Language = 'unknown';
  let bestScore = 0;
  for (const [lang, s] of score) {
    if (s > bestScore) {
      best = lang;
      bestScore = s;
    }
  }
  // a bare extension hint without any content cue is not enough for script languages that
  // also name plain text (.inc, .config, .js in browsers)
  if (bestScore <= 3 && (ext === 'js' || ext === 'mjs' || ext === 'config' || ext === 'xml' || ext === 'inc')) return { language: 'unknown', confidence: 0 };
  return { language: best, confidence: bestScore };
}
