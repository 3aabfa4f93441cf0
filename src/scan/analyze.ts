/**
 * Runs the analyzers for one text: strip comments for its language, run the language's
 * flow analyzer plus the shared ones, then re-analyze decoded payloads (bounded depth and
 * size) and merge their evidence.
 */
import type { Analyzer, AnalyzerContext, DecodedLayer } from './context.js';
import { BudgetExceeded, budgetSpent, checkBudgetNow } from './budget.js';
import { EvidenceCollector } from './evidence.js';
import { CLIKE_LEX, HASH_LEX, JS_LEX, PHP_LEX, VB_LEX, stripComments, type LexSpec } from './lexer.js';
import type { Language, ScanLimits } from './types.js';
import { analyzePhp } from './analyzers/php/analyze.js';
import { analyzeJava } from './analyzers/java.js';
import { analyzeDotnet } from './analyzers/dotnet.js';
import { analyzeAsp } from './analyzers/asp.js';
import { dampApplicationPage } from './analyzers/asp-context.js';
import { analyzeCfml } from './analyzers/cfml.js';
import { analyzeNode, analyzePerl, analyzePython, analyzeShell } from './analyzers/scripts.js';
import { analyzeObfuscation } from './analyzers/obfuscation.js';
import { analyzeCommon } from './analyzers/common.js';
import { analyzeFamilies } from './analyzers/families.js';
import { analyzePluginXml } from './analyzers/plugin.js';
import { analyzeToolTraits } from './analyzers/tool-traits.js';
import { detectLanguage } from './language.js';
import { decodeScriptEncoder } from './script-encoder.js';
import { asciiCiOffsets, firstAt, literalOffsets, mergeAscending } from './words.js';

const BY_LANGUAGE: Record<Language, Analyzer[]> = {
  php: [analyzePhp],
  jsp: [analyzeJava, analyzeToolTraits],
  aspx: [analyzeDotnet, analyzeToolTraits],
  asp: [analyzeAsp, analyzeToolTraits],
  cfml: [analyzeCfml, analyzeToolTraits],
  perl: [analyzePerl],
  python: [analyzePython],
  node: [analyzeNode],
  shell: [analyzeShell],
  xml: [analyzePluginXml],
  unknown: [],
};

const SERVER_REGIONS: Array<[string, string]> = [
  ['<%', '%>'],
  ['<script', '</script>'],
];

