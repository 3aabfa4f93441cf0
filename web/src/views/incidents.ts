/** The incidents list: severity, host, techniques, first/last seen, size, status; filters in the URL. */
import type { Backend } from '../backend';
import { h, routeLink } from '../dom';
import { count, isoShort, levelBadge } from '../format';
import { type IncidentRec, LEVELS, TRIAGES } from '../model';
import { type Route, replaceParams, routeHash } from '../route';

export interface ViewHandle {
  el: HTMLElement;
  /** Called on a live update; the view re-reads what it shows. */
  refresh?: () => Promise<void>;
}

export function filterBar(fields: { name: string; label: string; value: string; options?: readonly string[] }[], onChange: (values: Record<string, string>) => void): HTMLElement {
  const inputs: Record<string, HTMLInputElement | HTMLSelectElement> = {};
  const form = h('form', { className: 'filters', attrs: { role: 'search' } });
  for (const f of fields) {
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.options) {
      input = h(
        'select',
        { attrs: { name: f.name, 'aria-label': f.label } },
        h('option', { attrs: { value: '' } }, `any ${f.label}`),
        ...f.options.map((o) => h('option', { attrs: { value: o } }, o)),
      );
    } else {
      input = h('input', { attrs: { name: f.name, type: 'search', placeholder: f.label, 'aria-label': f.label } });
    }
    input.value = f.value;
    inputs[f.name] = input;
    form.appendChild(h('label', null, input));
  }
  const fire = (): void => onChange(Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()])));
  form.addEventListener('change', fire);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    fire();
  });
  return form;
}

export function incidentsView(route: Route, backend: Backend): ViewHandle {
  const filter = {
    level: route.params.get('level') ?? '',
    host: route.params.get('host') ?? '',
    technique: route.params.get('technique') ?? '',
    triage: route.params.get('triage') ?? '',
  };
  const body = h('tbody');
  const status = h('p', { className: 'status' });
  const seen = new Set<string>();
  let first = true;
  const load = async (): Promise<void> => {
    let list: IncidentRec[];
    try {
      list = await backend.incidents(filter);
    } catch (e) {
      status.textContent = `Could not load incidents: ${(e as Error).message}`;
      return;
    }
    status.textContent = `${count(list.length)} incident${list.length === 1 ? '' : 's'}`;
    body.replaceChildren(
      ...list.map((i) => {
        const fresh = !first && !seen.has(i.id);
        seen.add(i.id);
        return h(
          'tr',
          { className: fresh ? 'incident-row fresh' : 'incident-row', attrs: { 'data-incident': i.id } },
          h('td', null, levelBadge(i.severity)),
          h('td', null, routeLink(routeHash('incident', i.id), i.host ?? '(unknown host)')),
          h('td', null, i.techniques.join(', ')),
          h('td', null, isoShort(i.start)),
          h('td', null, isoShort(i.end)),
          h('td', { className: 'num' }, count(i.memberCount)),
          h('td', null, i.triage ?? i.status ?? ''),
        );
      }),
    );
    first = false;
  };
  const el = h(
    'div',
    { className: 'view incidents' },
    h('h1', null, 'Incidents'),
    filterBar(
      [
        { name: 'level', label: 'severity', value: filter.level, options: LEVELS },
        { name: 'host', label: 'host', value: filter.host },
        { name: 'technique', label: 'technique (T1505.003)', value: filter.technique },
        ...(backend.mode === 'live' ? [{ name: 'triage', label: 'status', value: filter.triage, options: TRIAGES }] : []),
      ],
      (v) => {
        Object.assign(filter, v);
        replaceParams('incidents', undefined, filter);
        void load();
      },
    ),
    status,
    h(
      'table',
      { className: 'list' },
      h('thead', null, h('tr', null, ...['Severity', 'Host', 'Techniques', 'First seen', 'Last seen', 'Detections', 'Status'].map((t) => h('th', null, t)))),
      body,
    ),
  );
  void load();
  return { el, refresh: load };
}
