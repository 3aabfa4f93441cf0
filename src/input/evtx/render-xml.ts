/**
 * Renders a resolved record tree as XML the way evtx_dump (and, modulo whitespace, the
 * Windows Event Viewer) shows it: an XML declaration, two-space indentation, element
 * text inline, empty elements as an open tag and a close tag on the next line, and
 * attributes without text dropped (MS-EVEN6 2.2.12.2).
 */
import { hasText, type XElement, type XNode } from './tree.js';

export function recordToXml(root: XElement): string {
  const w = new XmlWriter();
  w.out = '<?xml version="1.0" encoding="utf-8"?>';
  w.lineBreak = true;
  w.element(root);
  return w.out;
}

function escText(s: string): string {
  return /[&<>]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s;
}

function escAttr(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;') : s;
}

function rawText(n: XNode, attr: boolean): string {
  switch (typeof n) {
    case 'string':
      return attr ? escAttr(n) : escText(n);
    case 'number':
      return String(n);
    case 'boolean':
      return n ? 'true' : 'false';
    default:
      switch (n.kind) {
        case 'charref':
          return `&#${n.code};`;
        case 'entity':
          return `&${n.name};`;
        default:
          return '';
      }
  }
}

/** Mirrors an indenting XML writer: a tag starts a new line unless text was just written. */
class XmlWriter {
  out = '';
  lineBreak = false;
  private indent = '';

  private tag(s: string): void {
    if (this.lineBreak) this.out += '\n' + this.indent;
    this.out += s;
    this.lineBreak = true;
  }

  element(e: XElement): void {
    let start = '<' + e.name;
    for (const a of e.attrs) {
      if (!a.value.some(hasText)) continue;
      let v = '';
      for (const n of a.value) v += rawText(n, true);
      start += ` ${a.name}="${v}"`;
    }
    this.tag(start + '>');
    this.indent += '  ';
    for (const c of e.children) {
      if (typeof c === 'object') {
        if (c.kind === 'element') {
          this.element(c);
          continue;
        }
        if (c.kind === 'cdata') {
          this.tag(`<![CDATA[${c.text}]]>`);
          continue;
        }
        if (c.kind === 'pi') {
          this.tag(`<?${c.target}${c.data ? ' ' + c.data : ''}?>`);
          continue;
        }
      }
      this.out += rawText(c, false);
      this.lineBreak = false;
    }
    this.indent = this.indent.slice(2);
    this.tag(`</${e.name}>`);
  }
}