/** A classic ASP page in JScript: its directive, or a server-side script block in JScript. */
const JSCRIPT_ASP =
  /<%@\s*LANGUAGE\s*=\s*["']?\s*(?:JScript|Javascript)|<script[^>]{0,80}language\s*=\s*["']?(?:jscript|javascript)[^>]{0,80}runat|<script[^>]{0,80}runat\s*=\s*["']?server[^>]{0,80}language\s*=\s*["']?(?:jscript|javascript)/i;

function lexFor(language: Language, text: string): LexSpec | undefined {
  switch (language) {
    case 'php':
      return PHP_LEX;
    case 'jsp':
      return {
        ...CLIKE_LEX,
        regions: [
          ['<%', '%>'],
          ['<jsp:scriptlet>', '</jsp:scriptlet>'],
          ['<jsp:declaration>', '</jsp:declaration>'],
          ['<jsp:expression>', '</jsp:expression>'],
        ],
      };
    case 'aspx': {
      // handlers and services (.ashx/.asmx/.svc) are plain code after their directive
      // (IIS accepts a space inside the directive opener: `<% @ WebHandler ... %>`)
      const afterDirective = text.indexOf('%>') === -1 ? '' : text.slice(text.indexOf('%>') + 2);
      const regions = /<%\s*@\s*(?:WebHandler|WebService|ServiceHost)\b/i.test(text) || (/^\s*<%\s*@/.test(text) && !/<%|<script/i.test(afterDirective)) ? [] : SERVER_REGIONS;
      return /<%\s*@[^%]{0,300}Language\s*=\s*["']?\s*VB/i.test(text) ? { ...VB_LEX, regions } : { ...CLIKE_LEX, regions };
    }
    case 'asp':
      // (every match opens with `<%@` or `<script`: the pattern runs at those places only)
      return firstAt(JSCRIPT_ASP, text, mergeAscending(literalOffsets(text, '<%@'), asciiCiOffsets(text, '<script'))) !== null
        ? { ...CLIKE_LEX, regions: SERVER_REGIONS }
        : { ...VB_LEX, regions: SERVER_REGIONS };
    case 'python':
      return HASH_LEX;
    case 'node':
      return JS_LEX;
    default:
      return undefined;
  }
}

export interface AnalyzeOptions {
  limits: ScanLimits;
  deadline: number;
  /**
   * What went wrong while analyzing (an analyzer that threw, the time budget running out),
   * one line each; the evidence found before stands. The caller reports them as problems.
   */
  notes?: string[];
}

function note(opts: AnalyzeOptions, message: string): void {
  if (opts.notes && !opts.notes.includes(message) && opts.notes.length < 20) opts.notes.push(message);
}

/**
 * Runs one analyzer with its errors kept to itself: an exception (a regex that overflows the
 * stack on a hostile file, a bug) becomes a note, and the other analyzers still run. Returns
 * false once the time budget is spent, so the caller stops starting new passes.
 */
function runAnalyzer(a: Analyzer, ctx: AnalyzerContext, opts: AnalyzeOptions, layer: number): boolean {
  const where = `${a.name || 'analyzer'}${layer > 0 ? ` (decoded layer ${layer})` : ''}`;
  try {
    checkBudgetNow();
    a(ctx);
    return true;
  } catch (e) {
    // the caller reports the time cap itself (once per file)
    if (e instanceof BudgetExceeded) return false;
    note(opts, `${where} failed: ${e instanceof Error ? e.message : String(e)}; the evidence found before it is kept`);
    return true;
  }
}

/** Analyzes one text as `language`; recursion into decoded layers is bounded by `limits`. */
/**
 * Shells passed around through blogs and word processors arrive with typographic quotes in
 * their code (`Request.Item[“pass”]`, `Language=”Jscript”`). Read as code, they hide every
 * string from the analyzers; straightened, the code reads as its author meant it. Only when
 * such a quote sits against code punctuation, so prose in HTML keeps its quotes. The text is
 * read as latin1, so each quote is its three UTF-8 bytes; line numbers do not move.
 */
function straightenQuotes(text: string): string {
  // the same quotes in the two encodings copied shells come in: UTF-8 (E2 80 9C/9D/98/99) and
  // GBK (A1 B0/B1/AE/AF); text is read byte-per-char, so each is a short run of chars
  const utf8 = quoteInCode(text, '\xe2\x80', '\x98\x9c\x9d', '\x99\x9d');
  const gbk = quoteInCode(text, '\xa1', '\xae\xb0\xb1', '\xaf\xb1');
  if (utf8) text = text.replace(/\xe2\x80[\x9c\x9d]/g, '"').replace(/\xe2\x80[\x98\x99]/g, "'");
  if (gbk) text = text.replace(/\xa1[\xb0\xb1]/g, '"').replace(/\xa1[\xae\xaf]/g, "'");
  return text;
}

/**
 * Whether a curly quote (`lead` then one of `opens` or `closes`) stands where code would have a
 * straight one: an opening one after `[ ( = ,`, a closing one before `] ) , ; %`. Walks the
 * occurrences of `lead` (prose in comments and pages holds few) instead of trying a regex at
 * every bracket and comma of the file.
 */
function quoteInCode(text: string, lead: string, opens: string, closes: string): boolean {
  let n = 0;
  for (let i = text.indexOf(lead); i !== -1 && n < 10000; i = text.indexOf(lead, i + 1), n++) {
    const q = text[i + lead.length];
    if (q === undefined) return false;
    if (opens.includes(q)) {
      let j = i - 1;
      while (j >= 0 && /\s/.test(text[j]!)) j--;
      if (j >= 0 && '[(=,'.includes(text[j]!)) return true;
    }
    if (closes.includes(q)) {
      let j = i + lead.length + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (j < text.length && '),;%]'.includes(text[j]!)) return true;
    }
  }
  return false;
}

/**
 * CFML comments (`<!--- ... --->`) blanked, newlines kept. A walk with indexOf: a lazy regex
 * would rescan the rest of the file from every unclosed opener (quadratic).
 */
function blankCfmlComments(text: string): string {
  const parts: string[] = [];
  let from = 0;
  for (let open = text.indexOf('<!---'); open !== -1; open = text.indexOf('<!---', from)) {
    const close = text.indexOf('--->', open + 5);
    if (close === -1) break;
    parts.push(text.slice(from, open), text.slice(open, close + 4).replace(/[^\n]/g, ' '));
    from = close + 4;
  }
  if (from === 0) return text;
  parts.push(text.slice(from));
  return parts.join('');
}

/** What an undone Script Encoder layer adds by itself. */
const ENCODED_WEIGHT = 2;
/** An encoded block that does not decode cleanly (no end marker, wrong checksum). */
const DAMAGED_WEIGHT = 6;

/** Named XML entities the JSPX code decodes. */
const XML_ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };

/**
 * A JSPX page's Java as the container reads it: inside jsp:scriptlet, jsp:declaration and
 * jsp:expression the XML parser decodes numeric character references (`&#x52;untime` is
 * `Runtime`) and joins CDATA sections to the text around them (`Run<![CDATA[time]]>`), so
 * both are undone there; named entities are decoded in the whole page, as before.
 */
function jspxCode(text: string): string {
  if (text.includes('&#') || text.includes('<![CDATA[')) {
    text = text.replace(/(<jsp:(scriptlet|declaration|expression)\b[^>]{0,200}>)([\s\S]*?)(<\/jsp:\2\s*>)/g, (_m, open: string, _k, body: string, close: string) => {
      // CDATA keeps its text verbatim; outside it, character references are decoded
      const parts = body.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/);
      const out = parts.map((p) =>
        p.startsWith('<![CDATA[') ? p.slice(9, -3) : p.replace(/&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (e, h?: string, d?: string) => numericEntity(e, h, d)),
      );
      return open + out.join('') + close;
    });
  }
  return text.replace(/&(?:lt|gt|amp|quot|apos);/g, (e) => XML_ENTITIES[e] ?? e);
}

