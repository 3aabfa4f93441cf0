/**
 * Classic ASP pages that belong to an application. A CMS page pulls in its site's shared code
 * (`<!--#include file="conn.asp"-->`, admin checks, helpers); a web shell is dropped as one
 * self-contained file, or as a line of code inside such a page. So in a page that includes
 * the site's own script files, administration behaviour the site is built for (file managers
 * and template editors on request-chosen paths, uploaders, a fetch of a request-named URL,
 * encoded or character-built strings, generated pages) says little, and only the paths that
 * hand the requester code or command execution keep their full weight.
 */
import type { AnalyzerContext } from '../context.js';
import type { Evidence } from '../types.js';
import { firstAt, literalOffsets } from '../words.js';

/** Includes of server script files (not of images or text, which asp.ts reads as hidden code). */
const APP_INCLUDE = /<!--\s*#include\s+(?:file|virtual)\s*=\s*["']?[^"'>\n]{1,200}\.(?:asp|inc|asa|cls|fun|config)["']?\s*-->/i;

/**
 * Evidence of a complete path to running requester-chosen code or commands, a known family,
 * or an execution engine: never damped. A shell object alone is not such a path: server-probe
 * and environment pages of CMS admin areas create WScript.Shell to read the environment.
 */
const EXECUTION = /\breaches\b|script engine|eval passed around|unsafe|XSLT/i;

/** How much of its weight administration-style evidence keeps in an application page. */
const APP_FACTOR = 0.3;

/** `APP_INCLUDE.test(text)`: every match opens with `<!--`, where the pattern runs (a page holds a few). */
export function isApplicationPage(text: string): boolean {
  return firstAt(APP_INCLUDE, text, literalOffsets(text, '<!--')) !== null;
}

/** Administration behaviour in an application page, all of it together, stays below the suspicious threshold. */
const APP_CAP = 4;

export function dampApplicationPage(ctx: AnalyzerContext): void {
  if (ctx.ev.layer > 0 || !isApplicationPage(ctx.text)) return;
  const damped = (ev: Evidence) => ev.analyzer !== 'family' && !EXECUTION.test(ev.reason);
  ctx.ev.scale((ev) => (damped(ev) ? APP_FACTOR : 1));
  const sum = ctx.ev.list().reduce((s, ev) => s + (damped(ev) ? ev.weight : 0), 0);
  if (sum > APP_CAP) ctx.ev.scale((ev) => (damped(ev) ? APP_CAP / sum : 1));
}
