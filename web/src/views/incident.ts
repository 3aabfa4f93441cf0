/**
 * One incident: its header, the analyst's status and note, and the time line of its members
 * on one time axis in lanes by host and source (web log, Sysmon, scanner ...). Each member
 * opens to the full detection: its event, its origin and, for correlations, the detections it
 * joined.
 */
import type { Backend } from '../backend';
import { clear, h } from '../dom';
import { count, isoShort, levelBadge } from '../format';
import { type DetectionRec, type IncidentRec, type TimelineEntry, TRIAGES } from '../model';
import type { Route } from '../route';
import { detectionDetail, originText } from './detection-detail';
import type { ViewHandle } from './incidents';
import { filterSuggestion } from '../fp-filter';

interface Lane {
  key: string;
  host: string;
  source: string;
  members: TimelineEntry[];
}

function timeOf(e: TimelineEntry): number {
  const t = e.timestamp ? Date.parse(e.timestamp) : Number.NaN;
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
}

/** Members in time order (then id, as the service stores them). */
export function ordered(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return [...timeline].sort((a, b) => timeOf(a) - timeOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function lanesOf(inc: IncidentRec, members: TimelineEntry[], details: Map<string, DetectionRec>): Lane[] {
  const lanes = new Map<string, Lane>();
  for (const m of members) {
    const host = details.get(m.id)?.host ?? inc.host ?? '(unknown host)';
    const source = m.kind === 'correlation' ? 'correlation' : (m.source.format ?? 'events');
    const key = `${host}\u0000${source}`;
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = { key, host, source, members: [] }));
    lane.members.push(m);
  }
  return [...lanes.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.source < b.source ? -1 : 1));
}

function axis(lanes: Lane[], min: number, max: number, onPick: (id: string) => void): HTMLElement {
  const span = Math.max(1, max - min);
  return h(
    'div',
    { className: 'timeline-axis' },
    ...lanes.map((lane) => {
      const track = h('div', { className: 'lane-track' });
      for (const m of lane.members) {
        const t = timeOf(m);
        const dot = h('button', { className: `dot level-${m.level}`, title: `${isoShort(m.timestamp)} ${m.title}`, attrs: { type: 'button', 'data-member': m.id } });
        dot.style.left = `${Number.isFinite(t) ? ((t - min) / span) * 100 : 100}%`;
        dot.addEventListener('click', () => onPick(m.id));
        track.appendChild(dot);
      }
      return h('div', { className: 'lane' }, h('div', { className: 'lane-name' }, h('strong', null, lane.host), ' · ', lane.source), track);
    }),
    h('div', { className: 'axis-ends' }, h('span', null, new Date(min).toISOString()), h('span', null, new Date(max).toISOString())),
  );
}