function numericEntity(e: string, hex: string | undefined, dec: string | undefined): string {
  const n = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec!, 10);
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : e;
}

export function analyzeText(text: string, language: Language, opts: AnalyzeOptions, layer = 0, budget = { bytes: 0, layers: 0 }): EvidenceCollector {
  // JSPX keeps Java inside XML: entities hide quotes and angle brackets
  if (language === 'jsp' && /<jsp:(?:scriptlet|declaration|expression)/.test(text)) {
    text = jspxCode(text);
  }
  if (language === 'cfml') text = blankCfmlComments(text);
  // Script Encoder blocks are decoded in place, so the page's plain and encoded parts are read
  // as the one program the server runs (evidence lines after a block count decoded lines)
  const encoded = (language === 'asp' || language === 'aspx') && text.includes('#@~^') ? decodeScriptEncoder(text) : undefined;
  if (encoded) text = encoded.text;
  // after decoding: encoded blocks keep non-ASCII bytes as they are, and a GBK quote byte pair
  // among the encoded characters is data the decoder must see unchanged
  text = straightenQuotes(text);
  // javac turns \uXXXX (any number of u's) into the character before it reads the source, in
  // code, strings and comments alike: `\u0052untime.get\u0052untime()` is Runtime.getRuntime()
  if (language === 'jsp' && text.includes('\\u')) text = text.replace(/\\u+([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  const ev = new EvidenceCollector(text, language, layer);
  // the encoding hides code from people and text search, nothing more: once it is undone the
  // decoded code carries the verdict (CMS pages encode their licence checks too)
  if (encoded && encoded.damaged === 0) ev.add('obfuscation', 'script encoded with the Microsoft Script Encoder (decoded for analysis)', ENCODED_WEIGHT, encoded.firstOffset, 4);
  // a block the encoder cannot have written (cut short, checksum off) decodes partly to noise,
  // so the encoding stays the signal it was before decoding
  else if (encoded) ev.add('obfuscation', 'script encoded with the Microsoft Script Encoder, blocks damaged or altered', DAMAGED_WEIGHT, encoded.firstOffset, 4);
  const lex = lexFor(language, text);
  const code = lex ? stripComments(text, lex) : text;
  const ctx: AnalyzerContext = { text, code, lower: code.toLowerCase(), ev, layers: [], size: text.length };
  const passes = language !== 'unknown' && language !== 'xml' ? [...BY_LANGUAGE[language], analyzeObfuscation, analyzeCommon, analyzeFamilies] : BY_LANGUAGE[language];
  for (const a of passes) if (!runAnalyzer(a, ctx, opts, layer)) return ev;
  if (language === 'asp' && !runAnalyzer(dampApplicationPage, ctx, opts, layer)) return ev;
  if (layer < opts.limits.maxDecodeDepth) followLayers(ctx, opts, layer, budget);
  return ev;
}

function followLayers(ctx: AnalyzerContext, opts: AnalyzeOptions, layer: number, budget: { bytes: number; layers: number }): void {
  const seen = new Set<string>();
  for (const l of ctx.layers) {
    if (budgetSpent() || Date.now() > opts.deadline) return;
    if (budget.layers >= 16 || budget.bytes + l.text.length > opts.limits.maxDecodeBytes) return;
    const key = l.text.slice(0, 256) + l.text.length;
    if (seen.has(key)) continue;
    seen.add(key);
    budget.layers++;
    budget.bytes += l.text.length;
    const lang = layerLanguage(l);
    const sub = analyzeText(l.text, lang, opts, layer + 1, budget);
    if (sub.score() > 0) {
      ctx.ev.merge(sub);
    }
  }
}

function layerLanguage(l: DecodedLayer): Language {
  const g = detectLanguage(l.text, '');
  if (l.language === 'unknown' || l.language === 'xml') {
    if (g.confidence >= 6 && g.language !== 'unknown') return g.language;
    if (/<%/.test(l.text))
      return /request\s*\.\s*getParameter|java\./.test(l.text) ? 'jsp' : /Language\s*=\s*["']?\s*(?:C#|JScript|VB)|Request\.Item\s*\[/i.test(l.text) ? 'aspx' : 'asp';
    return 'php';
  }
  // a decoded payload keeps its carrier's language unless it opens with another one
  return g.confidence >= 10 && g.language !== 'unknown' ? g.language : l.language;
}
