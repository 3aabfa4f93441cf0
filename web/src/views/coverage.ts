/**
 * The T1505 matrix: sub-techniques × data sources, coloured by how many rules cover each cell;
 * gaps marked; columns whose data source the service received in the last RECENT_MS marked as
 * fed (the others are covered on paper only); a Navigator layer to download.
 */
import type { Backend } from '../backend';
import { h } from '../dom';
import type { CoverageDoc, SourceHealth } from '../model';
import type { Route } from '../route';
import type { ViewHandle } from './incidents';

/** A data source counts as received "now" when an event of it arrived this recently. */
const RECENT_MS = 15 * 60_000;

/** An ATT&CK Navigator layer from the matrix: score = rules covering the technique. */
export function navigatorLayer(doc: CoverageDoc): unknown {
  const scores = new Map<string, Set<string>>();
  for (const t of doc.techniques) {
    const ids = scores.get(t.techniqueId) ?? new Set<string>();
    for (const cell of Object.values(t.dataSources)) for (const r of cell.rules) ids.add(r);
    scores.set(t.techniqueId, ids);
  }
  return {
    name: 'Warden coverage',
    versions: { layer: '4.5', navigator: '5.1.0', attack: '16' },
    domain: 'enterprise-attack',
    techniques: [...scores].map(([techniqueID, ids]) => ({ techniqueID, score: ids.size, comment: `${ids.size} rules` })),
    gradient: { colors: ['#ffffff', '#66b1ff'], minValue: 0, maxValue: Math.max(1, ...[...scores.values()].map((s) => s.size)) },
  };
}

export function coverageView(_route: Route, backend: Backend): ViewHandle {
  const el = h('div', { className: 'view coverage' }, h('h1', null, 'Coverage'), h('p', { className: 'status' }, 'loading…'));
  Promise.all([backend.coverage(), backend.sources().catch((): SourceHealth[] => [])])
    .then(([doc, sources]) => {
      el.lastChild?.remove();
      if (!doc) {
        el.appendChild(h('p', { className: 'status' }, 'The service does not report coverage.'));
        return;
      }
      const receiving = new Set(sources.filter((s) => s.state === 'running' && s.events > 0).map((s) => s.kind));
      const fed = new Set(
        Object.entries(doc.receiving ?? {})
          .filter(([, iso]) => Date.now() - Date.parse(iso) <= RECENT_MS)
          .map(([id]) => id),
      );
      const live = doc.receiving !== undefined;
      const fedTitle = (id: string): string =>
        !live ? '' : fed.has(id) ? `receiving now (last event ${doc.receiving?.[id]})` : doc.receiving?.[id] ? `no event since ${doc.receiving[id]}` : 'no event received';
      const table = h(
        'table',
        { className: 'matrix' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Technique'),
            ...doc.dataSources.map((c) =>
              h('th', { className: live ? (fed.has(c.id) ? 'fed' : 'unfed') : '', title: `${c.name}${live ? `: ${fedTitle(c.id)}` : ''}`, attrs: { 'data-source': c.id } }, c.name),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          ...doc.techniques.map((t) =>
            h(
              'tr',
              null,
              h('th', null, `${t.id} ${t.name}`),
              ...doc.dataSources.map((c) => {
                const cell = t.dataSources[c.id];
                const n = cell ? cell.builtin + cell.user : 0;
                const cls = n === 0 ? (cell?.expected ? 'gap' : 'none') : n < 3 ? 'some' : 'many';
                const feed = live && n > 0 ? (fed.has(c.id) ? ' fed' : ' unfed') : '';
                const title = [cell?.rules.join('\n') ?? '', live && n > 0 ? fedTitle(c.id) : ''].filter(Boolean).join('\n');
                return h('td', { className: `cell ${cls}${feed}`, title }, n ? String(n) : cell?.expected ? 'gap' : '');
              }),
            ),
          ),
        ),
      );
      const download = h('button', { attrs: { type: 'button' } }, 'Download ATT&CK Navigator layer');
      download.addEventListener('click', () => {
        const blob = new Blob([JSON.stringify(navigatorLayer(doc), null, 2)], { type: 'application/json' });
        const a = h('a', { attrs: { download: 'warden-coverage-layer.json' } });
        a.href = URL.createObjectURL(blob);
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      });
      const fedNote = live
        ? ` Data sources received in the last 15 minutes (marked ●; covered cells without it are covered on paper only): ${
            doc.dataSources
              .filter((c) => fed.has(c.id))
              .map((c) => c.name)
              .join(', ') || 'none'
          }.`
        : '';
      el.append(
        h('p', { className: 'coverage-note' }, `${doc.gaps.length} expected cells have no rule. Sources receiving events now: ${[...receiving].join(', ') || 'none'}.${fedNote}`),
        table,
        download,
      );
    })
    .catch((e: Error) => el.replaceChildren(h('p', { className: 'status' }, `Could not load coverage: ${e.message}`)));
  return { el };
}
