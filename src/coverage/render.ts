/**
 * The coverage matrix as a text table, as JSON, and as an ATT&CK Navigator layer.
 */
import { COLUMNS, EXPECTED, ROWS, type CoverageMatrix, type RowId } from './matrix.js';

function cellText(m: CoverageMatrix, row: RowId, col: (typeof COLUMNS)[number]['id'], withUser: boolean): string {
  const c = m.cells[row][col];
  const total = c.builtin + c.user;
  const expected = EXPECTED[row].includes(col);
  if (total === 0) return expected ? '0!' : '.';
  return withUser ? `${c.builtin}+${c.user}` : String(total);
}

/**
 * Rows = sub-techniques, columns = data sources. A number is the count of loaded rules
 * ("built-in+user" once user rules are loaded), "." an empty cell nobody expects rules in,
 * "0!" an expected cell with no rule (a gap).
 */
export function renderTable(m: CoverageMatrix, width = Number.POSITIVE_INFINITY): string {
  const withUser = m.rules.some((r) => !r.builtin);
  const head = ['Technique', ...COLUMNS.map((c) => c.short), 'Rules'];
  const body: string[][] = [];
  for (const row of ROWS) {
    const ids = new Set<string>();
    for (const c of COLUMNS) for (const id of m.cells[row.id][c.id].rules) ids.add(id);
    body.push([`${row.techniqueId} ${row.name}`, ...COLUMNS.map((c) => cellText(m, row.id, c.id, withUser)), String(ids.size)]);
  }
  let out = grid(head, body);
  if (out[0]!.length > width) {
    // Too wide for the terminal: data sources as rows, sub-techniques as columns (.001-.006, plugins).
    const tHead = ['Data source', ...ROWS.map((r) => shortTechnique(r.techniqueId, r.name))];
    const tBody = COLUMNS.map((c, ci) => [c.short, ...body.map((r) => r[ci + 1]!)]);
    tBody.push(['Rules', ...body.map((r) => r[r.length - 1]!)]);
    out = grid(tHead, tBody);
    out.push('', 'Columns:', ...ROWS.map((r) => `  ${shortTechnique(r.techniqueId, r.name).padEnd(11)} ${r.techniqueId} ${r.name}`));
  }
  out.push('');
  out.push(withUser ? 'Cells: built-in+user rules; "." not expected; "0!" expected but empty.' : 'Cells: rules loaded; "." not expected; "0!" expected but empty.');
  for (const c of COLUMNS) out.push(`  ${c.short.padEnd(11)} ${c.name}`);
  const inMatrix = m.rules.length - m.outside;
  out.push(
    '',
    `${inMatrix} T1505 rules (${m.rules.filter((r) => r.kind === 'correlation' && r.rows.length).length} correlations), ${m.outside} other rules loaded; ${m.gaps.length} gap${m.gaps.length === 1 ? '' : 's'}.`,
  );
  for (const g of m.gaps) out.push(`  gap: ${g.row} x ${COLUMNS.find((c) => c.id === g.column)!.name}`);
  return out.join('\n') + '\n';
}

function shortTechnique(id: string, name: string): string {
  const sub = /\.(\d{3})$/.exec(id);
  return sub ? `.${sub[1]}` : name.split(' ')[0]!;
}

function grid(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cols: string[]): string =>
    cols
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

export function coverageJson(m: CoverageMatrix): unknown {
  return {
    techniques: ROWS.map((row) => ({
      id: row.id,
      techniqueId: row.techniqueId,
      name: row.name,
      dataSources: Object.fromEntries(
        COLUMNS.map((c) => {
          const cell = m.cells[row.id][c.id];
          return [c.id, { builtin: cell.builtin, user: cell.user, expected: EXPECTED[row.id].includes(c.id), rules: cell.rules }];
        }),
      ),
    })),
    dataSources: COLUMNS.map((c) => ({ id: c.id, name: c.name })),
    gaps: m.gaps,
    rules: m.rules.map((r) => ({ id: r.id, title: r.title, level: r.level, kind: r.kind, builtin: r.builtin, file: r.file, techniques: r.rows, dataSources: r.columns })),
    outside: m.outside,
  };
}

/** An ATT&CK Navigator layer (format 4.5): one entry per technique, score = rules covering it. */
export function navigatorLayer(m: CoverageMatrix): unknown {
  const byTechnique = new Map<string, { ids: Set<string>; parts: string[]; meta: { name: string; value: string }[] }>();
  for (const row of ROWS) {
    const entry = byTechnique.get(row.techniqueId) ?? { ids: new Set<string>(), parts: [], meta: [] };
    const counts: string[] = [];
    for (const c of COLUMNS) {
      const cell = m.cells[row.id][c.id];
      for (const id of cell.rules) entry.ids.add(id);
      const n = cell.builtin + cell.user;
      if (n > 0) {
        counts.push(`${c.short} ${n}`);
        entry.meta.push({ name: c.name, value: String(n) });
      }
    }
    const gaps = m.gaps.filter((g) => g.row === row.id).map((g) => COLUMNS.find((c) => c.id === g.column)!.short);
    entry.parts.push(`${row.name}: ${counts.join(', ') || 'no rules'}${gaps.length ? `; gaps: ${gaps.join(', ')}` : ''}`);
    byTechnique.set(row.techniqueId, entry);
  }
  // The parent technique also sums everything under it, so the matrix view shows the total.
  const all = new Set<string>();
  for (const e of byTechnique.values()) for (const id of e.ids) all.add(id);
  const techniques = [...byTechnique.entries()].map(([techniqueID, e]) => ({
    techniqueID,
    tactic: 'persistence',
    score: techniqueID === 'T1505' ? all.size : e.ids.size,
    comment: e.parts.join(' | '),
    enabled: true,
    metadata: e.meta,
    showSubtechniques: techniqueID === 'T1505',
  }));
  const max = Math.max(1, ...techniques.map((t) => t.score));
  return {
    name: 'Warden T1505 coverage',
    versions: { attack: '17', navigator: '5.1.0', layer: '4.5' },
    domain: 'enterprise-attack',
    description: 'Rules loaded by Warden per T1505 sub-technique; comments list the data sources covered.',
    filters: { platforms: ['Windows', 'Linux', 'macOS', 'Network', 'ESXi'] },
    sorting: 0,
    layout: { layout: 'side', aggregateFunction: 'average', showID: true, showName: true, showAggregateScores: false, countUnscored: false },
    hideDisabled: false,
    techniques,
    gradient: { colors: ['#ffe766ff', '#8ec843ff'], minValue: 0, maxValue: max },
    legendItems: [],
    metadata: [],
    links: [],
    showTacticRowBackground: false,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
  };
}
