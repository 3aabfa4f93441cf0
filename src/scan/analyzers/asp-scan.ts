/**
 * Facts about a classic ASP page that several passes ask for, read once per page.
 */
import { literalOffsets, mergeAscending } from '../words.js';

/** Pages in JScript: case-sensitive names, and no VBScript interpreter to run. */
export const JSCRIPT_PAGE = /<%@[^%]{0,80}LANGUAGE\s*=\s*["']?\s*(?:JScript|Javascript)/i;

let lastPage: { text: string; jscript: boolean } | undefined;

/** `JSCRIPT_PAGE.test(text)`, kept for the page's other passes (the sink loop asks at every Execute). */
export function isJscriptPage(text: string): boolean {
  if (lastPage?.text !== text) lastPage = { text, jscript: JSCRIPT_PAGE.test(text) };
  return lastPage.jscript;
}

let lastProcedures: { lower: string; starts: number[] } | undefined;

/** The offsets of `function`, `sub` and `property` in `lower` (where every procedure header opens), kept for the page's next pass. */
export function procedureStarts(lower: string): number[] {
  if (lastProcedures?.lower === lower) return lastProcedures.starts;
  const starts = mergeAscending(literalOffsets(lower, 'function'), literalOffsets(lower, 'sub'));
  lastProcedures = { lower, starts: lower.includes('property') ? mergeAscending(starts, literalOffsets(lower, 'property')) : starts };
  return lastProcedures.starts;
}
