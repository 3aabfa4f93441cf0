/** Deep links: every view and its filters live in the URL's hash (#/detections?level=high). */
export interface Route {
  view: string;
  id?: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const path = q < 0 ? h : h.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  const [view, ...rest] = path.split('/');
  const id = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  return { view: view || 'incidents', id, params };
}

export function routeHash(view: string, id?: string, params?: Record<string, string | number | undefined>): string {
  let s = `#/${view}`;
  if (id !== undefined) s += `/${encodeURIComponent(id)}`;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${s}?${qs}` : s;
}

/** Replaces the URL's filters without a new history entry or a re-render. */
export function replaceParams(view: string, id: string | undefined, params: Record<string, string | number | undefined>): void {
  history.replaceState(null, '', routeHash(view, id, params));
}
