/**
 * The T1505 coverage matrix: sub-techniques (plus a row for CI/CD and collaboration-server
 * plugins, which ATT&CK files under T1505 itself) against data sources, with the number of
 * loaded rules in each cell, split into Warden's built-in pack and the user's rules.
 *
 * A rule's row comes from its ATT&CK tags (attack.t1505.00N; attack.t1505 without a
 * sub-technique tag lands in the plugin row); its column from its logsource (datasource.ts).
 * Correlation rules get their own column, since they join several sources.
 */
import { resolve, sep } from 'node:path';
import type { ProblemSink } from '../errors.js';
import type { Level } from '../event/detection.js';
import { loadRuleCollection, selectRules, type RuleSelection } from '../sigma/collection.js';
import { parseCorrelations } from '../sigma/correlations.js';
import type { Placeholders } from '../sigma/placeholders.js';
import { DATA_SOURCES, dataSourcesOf, type DataSourceId } from './datasource.js';

export type RowId = 'T1505.001' | 'T1505.002' | 'T1505.003' | 'T1505.004' | 'T1505.005' | 'T1505.006' | 'T1505-plugins';
export type ColumnId = DataSourceId | 'correlation';

export interface CoverageRow {
  id: RowId;
  /** ATT&CK technique id used in Navigator layers. */
  techniqueId: string;
  name: string;
}

export const ROWS: readonly CoverageRow[] = [
  { id: 'T1505.001', techniqueId: 'T1505.001', name: 'SQL Stored Procedures' },
  { id: 'T1505.002', techniqueId: 'T1505.002', name: 'Transport Agent' },
  { id: 'T1505.003', techniqueId: 'T1505.003', name: 'Web Shell' },
  { id: 'T1505.004', techniqueId: 'T1505.004', name: 'IIS Components' },
  { id: 'T1505.005', techniqueId: 'T1505.005', name: 'Terminal Services DLL' },
  { id: 'T1505.006', techniqueId: 'T1505.006', name: 'vSphere Installation Bundles' },
  { id: 'T1505-plugins', techniqueId: 'T1505', name: 'CI/CD and collaboration-server plugins' },
];

export interface ColumnInfo {
  id: ColumnId;
  name: string;
  short: string;
}

export const COLUMNS: readonly ColumnInfo[] = [
  ...DATA_SOURCES.map((d) => ({ id: d.id as ColumnId, name: d.name, short: d.short })),
  { id: 'correlation', name: 'Sigma correlation (several sources joined)', short: 'Correlation' },
];

/**
 * Where the detection pack is expected to have rules: the data sources issue 7 lists for each
 * sub-technique (and where ATT&CK says the behaviour is visible). An empty expected cell is a
 * coverage gap and is flagged in every output format.
 */
export const EXPECTED: Readonly<Record<RowId, readonly ColumnId[]>> = {
  'T1505.001': ['application_log', 'process_creation', 'correlation'],
  'T1505.002': ['application_log', 'command_execution', 'process_creation', 'module_load', 'file_modification', 'component_inventory'],
  'T1505.003': ['application_log', 'file_creation', 'file_modification', 'process_creation', 'network_flow', 'network_content', 'file_content', 'correlation'],
  'T1505.004': ['application_log', 'command_execution', 'process_creation', 'module_load', 'file_modification', 'component_inventory'],
  'T1505.005': ['registry_modification', 'process_creation', 'file_modification', 'module_load', 'correlation', 'component_inventory'],
  'T1505.006': ['application_log', 'command_execution'],
  'T1505-plugins': ['application_log', 'network_content', 'process_creation', 'correlation', 'component_inventory'],
};

export interface CoveredRule {
  id: string;
  title: string;
  level: Level;
  file: string;
  builtin: boolean;
  kind: 'rule' | 'correlation';
  rows: RowId[];
  columns: ColumnId[];
}

