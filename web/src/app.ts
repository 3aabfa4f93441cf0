/**
 * The console's shell: a report (data embedded in the page) or the live service (token in
 * session storage only), navigation, themes, the hash router and live updates: the service's
 * live feed says when something was committed and the open view re-reads its data (at most
 * once a second), so a new incident appears without a reload; while the feed is down, and for
 * the health page, the view is re-read on a timer instead.
 */
import { ApiBackend, ApiError, type Backend, ReportBackend } from './backend';
import { h } from './dom';
import type { ReportData } from './model';
import { followLive, type LiveState } from './live';
import { parseRoute } from './route';
import { coverageView } from './views/coverage';
import { detectionsView } from './views/detections';
import { findingsView } from './views/findings';
import { incidentView } from './views/incident';
import { incidentsView, type ViewHandle } from './views/incidents';
import { sourcesView } from './views/sources';

const TOKEN_KEY = 'warden.token';
const THEME_KEY = 'warden.theme';
/** Re-read period while the live feed is down, and for the sources page (health changes without commits). */
const POLL_EVERY_MS = 3000;
/** Re-read period while the live feed is up (a safety net, not the mechanism). */
const POLL_LIVE_EVERY_MS = 30_000;
/** The open view is re-read at most this often however fast commits arrive. */
const REFRESH_MIN_MS = 1000;

const VIEWS: Record<string, (r: ReturnType<typeof parseRoute>, b: Backend) => ViewHandle> = {
  incidents: incidentsView,
  incident: incidentView,
  detections: detectionsView,
  files: findingsView,
  coverage: coverageView,
  sources: sourcesView,
};

function applyTheme(theme: string): void {
  document.documentElement.dataset.theme = theme === 'light' ? 'light' : 'dark';
}

function savedTheme(): string {
  try {
    return localStorage.getItem(THEME_KEY) ?? 'dark';
  } catch {
    return 'dark';
  }
}

function shell(backend: Backend, title: string, onLogout?: () => void, token?: string): void {
  const main = h('main', { attrs: { id: 'main' } });
  const navItems: [string, string][] = [
    ['incidents', 'Incidents'],
    ['detections', 'Detections'],
  ];
  if (backend.mode === 'live' || (backend instanceof ReportBackend && backend.data.findings?.length)) navItems.push(['files', 'Files']);
  if (backend.mode === 'live') navItems.push(['coverage', 'Coverage'], ['sources', 'Sources']);
  const links = navItems.map(([v, label]) => {
    const a = h('a', { attrs: { 'data-view': v } }, label);
    a.href = `#/${v}`;
    return a;
  });
  const theme = h('button', { attrs: { type: 'button', 'aria-label': 'switch theme' } }, 'Theme');
  theme.addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'light' ? 'dark' : 'light';
    applyTheme(next);
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // private mode: the theme just is not remembered
    }
  });
  const logout = onLogout ? h('button', { attrs: { type: 'button' } }, 'Log out') : null;
  logout?.addEventListener('click', onLogout!);
  const liveBadge = backend.mode === 'live' ? h('span', { className: 'live-state', attrs: { 'data-state': 'connecting', title: 'live updates' } }, 'connecting') : null;
  const header = h(
    'header',
    { className: 'top' },
    h('span', { className: 'brand' }, title),
    h('nav', null, ...links),
    h('span', { className: 'spacer' }),
    liveBadge,
    theme,
    logout,
  );
  document.body.replaceChildren(header, main);

  let current: ViewHandle | undefined;
  let currentKey = '';
  const render = (): void => {
    const route = parseRoute(location.hash);
    const make = VIEWS[route.view] ?? incidentsView;
    // filters change the URL with replaceState and re-render in place; a new view or id re-builds
    const key = `${route.view}/${route.id ?? ''}`;
    if (key === currentKey && current && route.view !== 'detections') return;
    currentKey = key;
    for (const a of links) a.classList.toggle('active', a.dataset.view === (route.view === 'incident' ? 'incidents' : route.view));
    current = make(route, backend);
    main.replaceChildren(current.el);
  };
  window.addEventListener('hashchange', render);
  render();
  if (backend.mode === 'live') {
    let state: LiveState = 'connecting';
    let lastRefresh = Date.now();
    let queued: ReturnType<typeof setTimeout> | undefined;
    const refresh = (): void => {
      if (queued) return;
      const wait = Math.max(0, lastRefresh + REFRESH_MIN_MS - Date.now());
      queued = setTimeout(() => {
        queued = undefined;
        lastRefresh = Date.now();
        if (document.visibilityState !== 'hidden') current?.refresh?.().catch(() => undefined);
      }, wait);
    };
    if (token)
      followLive(
        token,
        () => refresh(),
        (s) => {
          state = s;
          if (liveBadge) {
            liveBadge.dataset.state = s;
            liveBadge.textContent = s === 'live' ? 'live' : s === 'down' ? 'offline (polling)' : 'connecting';
          }
        },
      );
    setInterval(() => {
      const every = state === 'live' && parseRoute(location.hash).view !== 'sources' ? POLL_LIVE_EVERY_MS : POLL_EVERY_MS;
      if (Date.now() - lastRefresh >= every) refresh();
    }, POLL_EVERY_MS);
  }
}

function loginForm(message?: string): void {
  const input = h('input', { attrs: { type: 'password', name: 'token', autocomplete: 'off', 'aria-label': 'API token', placeholder: 'API token' } });
  const msg = h('p', { className: 'status login-message' }, message ?? '');
  const form = h(
    'form',
    { className: 'login' },
    h('h1', null, 'Warden'),
    h('p', null, 'Log in with an API token (make one with `warden token create --role read`).'),
    input,
    h('button', { attrs: { type: 'submit' } }, 'Log in'),
    msg,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.textContent = 'checking…';
    void startLive(input.value.trim());
  });
  document.body.replaceChildren(form);
  input.focus();
}

async function startLive(token: string): Promise<void> {
  if (!token) return loginForm();
  const api = new ApiBackend(token);
  try {
    await api.login();
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    return loginForm(e instanceof ApiError && e.status === 401 ? 'That token is unknown or was revoked.' : `Cannot reach the service: ${(e as Error).message}`);
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  shell(
    api,
    'Warden',
    () => {
      sessionStorage.removeItem(TOKEN_KEY);
      location.hash = '';
      location.reload();
    },
    token,
  );
}

export function boot(): void {
  applyTheme(savedTheme());
  const embedded = document.getElementById('warden-data');
  if (embedded && embedded.getAttribute('type') === 'application/json') {
    let data: ReportData;
    try {
      data = JSON.parse(embedded.textContent ?? '') as ReportData;
    } catch (e) {
      document.body.replaceChildren(h('p', null, `This report's data cannot be read: ${(e as Error).message}`));
      return;
    }
    shell(new ReportBackend(data), data.title || 'Warden report');
    return;
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) void startLive(token);
  else loginForm();
}
