/** Each source's health (last event, lag, errors, events/s) and the rules that failed to load. */
import type { Backend } from '../backend';
import { h } from '../dom';
import { count, msToIso } from '../format';
import type { Route } from '../route';
import type { ViewHandle } from './incidents';

export function sourcesView(_route: Route, backend: Backend): ViewHandle {
  const body = h('tbody');
  const problems = h('ul', { className: 'problems' });
  const load = async (): Promise<void> => {
    const list = await backend.sources();
    body.replaceChildren(
      ...list.map((s) =>
        h(
          'tr',
          { className: `source state-${s.state === 'failed' ? 'failed' : s.state === 'running' ? 'running' : 'other'}` },
          h('td', null, s.name),
          h('td', null, s.kind),
          h('td', null, s.state),
          h('td', null, msToIso(s.lastEventAt)),
          h('td', { className: 'num' }, s.lag === undefined ? '—' : `${count(s.lag)} ${s.lagUnit ?? ''}`),
          h('td', { className: 'num' }, count(s.events)),
          h('td', { className: 'num' }, s.eventsPerSecond.toFixed(1)),
          h('td', { className: 'num' }, count(s.errors)),
          h('td', null, s.lastError ?? ''),
        ),
      ),
    );
    problems.replaceChildren(...backend.ruleProblems().map((p) => h('li', null, `${p.file ?? ''}${p.line ? `:${p.line}` : ''} ${p.message ?? JSON.stringify(p)}`)));
    if (!problems.firstChild) problems.appendChild(h('li', null, 'All rules loaded.'));
  };
  load().catch((e: Error) => body.replaceChildren(h('tr', null, h('td', null, `Could not load sources: ${e.message}`))));
  const el = h(
    'div',
    { className: 'view sources' },
    h('h1', null, 'Sources'),
    h(
      'table',
      { className: 'list' },
      h('thead', null, h('tr', null, ...['Source', 'Kind', 'State', 'Last event', 'Lag', 'Events', 'Events/s', 'Errors', 'Last error'].map((t) => h('th', null, t)))),
      body,
    ),
    h('h2', null, 'Rules that failed to load'),
    problems,
  );
  return { el, refresh: load };
}