export interface Cell {
  builtin: number;
  user: number;
  /** Ids of the rules counted in the cell. */
  rules: string[];
}

export interface CoverageMatrix {
  rules: CoveredRule[];
  cells: Record<RowId, Record<ColumnId, Cell>>;
  /** Expected cells without any rule. */
  gaps: { row: RowId; column: ColumnId }[];
  /** Rules loaded that carry no T1505 tag (not in the matrix). */
  outside: number;
}

/** Rows a rule belongs to, from its tags. */
export function rowsOf(tags: readonly string[]): RowId[] {
  const rows = new Set<RowId>();
  let parent = false;
  for (const raw of tags) {
    const t = raw.toLowerCase();
    const m = /^attack\.t1505\.00([1-6])$/.exec(t);
    if (m) rows.add(`T1505.00${m[1]}` as RowId);
    else if (t === 'attack.t1505') parent = true;
  }
  if (rows.size === 0 && parent) rows.add('T1505-plugins');
  return [...rows];
}

function emptyCells(): Record<RowId, Record<ColumnId, Cell>> {
  const cells = {} as Record<RowId, Record<ColumnId, Cell>>;
  for (const r of ROWS) {
    const row = {} as Record<ColumnId, Cell>;
    for (const c of COLUMNS) row[c.id] = { builtin: 0, user: 0, rules: [] };
    cells[r.id] = row;
  }
  return cells;
}

function isUnder(file: string, dir: string): boolean {
  const d = resolve(dir);
  const f = resolve(file);
  return f === d || f.startsWith(d.endsWith(sep) ? d : d + sep);
}

export interface CoverageInput {
  /** Rule files/folders in load order. */
  paths: string[];
  /** Folder of the built-in pack (rules under it count as built-in), when it is loaded. */
  builtinDir?: string;
  select?: RuleSelection;
  /** Values for %placeholders% used with |expand, so such rules load as they do in hunt. */
  placeholders?: Placeholders;
}

/** Loads the rules and builds the matrix. Rule problems go to `problems`. */
export function buildCoverage(input: CoverageInput, problems: ProblemSink): CoverageMatrix {
  const collection = loadRuleCollection(input.paths, { placeholders: input.placeholders }, problems);
  const selected = selectRules(collection, input.select ?? {});
  const correlations = parseCorrelations(collection.correlationDocs, problems).filter((c) => selectRules([{ info: c.info } as never], input.select ?? {}).length > 0);
  const builtin = (file: string | undefined): boolean => input.builtinDir !== undefined && file !== undefined && isUnder(file, input.builtinDir);
  const rules: CoveredRule[] = [];
  for (const r of selected) {
    rules.push({
      id: r.info.id,
      title: r.info.title,
      level: r.info.level,
      file: r.file,
      builtin: builtin(r.file),
      kind: 'rule',
      rows: rowsOf(r.info.tags),
      columns: dataSourcesOf(r.logsource, r.doc),
    });
  }
  for (const c of correlations) {
    rules.push({
      id: c.info.id,
      title: c.info.title,
      level: c.info.level,
      file: c.info.file ?? '',
      builtin: builtin(c.info.file),
      kind: 'correlation',
      rows: rowsOf(c.info.tags),
      columns: ['correlation'],
    });
  }
  const cells = emptyCells();
  let outside = 0;
  for (const r of rules) {
    if (r.rows.length === 0) {
      outside++;
      continue;
    }
    for (const row of r.rows) {
      for (const col of r.columns) {
        const cell = cells[row][col];
        if (r.builtin) cell.builtin++;
        else cell.user++;
        cell.rules.push(r.id);
      }
    }
  }
  const gaps: { row: RowId; column: ColumnId }[] = [];
  for (const row of ROWS) {
    for (const col of EXPECTED[row.id]) {
      const cell = cells[row.id][col];
      if (cell.builtin + cell.user === 0) gaps.push({ row: row.id, column: col });
    }
  }
  return { rules, cells, gaps, outside };
}