function triageForm(inc: IncidentRec, backend: Backend, details: ReadonlyMap<string, DetectionRec>): HTMLElement {
  const select = h('select', { attrs: { name: 'triage', 'aria-label': 'status' } }, ...TRIAGES.map((t) => h('option', { attrs: { value: t } }, t.replace('_', ' '))));
  select.value = inc.triage && TRIAGES.includes(inc.triage as never) ? inc.triage : 'new';
  const note = h('textarea', { attrs: { name: 'note', rows: '3', 'aria-label': 'note', placeholder: 'note for the team' } });
  note.value = inc.note ?? '';
  const msg = h('span', { className: 'status' });
  // a false positive can become a Sigma filter the analyst reviews and deploys
  const suggest = h('button', { className: 'fp-filter', attrs: { type: 'button' } }, 'Download Sigma filter suggestion');
  const showSuggest = (): void => {
    suggest.hidden = select.value !== 'false_positive';
  };
  showSuggest();
  select.addEventListener('change', showSuggest);
  suggest.addEventListener('click', () => {
    const blob = new Blob([filterSuggestion(inc, details, note.value)], { type: 'application/yaml' });
    const a = h('a', { attrs: { download: `warden-fp-filter-${inc.id.replace(/[^A-Za-z0-9_-]/g, '_')}.yml` } });
    a.href = URL.createObjectURL(blob);
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  const form = h(
    'form',
    { className: 'triage' },
    h('label', null, 'Status ', select),
    h('label', null, 'Note ', note),
    h('button', { attrs: { type: 'submit' } }, 'Save'),
    suggest,
    msg,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.textContent = 'saving…';
    backend.setTriage(inc.id, select.value, note.value).then(
      () => {
        msg.textContent = 'saved';
      },
      (err: Error) => {
        msg.textContent = `not saved: ${err.message}`;
      },
    );
  });
  return form;
}

export function incidentView(route: Route, backend: Backend): ViewHandle {
  const el = h('div', { className: 'view incident' }, h('p', { className: 'status' }, 'loading…'));
  const load = async (): Promise<void> => {
    const inc = route.id ? await backend.incident(route.id) : undefined;
    clear(el);
    if (!inc) {
      el.appendChild(h('p', { className: 'status' }, `No incident ${route.id ?? ''}`));
      return;
    }
    const members = ordered(inc.timeline ?? []);
    // details give each member its host (lanes) and its event; a big incident shows its first 300
    const details = new Map<string, DetectionRec>();
    await Promise.all(
      members.slice(0, 300).map(async (m) => {
        const d = await backend.detection(m.id).catch(() => undefined);
        if (d) details.set(m.id, d);
      }),
    );
    const times = members.map(timeOf).filter(Number.isFinite);
    const min = times.length ? Math.min(...times) : 0;
    const max = times.length ? Math.max(...times) : 1;
    const lanes = lanesOf(inc, members, details);
    const rows = new Map<string, HTMLElement>();
    const open = (id: string): void => {
      const row = rows.get(id);
      if (!row) return;
      row.querySelector('details')?.setAttribute('open', '');
      row.scrollIntoView({ block: 'nearest' });
    };
    const list = h(
      'ol',
      { className: 'timeline' },
      ...members.map((m) => {
        const d = details.get(m.id);
        const body = h('div', { className: 'member-body' });
        const det = h(
          'details',
          null,
          h(
            'summary',
            null,
            h('span', { className: 'time' }, isoShort(m.timestamp)),
            ' ',
            levelBadge(m.level),
            ' ',
            h('span', { className: 'kind' }, m.kind),
            ' ',
            h('span', { className: 'member-title' }, m.title),
            ' ',
            h('span', { className: 'member-host' }, d?.host ?? inc.host ?? ''),
            ' ',
            h('span', { className: 'origin' }, originText(m.source)),
            ' ',
            h('span', { className: 'author' }, `by ${m.author}`),
          ),
          body,
        );
        det.addEventListener('toggle', () => {
          if (!det.open || body.firstChild) return;
          const show = (x: DetectionRec | undefined): void => {
            body.replaceChildren(x ? detectionDetail(x, backend) : h('p', null, 'This detection is no longer in the store.'));
          };
          if (d) show(d);
          else void backend.detection(m.id).then(show);
        });
        const li = h('li', { className: 'member', attrs: { 'data-member': m.id } }, det);
        rows.set(m.id, li);
        return li;
      }),
    );
    el.replaceChildren(
      h('h1', null, levelBadge(inc.severity), ' Incident on ', h('span', { className: 'incident-host' }, inc.host ?? '(unknown host)')),
      h(
        'dl',
        { className: 'facts' },
        h('dt', null, 'Id'),
        h('dd', null, h('code', null, inc.id)),
        h('dt', null, 'Time'),
        h('dd', null, `${isoShort(inc.start)} — ${isoShort(inc.end)}`),
        h('dt', null, 'Techniques'),
        h('dd', null, ...inc.techniques.map((t) => h('span', { className: 'tag technique' }, t))),
        h('dt', null, 'Users'),
        h('dd', null, inc.users.join(', ') || '—'),
        h('dt', null, 'Detections'),
        h('dd', null, count(inc.memberCount)),
        h('dt', null, 'Events'),
        h('dd', null, count(inc.evidenceCount)),
        inc.maxLevel && inc.maxLevel !== inc.severity ? [h('dt', null, 'Raised'), h('dd', null, `from ${inc.maxLevel}: techniques chained`)] : null,
      ),
      backend.mode === 'live' ? triageForm(inc, backend, details) : '',
      h('h2', null, 'Time line'),
      axis(lanes, min, max, open),
      list,
    );
  };
  load().catch((e: Error) => el.replaceChildren(h('p', { className: 'status' }, `Could not load the incident: ${e.message}`)));
  return { el };
}
