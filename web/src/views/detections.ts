/**
 * The detections table: the API's filters (level, host, text, time range) in the URL, a
 * histogram by level over time that selects a range when dragged, a virtualized list that
 * loads the next page as the end comes into sight, and the selected detection in a side pane.
 */
import type { Backend } from '../backend';
import { h } from '../dom';
import { count, isoShort } from '../format';
import { Histogram } from '../histogram';
import { type DetectionFilter, type DetectionRec, LEVELS } from '../model';
import { type Route, replaceParams } from '../route';
import { VirtualList } from '../virtual-list';
import { detectionDetail, originText } from './detection-detail';
import { filterBar, type ViewHandle } from './incidents';

const MAX_ROWS = 200_000;

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function detectionsView(route: Route, backend: Backend): ViewHandle {
  const filter: DetectionFilter = {
    level: route.params.get('level') ?? undefined,
    host: route.params.get('host') ?? undefined,
    text: route.params.get('text') ?? undefined,
    from: num(route.params.get('from')),
    to: num(route.params.get('to')),
  };
  let selectedId = route.params.get('d') ?? undefined;
  const params = (): Record<string, string | number | undefined> => ({ ...filter, d: selectedId });
  const status = h('p', { className: 'status' });
  const pane = h('aside', { className: 'pane' }, h('p', { className: 'hint' }, 'Select a detection to see its event and rule.'));
  let items: DetectionRec[] = [];
  let cursor: string | null = null;
  let loading = false;
  let generation = 0;

  const showDetail = (d: DetectionRec | undefined): void => {
    pane.replaceChildren(d ? detectionDetail(d, backend) : h('p', { className: 'hint' }, 'No such detection.'));
  };
  const list = new VirtualList<DetectionRec>({
    rowHeight: 26,
    make: () =>
      h(
        'div',
        { className: 'drow' },
        h('span', { className: 'c-time' }),
        h('span', { className: 'c-level' }),
        h('span', { className: 'c-host' }),
        h('span', { className: 'c-title' }),
        h('span', { className: 'c-origin' }),
      ),
    fill: (row, d) => {
      const c = row.children;
      c[0]!.textContent = isoShort(d.timestamp);
      c[1]!.textContent = d.rule.level;
      c[1]!.className = `c-level badge level-${LEVELS.includes(d.rule.level as never) ? d.rule.level : 'unknown'}`;
      c[2]!.textContent = d.host ?? '';
      c[3]!.textContent = d.rule.title;
      c[4]!.textContent = originText(d.source);
      row.dataset.id = d.id;
    },
    nearEnd: () => void more(),
    onSelect: (d) => {
      selectedId = d.id;
      replaceParams('detections', undefined, params());
      showDetail(d);
      // the full record says which fields made the rule match (the list rows do not carry it)
      if (backend.mode === 'live')
        void backend
          .detection(d.id)
          .then((full) => {
            if (full?.matched && selectedId === d.id) showDetail(full);
          })
          .catch(() => undefined);
    },
  });
  const histogram = new Histogram((range) => {
    filter.from = range ? Math.floor(range[0]) : undefined;
    filter.to = range ? Math.ceil(range[1]) : undefined;
    replaceParams('detections', undefined, params());
    void reload();
  });

  const summarize = (): void => {
    status.textContent = `${count(items.length)}${cursor ? '+' : ''} detection${items.length === 1 ? '' : 's'}${cursor ? ' (more load as you scroll)' : ''}`;
    histogram.set(
      (function* () {
        for (const d of items) yield { time: d.timestamp ? Date.parse(d.timestamp) : Number.NaN, level: d.rule.level };
      })(),
      filter.from !== undefined && filter.to !== undefined ? [filter.from, filter.to] : undefined,
    );
  };

  async function more(): Promise<void> {
    if (loading || !cursor || items.length >= MAX_ROWS) return;
    loading = true;
    const g = generation;
    try {
      const page = await backend.detections(filter, cursor);
      if (g !== generation) return;
      items = items.concat(page.items);
      cursor = page.next;
      list.setItems(items, true);
      summarize();
    } catch (e) {
      status.textContent = `Could not load detections: ${(e as Error).message}`;
    } finally {
      loading = false;
    }
  }

  async function reload(): Promise<void> {
    const g = ++generation;
    loading = true;
    status.textContent = 'loading…';
    try {
      const page = await backend.detections(filter, null);
      if (g !== generation) return;
      items = page.items;
      cursor = page.next;
      list.setItems(items);
      summarize();
      el.dataset.ready = String(g);
    } catch (e) {
      status.textContent = `Could not load detections: ${(e as Error).message}`;
    } finally {
      if (g === generation) loading = false;
    }
  }

  const el = h(
    'div',
    { className: 'view detections' },
    h('h1', null, 'Detections'),
    filterBar(
      [
        { name: 'level', label: 'level (at least)', value: filter.level ?? '', options: LEVELS },
        { name: 'host', label: 'host', value: filter.host ?? '' },
        { name: 'text', label: 'text', value: filter.text ?? '' },
      ],
      (v) => {
        filter.level = v.level || undefined;
        filter.host = v.host || undefined;
        filter.text = v.text || undefined;
        replaceParams('detections', undefined, params());
        void reload();
      },
    ),
    histogram.el,
    status,
    h(
      'div',
      { className: 'split' },
      h(
        'div',
        { className: 'table' },
        h(
          'div',
          { className: 'drow head' },
          ...['Time', 'Level', 'Host', 'Rule', 'Origin'].map((t, i) => h('span', { className: ['c-time', 'c-level', 'c-host', 'c-title', 'c-origin'][i]! }, t)),
        ),
        list.el,
      ),
      pane,
    ),
  );
  void reload();
  if (selectedId) void backend.detection(selectedId).then(showDetail);
  return { el };
}
