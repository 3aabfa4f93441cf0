/**
 * One detection in full: what matched (rule, time, host, where the event is), the rule as its
 * author wrote it (description, author, references, ATT&CK tags), the event's fields and the
 * raw line. From the live service a detection also says which fields made its rule match
 * (the rule re-run on the stored event): those come first and are marked.
 */
import type { Backend } from '../backend';
import { h, link, routeLink } from '../dom';
import { fieldText, isoShort, levelBadge, techniquesOf } from '../format';
import type { DetectionRec, RuleDoc } from '../model';
import { routeHash } from '../route';

export function originText(s: { file: string; record: number; format?: string } | undefined): string {
  if (!s) return '(unknown)';
  return `${s.file}#${s.record}${s.format ? ` (${s.format})` : ''}`;
}

export function ruleBlock(rule: RuleDoc | DetectionRec['rule'], doc: RuleDoc | undefined): HTMLElement {
  const r: RuleDoc = { ...rule, ...(doc ?? {}) };
  const techniques = techniquesOf(r.tags ?? []);
  return h(
    'section',
    { className: 'rule' },
    h('h3', null, 'Rule'),
    h(
      'dl',
      null,
      h('dt', null, 'Title'),
      h('dd', { className: 'rule-title' }, r.title),
      h('dt', null, 'Level'),
      h('dd', null, levelBadge(r.level)),
      r.description ? [h('dt', null, 'Description'), h('dd', { className: 'rule-description' }, r.description)] : null,
      h('dt', null, 'Author'),
      h('dd', { className: 'rule-author' }, r.author || '(none given)'),
      h('dt', null, 'Rule id'),
      h('dd', null, h('code', null, r.id)),
      r.status ? [h('dt', null, 'Status'), h('dd', null, r.status)] : null,
      techniques.length ? [h('dt', null, 'ATT&CK'), h('dd', { className: 'attack' }, ...techniques.map((t) => h('span', { className: 'tag technique' }, t)))] : null,
      r.tags?.length ? [h('dt', null, 'Tags'), h('dd', null, ...r.tags.map((t) => h('span', { className: 'tag' }, t)))] : null,
      r.references?.length ? [h('dt', null, 'References'), h('dd', null, h('ul', { className: 'refs' }, ...r.references.map((u) => h('li', null, link(u)))))] : null,
      r.falsepositives?.length ? [h('dt', null, 'False positives'), h('dd', null, h('ul', null, ...r.falsepositives.map((f) => h('li', null, f))))] : null,
      r.file ? [h('dt', null, 'File'), h('dd', null, h('code', null, r.file))] : null,
    ),
  );
}

/** The event's fields; those that made the rule match (when known) first, marked. */
export function fieldsTable(event: Record<string, unknown>, matched?: readonly string[]): HTMLElement {
  const hit = new Set(matched ?? []);
  const entries = Object.entries(event ?? {});
  const ordered = [...entries.filter(([k]) => hit.has(k)), ...entries.filter(([k]) => !hit.has(k))];
  const rows = ordered.map(([k, v]) =>
    h('tr', hit.has(k) ? { className: 'matched', title: 'the rule matched on this field' } : null, h('th', null, k), h('td', null, h('code', null, fieldText(v)))),
  );
  return h('table', { className: 'fields' }, h('tbody', null, ...rows));
}

export function detectionDetail(d: DetectionRec, backend: Backend): HTMLElement {
  const members = d.members ?? [];
  return h(
    'div',
    { className: 'detail', attrs: { 'data-detection': d.id } },
    h('h2', null, levelBadge(d.rule.level), ' ', h('span', { className: 'detail-title' }, d.rule.title)),
    h(
      'dl',
      { className: 'facts' },
      h('dt', null, 'Time'),
      h('dd', null, isoShort(d.timestamp)),
      h('dt', null, 'Host'),
      h('dd', { className: 'detail-host' }, d.host ?? '(unknown)'),
      h('dt', null, 'Origin'),
      h('dd', { className: 'origin' }, originText(d.source)),
      h('dt', null, 'Kind'),
      h('dd', null, d.kind),
      h('dt', null, 'Id'),
      h('dd', null, h('code', null, d.id)),
    ),
    ruleBlock(d.rule, backend.rule(d.rule.id)),
    members.length
      ? h(
          'section',
          { className: 'chain' },
          h('h3', null, `Joins ${members.length} detection${members.length === 1 ? '' : 's'}`),
          h('ol', null, ...members.map((id) => h('li', null, routeLink(routeHash('detections', undefined, { d: id }), h('code', null, id))))),
          d.evidence?.length ? h('p', null, `Events: ${d.evidence.map(originText).join(', ')}`) : null,
        )
      : null,
    h('section', null, h('h3', null, d.matched?.length ? 'Event (fields the rule matched on first, marked ▸)' : 'Event'), fieldsTable(d.event, d.matched)),
    d.raw !== undefined ? h('section', null, h('h3', null, 'Raw'), h('pre', { className: 'raw' }, d.raw)) : null,
  );
}
