/** Server configuration XML read for collectors: parse errors become problems, not crashes. */
import { readFileSync } from 'node:fs';
import { parseXml, type XmlElement } from '../input/text/xml-lite.js';
import type { CollectContext } from './types.js';

export type { XmlElement };

/** The document element of an XML file, or undefined (with a problem when it exists but is unreadable). */
export function readXml(ctx: CollectContext, file: string): XmlElement | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') ctx.problems.report({ kind: 'input', file, message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return parseXml(text.replace(/<!DOCTYPE[^>]*>/i, ''));
  } catch (e) {
    const pos = (e as { pos?: number }).pos;
    const line = typeof pos === 'number' ? text.slice(0, pos).split('\n').length : undefined;
    ctx.problems.report({ kind: 'input', file, line, message: `not well-formed XML: ${(e as Error).message}; skipped` });
    return undefined;
  }
}

/** Every element named `name` below `el`, in document order. */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    for (const c of e.children) {
      if (typeof c === 'string') continue;
      if (c.name === name) out.push(c);
      visit(c);
    }
  };
  visit(el);
  return out;
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

export function attr(el: XmlElement, name: string): string | undefined {
  for (const [k, v] of el.attrs) if (k === name) return v;
  return undefined;
}

/** The attributes that are set, as a detail record. */
export function attrs(el: XmlElement, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = attr(el, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** The text of the first child element named `name`, trimmed; undefined when absent or empty. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = children(el, name)[0];
  if (!c) return undefined;
  const t = c.children
    .filter((x): x is string => typeof x === 'string')
    .join('')
    .trim();
  return t === '' ? undefined : t;
}
