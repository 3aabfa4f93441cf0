/** Scanner findings: verdict, score, language, family, and the evidence lines as code with the matching line marked. */
import type { Backend } from '../backend';
import { h } from '../dom';
import { count } from '../format';
import type { FindingRec } from '../model';
import type { Route } from '../route';
import type { ViewHandle } from './incidents';

function evidenceCode(f: FindingRec): HTMLElement {
  const withLines = [...f.evidence].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return h(
    'div',
    { className: 'evidence' },
    ...withLines.map((e) =>
      h(
        'div',
        { className: 'evidence-item' },
        h('div', { className: 'evidence-reason' }, h('span', { className: 'tag' }, e.analyzer), ` +${e.weight} `, e.reason, e.layer ? ` (decoded layer ${e.layer})` : ''),
        e.snippet !== undefined
          ? h(
              'pre',
              { className: 'code' },
              h('span', { className: 'lineno' }, e.line !== undefined ? String(e.line) : '·'),
              h('mark', { className: 'evidence-line', attrs: { 'data-line': String(e.line ?? '') } }, e.snippet),
            )
          : null,
      ),
    ),
  );
}

export function findingsView(_route: Route, backend: Backend): ViewHandle {
  const body = h('tbody');
  const pane = h('aside', { className: 'pane' }, h('p', { className: 'hint' }, 'Select a finding to see its evidence.'));
  const status = h('p', { className: 'status' }, 'loading…');
  const load = async (): Promise<void> => {
    const list = await backend.findings();
    status.textContent = `${count(list.length)} finding${list.length === 1 ? '' : 's'}`;
    body.replaceChildren(
      ...list.map((f) => {
        const tr = h(
          'tr',
          { className: 'finding-row', attrs: { tabindex: '0' } },
          h('td', null, h('span', { className: `badge verdict-${f.verdict === 'malicious' ? 'malicious' : 'suspicious'}` }, f.verdict)),
          h('td', { className: 'num' }, String(f.score)),
          h('td', null, f.language),
          h('td', null, f.family ?? ''),
          h('td', { className: 'path' }, f.path),
          h('td', null, f.host ?? ''),
        );
        tr.addEventListener('click', () => {
          pane.replaceChildren(
            h('h2', { className: 'path' }, f.path),
            h('p', null, `${f.verdict}, score ${f.score}, ${f.language}${f.family ? `, family ${f.family}` : ''}`),
            h('p', null, h('code', null, `sha256 ${f.sha256}`)),
            evidenceCode(f),
          );
        });
        return tr;
      }),
    );
  };
  load().catch((e: Error) => {
    status.textContent = `Could not load findings: ${e.message}`;
  });
  const el = h(
    'div',
    { className: 'view findings' },
    h('h1', null, 'Files'),
    status,
    h(
      'div',
      { className: 'split' },
      h('table', { className: 'list' }, h('thead', null, h('tr', null, ...['Verdict', 'Score', 'Language', 'Family', 'Path', 'Host'].map((t) => h('th', null, t)))), body),
      pane,
    ),
  );
  return { el, refresh: load };
}
