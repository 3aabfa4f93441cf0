/**
 * A small, bounded reader for the well-formed XML subset that event producers write on one
 * line (Sysmon for Linux `<Event>` records): elements, attributes, text, the five named
 * entities and numeric character references, plus comments, CDATA and a `<?xml ?>` prolog,
 * which are cheap to accept. No DTDs, no namespaces beyond keeping `xmlns` as an attribute.
 * Depth and node count are capped so a hostile line costs linear time and bounded memory.
 */

export interface XmlElement {
  name: string;
  attrs: Array<[string, string]>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export class XmlError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} at offset ${pos}`);
    this.name = 'XmlError';
  }
}

const MAX_DEPTH = 32;
const MAX_NODES = 20000;

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 58 || c > 127;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Replaces entity and character references in s[start, end). */
export function decodeEntities(s: string, start: number, end: number): string {
  const amp = s.indexOf('&', start);
  if (amp < 0 || amp >= end) return s.slice(start, end);
  const parts: string[] = [];
  let run = start;
  let i = amp;
  while (i >= 0 && i < end) {
    const semi = s.indexOf(';', i + 1);
    if (semi < 0 || semi >= end || semi - i > 12) throw new XmlError('unterminated entity reference', i);
    const ref = s.slice(i + 1, semi);
    let text: string | undefined;
    if (ref.charCodeAt(0) === 35 /* # */) {
      const hex = ref.charCodeAt(1) === 120 || ref.charCodeAt(1) === 88;
      const digits = ref.slice(hex ? 2 : 1);
      const code = digits !== '' && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (!(code >= 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`bad character reference &${ref};`, i);
      text = String.fromCodePoint(code);
    } else text = NAMED[ref];
    if (text === undefined) throw new XmlError(`unknown entity &${ref};`, i);
    parts.push(s.slice(run, i), text);
    run = semi + 1;
    i = s.indexOf('&', run);
  }
  parts.push(s.slice(run, end));
  return parts.join('');
}

/**
 * Parses the single root element that starts at or after `start` (leading whitespace and a
 * prolog are skipped) and ends before `end`. Anything but whitespace after it is an error.
 */
export function parseXml(s: string, start = 0, end = s.length): XmlElement {
  let p = start;
  let nodes = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const skipSpace = (): void => {
    while (p < end && isSpace(s.charCodeAt(p))) p++;
  };
  const readName = (): string => {
    const from = p;
    while (p < end && isNameChar(s.charCodeAt(p))) p++;
    if (p === from) throw new XmlError('expected a name', p);
    return s.slice(from, p);
  };
  const addChild = (n: XmlNode): void => {
    if (++nodes > MAX_NODES) throw new XmlError(`more than ${MAX_NODES} nodes`, p);
    const top = stack[stack.length - 1];
    if (top) top.children.push(n);
  };

  skipSpace();
  if (s.startsWith('<?xml', p)) {
    const close = s.indexOf('?>', p);
    if (close < 0 || close >= end) throw new XmlError('unterminated <?xml declaration', p);
    p = close + 2;
    skipSpace();
  }
  if (s.charCodeAt(p) !== 60 /* < */) throw new XmlError('expected <', p);

  while (p < end) {
    if (stack.length === 0 && root) {
      skipSpace();
      if (p < end) throw new XmlError('content after the root element', p);
      break;
    }
    const c = s.charCodeAt(p);
    if (c !== 60) {
      if (stack.length === 0) throw new XmlError('text outside the root element', p);
      let lt = s.indexOf('<', p);
      if (lt < 0 || lt > end) lt = end;
      addChild(decodeEntities(s, p, lt));
      p = lt;
      continue;
    }
    const next = s.charCodeAt(p + 1);
    if (next === 47 /* / */) {
      p += 2;
      const name = readName();
      skipSpace();
      if (s.charCodeAt(p) !== 62) throw new XmlError('expected > after closing tag name', p);
      p++;
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`</${name}> does not close <${open?.name ?? ''}>`, p);
      continue;
    }
    if (next === 33 /* ! */) {
      if (s.startsWith('<!--', p)) {
        const close = s.indexOf('-->', p + 4);
        if (close < 0 || close + 3 > end) throw new XmlError('unterminated comment', p);
        p = close + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', p) && stack.length > 0) {
        const close = s.indexOf(']]>', p + 9);
        if (close < 0 || close + 3 > end) throw new XmlError('unterminated CDATA section', p);
        addChild(s.slice(p + 9, close));
        p = close + 3;
        continue;
      }
      throw new XmlError('unsupported markup declaration', p);
    }
    if (next === 63 /* ? */) {
      const close = s.indexOf('?>', p + 2);
      if (close < 0 || close + 2 > end) throw new XmlError('unterminated processing instruction', p);
      p = close + 2;
      continue;
    }
    p++;
    const el: XmlElement = { name: readName(), attrs: [], children: [] };
    for (;;) {
      const before = p;
      skipSpace();
      const a = s.charCodeAt(p);
      if (a === 47 /* / */ || a === 62 /* > */ || p >= end) break;
      if (p === before) throw new XmlError('expected whitespace before an attribute', p);
      const name = readName();
      skipSpace();
      if (s.charCodeAt(p) !== 61 /* = */) throw new XmlError(`attribute ${name} without a value`, p);
      p++;
      skipSpace();
      const q = s.charCodeAt(p);
      if (q !== 34 && q !== 39) throw new XmlError(`attribute ${name} value is not quoted`, p);
      const close = s.indexOf(q === 34 ? '"' : "'", p + 1);
      if (close < 0 || close >= end) throw new XmlError(`unterminated value of attribute ${name}`, p);
      el.attrs.push([name, decodeEntities(s, p + 1, close)]);
      p = close + 1;
    }
    if (p >= end) throw new XmlError(`unterminated <${el.name}> tag`, p);
    addChild(el);
    if (!root) root = el;
    if (s.charCodeAt(p) === 47) {
      if (s.charCodeAt(p + 1) !== 62) throw new XmlError('expected /> ', p);
      p += 2;
      continue;
    }
    p++;
    if (stack.length >= MAX_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_DEPTH}`, p);
    stack.push(el);
  }
  if (!root) throw new XmlError('no root element', p);
  if (stack.length > 0) throw new XmlError(`unclosed <${stack[stack.length - 1]!.name}>`, p);
  return root;
}

/** The concatenated text children of an element. */
export function textOf(el: XmlElement): string {
  let t = '';
  for (const c of el.children) if (typeof c === 'string') t += c;
  return t;
}

/** The first child element with this name. */
export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name) return c;
  return undefined;
}

export function attr(el: XmlElement, name: string): string | undefined {
  for (const [k, v] of el.attrs) if (k === name) return v;
  return undefined;
}
