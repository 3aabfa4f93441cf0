/**
 * The resolved XML tree of one record: templates instantiated, substitutions replaced by
 * their values. Both renderers (evtx_dump-shaped JSON and Event Viewer-style XML) read it.
 *
 * Text and values are plain JS primitives so that building a record allocates little:
 * - string: character data (literal text, string values, and values whose rendering is
 *   text such as GUIDs, SIDs, hex integers, timestamps);
 * - number / boolean: integer and boolean values (rendered as JSON numbers/booleans when
 *   they are an element's or attribute's only content, as evtx_dump does).
 */

export interface XElement {
  readonly kind: 'element';
  name: string;
  attrs: XAttr[];
  children: XNode[];
}

export interface XAttr {
  name: string;
  value: XNode[];
}

export interface XCharRef {
  readonly kind: 'charref';
  code: number;
}

export interface XEntityRef {
  readonly kind: 'entity';
  name: string;
}

export interface XCData {
  readonly kind: 'cdata';
  text: string;
}

export interface XPi {
  readonly kind: 'pi';
  target: string;
  data: string;
}

export type XNode = XElement | string | number | boolean | XCharRef | XEntityRef | XCData | XPi;

export function isElement(n: XNode): n is XElement {
  return typeof n === 'object' && n.kind === 'element';
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/** Text of a non-element node as it reads in a document (entity and character references decoded). */
export function nodeText(n: XNode): string {
  switch (typeof n) {
    case 'string':
      return n;
    case 'number':
      return String(n);
    case 'boolean':
      return n ? 'true' : 'false';
    default:
      switch (n.kind) {
        case 'charref':
          return String.fromCodePoint(n.code <= 0x10ffff ? n.code : 0xfffd);
        case 'entity':
          return ENTITIES[n.name] ?? `&${n.name};`;
        case 'cdata':
          return n.text;
        default:
          return '';
      }
  }
}

/** True when a content node carries text (evtx_dump drops empty strings and empty optional values). */
export function hasText(n: XNode): boolean {
  if (typeof n === 'string') return n.length > 0;
  if (typeof n === 'number' || typeof n === 'boolean') return true;
  switch (n.kind) {
    case 'charref':
    case 'entity':
      return true;
    case 'cdata':
      return n.text.length > 0;
    default:
      return false;
  }
}
