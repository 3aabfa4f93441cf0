/**
 * Scans one file's bytes (or one archive entry): decide whether it can execute on a web
 * server, detect its language, analyze, score; open archives and scan their entries with
 * the same rules, bounded in depth, entries and inflated bytes.
 */
import { createHash } from 'node:crypto';
import type { Problem } from '../errors.js';
import { analyzeText } from './analyze.js';
import { withBudget } from './budget.js';
import { detectLanguage, extensionOf, hasServerMarker, isServerExtension, serverMarkerAt } from './language.js';
import { bytesToText } from './text.js';
import { unreadSkip } from './prescreen.js';
import { THRESHOLDS, type Evidence, type Finding, type Language, type ScanLimits, type Verdict } from './types.js';
import { containerKind, scanContainer } from './archive.js';
import { withReasonIds } from './reason-id.js';
import { phpParseErrorAt } from './analyzers/php/parses.js';

export interface FileOutcome {
  path: string;
  bytes: number;
  analyzed: boolean;
  /** Why it was not analyzed (not executable, too large, ...). */
  skipped?: string;
  language?: Language;
  /** Present when the verdict is not clean. */
  finding?: Finding;
  problems: Problem[];
  /** True for archive entries (counted separately in summaries). */
  entry?: boolean;
}

export interface ScanContext {
  limits: ScanLimits;
  /** Optional extra matcher (YARA) run on analyzed texts. */
  extra?: (bytes: Buffer, path: string) => Evidence[];
}

const PLUGIN_DESCRIPTORS = /(?:^|\/)(?:atlassian-plugin\.xml|teamcity-plugin\.xml|build-server-plugin[^/]*\.xml|plugin\.xml|META-INF\/spring\/[^/]+\.xml)$/i;
export const NEVER_CODE = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'bmp',
  'ico',
  'webp',
  'svg',
  'css',
  'scss',
  'less',
  'map',
  'woff',
  'woff2',
  'ttf',
  'eot',
  'otf',
  'mp3',
  'mp4',
  'avi',
  'mov',
  'pdf',
  'json',
  'md',
  'txt',
  'html',
  'htm',
  'ftl',
  'tmpl',
  'tpl',
  'mtml',
  'yml',
  'yaml',
  'lock',
  'po',
  'pot',
  'mo',
  'class',
  'properties',
  'gitignore',
  'gitmodules',
  'gitattributes',
  'editorconfig',
  'xsd',
  'dtd',
  'csv',
  'log',
]);

/** Image types, where PHP hides after the header bytes of a real picture (polyglots). */
const IMAGE_EXT = /^(?:png|jpe?g|gif|bmp|ico|webp)$/;

/**
 * The PHP a text file of another type (a .vim syntax file, a .txt include) can run: PHP parses
 * a file before running any of it, so text that stops parsing soon after a `<?php` someone
 * merely wrote down is no PHP from there on. Only its parsing part is analyzed; what comes
 * before the error is kept, so a shell with junk appended still reads as one. Images and other
 * binary files are left whole: their own bytes would fail any parse and hide the code inside.
 */
function phpThatParses(text: string, ext: string): string {
  if (ext === '' || IMAGE_EXT.test(ext) || BINARY_TEXT.test(text.slice(0, 65536))) return text;
  const err = phpParseErrorAt(text);
  return err === -1 ? text : text.slice(0, err);
}

/** Control characters that no text file holds (tab, line breaks and form feed aside). */
const BINARY_TEXT = /[\x00-\x08\x0e-\x1f\x7f]/;

export function verdictFor(score: number): Verdict {
  return score >= THRESHOLDS.malicious ? 'malicious' : score >= THRESHOLDS.suspicious ? 'suspicious' : 'clean';
}

export function scanBytes(path: string, buf: Buffer, ctx: ScanContext, depth = 0, budget?: { remaining: number }): FileOutcome[] {
  const ext = extensionOf(path);
  const container = containerKind(ext, buf);
  if (container) return scanContainer(container, path, buf, ctx, depth, budget ?? { remaining: ctx.limits.maxArchiveInflatedBytes });
  if (buf.length > ctx.limits.maxFileBytes)
    return [{ path, bytes: buf.length, analyzed: false, skipped: `larger than ${ctx.limits.maxFileBytes} bytes`, problems: [], entry: depth > 0 }];
  const serverExt = isServerExtension(ext);
  // the skips the bytes prove, before a string of the whole file is made
  const unread = unreadSkip(buf, ext, serverExt);
  if (unread) {
    const skipped = unread === 'not-server-js' ? 'no server-side code recognised' : NEVER_CODE.has(ext) || ext === '' ? 'not server-executable' : 'no server-side code';
    return [{ path, bytes: buf.length, analyzed: false, skipped, problems: [], entry: depth > 0 }];
  }
  const text = bytesToText(buf);
  const isDescriptor = ext === 'xml' && (depth > 0 || PLUGIN_DESCRIPTORS.test(path) || /<beans\b|springframework/.test(text.slice(0, 4096)));
  if (!serverExt && !isDescriptor && !hasServerMarker(text)) {
    return [
      { path, bytes: buf.length, analyzed: false, skipped: NEVER_CODE.has(ext) || ext === '' ? 'not server-executable' : 'no server-side code', problems: [], entry: depth > 0 },
    ];
  }
  let language: Language;
  if (isDescriptor) language = 'xml';
  else {
    const guess = detectLanguage(text, NEVER_CODE.has(ext) ? '' : ext);
    language = guess.language;
  }
  // code after a long run of junk (an image, padding): the language is read where the code starts
  if (language === 'unknown' && !isDescriptor) {
    const at = serverMarkerAt(text);
    if (at > 0) language = detectLanguage(text.slice(at, at + 65536), NEVER_CODE.has(ext) ? '' : ext).language;
  }
  if (language === 'unknown') return [{ path, bytes: buf.length, analyzed: false, skipped: 'no server-side code recognised', problems: [], entry: depth > 0 }];
  const deadline = Date.now() + ctx.limits.maxMillisPerFile;
  const notes: string[] = [];
  const code = language === 'php' && !serverExt ? phpThatParses(text, ext) : text;
  const ev = withBudget(ctx.limits.maxMillisPerFile, () => analyzeText(code, language, { limits: ctx.limits, deadline, notes }));
  // polyglot: server code inside a file type that is never code
  if (NEVER_CODE.has(ext) && IMAGE_EXT.test(ext) && language !== 'xml')
    ev.add('capability', `server-side ${language} code inside a .${ext} file (polyglot)`, 5, text.search(/<\?|<%/));
  let evidence = ev.list();
  if (ctx.extra) {
    try {
      evidence = evidence.concat(ctx.extra(buf, path));
    } catch (e) {
      notes.push(`extra matcher failed: ${(e as Error).message}; the evidence of the analyzers is kept`);
    }
  }
  const score = Math.round(evidence.reduce((s, e) => s + e.weight, 0) * 10) / 10;
  const outcome: FileOutcome = { path, bytes: buf.length, analyzed: true, language, problems: [], entry: depth > 0 };
  const verdict = verdictFor(score);
  if (Date.now() > deadline) outcome.problems.push({ kind: 'scan', file: path, message: `time cap of ${ctx.limits.maxMillisPerFile} ms hit; analysis may be incomplete` });
  for (const n of notes) outcome.problems.push({ kind: 'scan', file: path, message: n });
  if (verdict !== 'clean') {
    outcome.finding = { path, verdict, score, language, evidence: withReasonIds(evidence), sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
    if (ev.family) outcome.finding.family = ev.family;
  }
  return [outcome];
}
