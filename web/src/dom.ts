/**
 * The only way the console puts anything on the page: elements built with DOM calls and text
 * set as text. Every string shown came from a log, a file or a rule and is attacker-controlled,
 * so nothing here ever parses markup (no innerHTML, no insertAdjacentHTML, no document.write),
 * and a link keeps its href only when it is plainly http(s).
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  className?: string;
  title?: string;
  /** Safe attributes only (id, role, aria-*, data-*, type, value, placeholder, ...): never event handlers or style. */
  attrs?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (e: Event) => void>>;
}

const UNSAFE_ATTR = /^(on|style$|srcdoc$|src$|href$|action$|formaction$|xlink:href$)/i;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.className) el.className = props.className;
    if (props.title !== undefined) el.title = props.title;
    if (props.attrs)
      for (const [k, v] of Object.entries(props.attrs)) {
        // a programming error, not data: refuse loudly rather than open a hole
        if (UNSAFE_ATTR.test(k)) throw new Error(`h(): attribute ${k} is not allowed`);
        el.setAttribute(k, v);
      }
    if (props.on) for (const [k, f] of Object.entries(props.on)) if (f) el.addEventListener(k, f as EventListener);
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** An http(s) URL as given, or undefined: `javascript:`, `data:` and relative URLs are never made into links. */
export function safeHttpUrl(u: string): string | undefined {
  const t = u.trim();
  if (!/^https?:\/\/[^\s]+$/i.test(t)) return undefined;
  try {
    const parsed = new URL(t);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link for a safe URL (opened without referrer or opener), plain text otherwise. */
export function link(url: string, text?: string): HTMLElement {
  const safe = safeHttpUrl(url);
  if (!safe) return h('span', { className: 'unsafe-url', title: 'not an http(s) link; shown as text' }, text ?? url);
  const a = h('a', { attrs: { rel: 'noopener noreferrer nofollow', target: '_blank' } }, text ?? url);
  a.href = safe;
  return a;
}

/** A link inside the console (hash route); the route is built by the console, data only in encoded parts. */
export function routeLink(hash: string, ...children: (Child | Child[])[]): HTMLAnchorElement {
  const a = h('a', { className: 'route' }, ...children);
  a.href = hash;
  return a;
}
