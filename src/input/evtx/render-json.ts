/**
 * Renders a resolved record tree as the JSON object `evtx_dump -o json/jsonl` prints
 * (the shape the SigmaHQ regression data and most EVTX tooling expect):
 *
 * - `{"Event": {...}}`; an element with neither child elements nor attributes is its
 *   text, a JSON number/boolean when its only content is one integer/boolean value, or
 *   null when empty;
 * - attributes go under `#attributes` (empty ones are dropped), text beside child
 *   elements or attributes under `#text`;
 * - repeated child names get `_1`, `_2`, ... suffixes in document order;
 * - inside EventData/UserData, `<Data Name="X">` items become keys `X` (empty data is
 *   ""), and unnamed `<Data>` items become `"Data": {"#text": value-or-array}`.
 */
import { hasText, isElement, nodeText, type XElement, type XNode, type XAttr } from './tree.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Same limit as evtx_dump: names beyond the first 64 distinct ones are not suffixed. */
const MAX_UNIQUE_NAMES = 64;

export function recordToJson(root: XElement): JsonObject {
  const o: JsonObject = {};
  put(o, root.name, elementValue(root, false));
  return o;
}

function put(o: JsonObject, key: string, v: JsonValue): void {
  // a record could name an element "__proto__"; keep it an ordinary own property
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}

const isElem = isElement;

function hasElementChild(e: XElement): boolean {
  const c = e.children;
  for (let i = 0; i < c.length; i++) {
    const n = c[i]!;
    if (typeof n === 'object' && n.kind === 'element') return true;
  }
  return false;
}

function contentHasText(nodes: XNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (typeof n === 'string') {
      if (n.length > 0) return true;
    } else if (typeof n !== 'object' || (n.kind !== 'element' && hasText(n))) return true;
  }
  return false;
}

function attrsHaveText(attrs: XAttr[]): boolean {
  for (let i = 0; i < attrs.length; i++) if (contentHasText(attrs[i]!.value)) return true;
  return false;
}

function text(nodes: XNode[]): string {
  if (nodes.length === 1 && typeof nodes[0] === 'string') return nodes[0];
  let s = '';
  for (const n of nodes) if (!isElem(n)) s += nodeText(n);
  return s;
}

/** evtx_dump (since 0.8.5) drops trailing whitespace from JSON string values, not from XML. */
function textValue(nodes: XNode[]): string {
  const s = text(nodes);
  const last = s.charCodeAt(s.length - 1);
  // only pay for trimEnd when the last character could be whitespace
  return last <= 0x20 || last >= 0x80 ? s.trimEnd() : s;
}

/** One integer/boolean value alone is a JSON number/boolean; anything else is text. */
function contentValue(nodes: XNode[]): JsonValue {
  if (nodes.length === 1) {
    const n = nodes[0]!;
    if (typeof n === 'number' || typeof n === 'boolean') return n;
  }
  return textValue(nodes);
}

function contentValueSkipElements(nodes: XNode[]): JsonValue {
  let single: XNode | undefined;
  let count = 0;
  for (const n of nodes) {
    if (isElem(n) || !hasText(n)) continue;
    single = n;
    count++;
  }
  if (count === 1 && (typeof single === 'number' || typeof single === 'boolean')) return single;
  return textValue(nodes);
}

function elementValue(e: XElement, isContainer: boolean): JsonValue {
  if (e.attrs.length === 0 || !attrsHaveText(e.attrs)) {
    if (!hasElementChild(e)) return contentHasText(e.children) ? contentValue(e.children) : null;
  }
  return body(e, isContainer);
}

function dataValue(e: XElement): JsonValue {
  if (hasElementChild(e)) return body(e, false);
  if (!contentHasText(e.children)) return '';
  return contentValue(e.children);
}

function nameAttr(e: XElement): XAttr | undefined {
  const a = e.attrs;
  for (let i = 0; i < a.length; i++) if (a[i]!.name === 'Name') return a[i];
  return undefined;
}

function body(e: XElement, inDataContainer: boolean): JsonObject {
  const o: JsonObject = {};
  if (e.attrs.length > 0) {
    let attrs: JsonObject | undefined;
    for (const a of e.attrs) {
      if (!contentHasText(a.value)) continue;
      attrs ??= {};
      put(attrs, a.name, contentValue(a.value));
    }
    if (attrs) o['#attributes'] = attrs;
  }
  const children = e.children;
  if (contentHasText(children)) o['#text'] = contentValueSkipElements(children);

  let flattenNamed = false;
  let positional = 0;
  if (inDataContainer) {
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (typeof c !== 'object' || c.kind !== 'element' || c.name !== 'Data') continue;
      positional++;
      if (!flattenNamed) {
        const na = nameAttr(c);
        if (na && contentHasText(na.value)) flattenNamed = true;
      }
    }
  }
  let positionalDone = false;
  // names seen among the children and their next suffix; few, so flat arrays beat a Map
  let seenNames: string[] | undefined;
  let seenNext: number[] | undefined;

  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (typeof c !== 'object' || c.kind !== 'element') continue;
    const name = c.name;
    if (inDataContainer && name === 'Data') {
      if (flattenNamed) {
        const na = nameAttr(c);
        if (!na || !contentHasText(na.value)) continue;
        put(o, text(na.value), dataValue(c));
      } else if (!positionalDone) {
        positionalDone = true;
        let v: JsonValue;
        if (positional === 1) v = dataValue(c);
        else {
          const items: JsonValue[] = [];
          for (const d of children) if (isElem(d) && d.name === 'Data') items.push(dataValue(d));
          v = items;
        }
        o['Data'] = { '#text': v };
      }
      continue;
    }
    seenNames ??= [];
    seenNext ??= [];
    const at = seenNames.indexOf(name);
    let key = name;
    if (at >= 0) {
      key = `${name}_${seenNext[at]!}`;
      seenNext[at]!++;
    } else if (seenNames.length < MAX_UNIQUE_NAMES) {
      seenNames.push(name);
      seenNext.push(1);
    }
    put(o, key, elementValue(c, name === 'EventData' || name === 'UserData'));
  }
  return o;
}
