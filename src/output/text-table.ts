/**
 * Plain-text tables for the console, fitted to the terminal: every column gets at least its
 * minimum, the rest of the width is shared by how much more each column's content needs, and
 * a cell too wide for its column wraps onto more lines (up to the column's `lines`, then it is
 * cut with "…"). Widths are display widths (wide CJK characters take two columns). Colour is
 * applied per whole cell by the caller, after padding, so widths stay right.
 */
import { displayWidth, padWidth, printableCell, truncateWidth, wrapWidth } from './text-width.js';

export interface Column {
  header: string;
  /** Narrowest the column may get (default: its header's width). */
  min?: number;
  /** Widest it is worth making; longer content wraps. Default: its content's width. */
  max?: number;
  align?: 'left' | 'right';
  /** Lines a cell may take before it is cut (default 1). */
  lines?: number;
  /** Takes what is left after the other columns have what they want. */
  flex?: boolean;
  /** Order in which fixed columns grow towards what they want (lower first; default 0). */
  grow?: number;
}

export interface TableOptions {
  /** No cutting: every cell wraps onto as many lines as it needs. */
  full?: boolean;
  colorize?: (col: number, cell: string, row: readonly string[]) => string;
  /** A line of text under a row (e.g. its details when the terminal is too narrow for a column). */
  below?: (rowIndex: number) => string | undefined;
}

/** Kept for callers that cut a single string to a width. */
export function truncate(s: string, width: number): string {
  return truncateWidth(printableCell(s), width);
}

const SEP = ' │ ';

/** Column widths for this table at this total width. */
export function fitColumns(columns: readonly Column[], rows: readonly (readonly string[])[], totalWidth: number): number[] {
  const natural = columns.map((c, i) => {
    let w = displayWidth(c.header);
    for (const r of rows) for (const part of (r[i] ?? '').split('\n')) w = Math.max(w, displayWidth(part));
    return w;
  });
  const min = columns.map((c, i) => Math.min(natural[i]!, Math.max(c.min ?? displayWidth(c.header), 1)));
  const want = columns.map((c, i) => Math.max(min[i]!, Math.min(natural[i]!, c.flex ? Number.POSITIVE_INFINITY : (c.max ?? natural[i]!))));
  const widths = [...min];
  let spare = totalWidth - SEP.length * (columns.length - 1) - min.reduce((a, b) => a + b, 0);
  if (spare <= 0) return widths;
  // Fixed columns first, by `grow` (columns of one rank share in proportion to what each
  // still lacks); the flexible ones take the rest.
  const ranks = [...new Set(columns.filter((c) => !c.flex).map((c) => c.grow ?? 0))].sort((a, b) => a - b);
  for (const rank of ranks) {
    if (spare <= 0) break;
    const lack = columns.map((c, i) => (c.flex || (c.grow ?? 0) !== rank ? 0 : want[i]! - widths[i]!));
    const total = lack.reduce((a, b) => a + b, 0);
    if (total <= 0) continue;
    const share = Math.min(spare, total);
    let given = 0;
    columns.forEach((_, i) => {
      const add = Math.floor((share * lack[i]!) / total);
      widths[i]! += add;
      given += add;
    });
    for (let i = 0; given < share && i < columns.length; i++)
      if (lack[i]! > 0 && widths[i]! < want[i]!) {
        widths[i]!++;
        given++;
      }
    spare -= given;
  }
  const flex = columns.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0);
  for (const i of flex) {
    const add = Math.floor(spare / flex.length);
    widths[i] = Math.min(natural[i]!, widths[i]! + add);
  }
  return widths;
}

/** Lines of one cell at this width. */
export function cellLines(text: string, width: number, lines: number): string[] {
  // A cell may hold its own line breaks (a group's first and last time); each part is fitted.
  const parts = text.split('\n');
  const out: string[] = [];
  for (const part of parts) {
    const left = lines - out.length;
    if (left <= 0) break;
    const t = printableCell(part);
    out.push(...(left <= 1 ? [truncateWidth(t, width)] : wrapWidth(t, width, left)));
  }
  return out;
}

export function renderTable(columns: Column[], rows: string[][], totalWidth: number, opts: TableOptions = {}): string {
  const widths = fitColumns(columns, rows, totalWidth);
  const last = columns.length - 1;
  const block = (cells: readonly string[], row?: readonly string[]): string[] => {
    const parts = cells.map((cell, i) => cellLines(cell, widths[i]!, opts.full ? Number.POSITIVE_INFINITY : (columns[i]!.lines ?? 1)));
    const height = Math.max(...parts.map((p) => p.length));
    const out: string[] = [];
    for (let l = 0; l < height; l++) {
      const line = parts
        .map((p, i) => {
          const text = i === last && columns[i]!.align !== 'right' ? (p[l] ?? '') : padWidth(p[l] ?? '', widths[i]!, columns[i]!.align ?? 'left');
          return opts.colorize && row && l === 0 ? opts.colorize(i, text, row) : text;
        })
        .join(SEP)
        .trimEnd();
      out.push(line);
    }
    return out;
  };
  const out = [...block(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  const indent = '    ';
  rows.forEach((r, i) => {
    out.push(...block(r, r));
    const extra = opts.below?.(i);
    if (extra) for (const l of cellLines(`↳ ${extra}`, Math.max(10, totalWidth - indent.length), opts.full ? Number.POSITIVE_INFINITY : 1)) out.push(`${indent}${l}`.trimEnd());
  });
  return `${out.join('\n')}\n`;
}

const ESC = '\u001b[';

/** Colours for one output; off unless the output is a terminal and the user did not say NO_COLOR/--no-color. */
export class Style {
  constructor(readonly enabled: boolean) {}
  static plain = new Style(false);
  wrap(code: string, s: string): string {
    return this.enabled ? `${ESC}${code}m${s}${ESC}0m` : s;
  }
  bold(s: string): string {
    return this.wrap('1', s);
  }
  dim(s: string): string {
    return this.wrap('2', s);
  }
  level(level: string, s: string): string {
    switch (level) {
      case 'critical':
        return this.wrap('1;31', s);
      case 'high':
        return this.wrap('33', s);
      case 'medium':
        return this.wrap('93', s);
      case 'low':
        return this.wrap('32', s);
      default:
        return this.wrap('2', s);
    }
  }
}

/**
 * Orders names for display: case-insensitively, then by code unit. Not `localeCompare`: its
 * first call loads ICU's collation data, about 8 ms of a hunt that otherwise takes 400.
 */
export function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 1234567 -> "1,234,567" (en-US). Whole numbers are grouped by hand: the first `toLocaleString` loads ICU's number data, a noticeable part of a short run. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = digits.length; i > 0; i -= 3) out = (i > 3 ? ',' : '') + digits.slice(Math.max(0, i - 3), i) + out;
  return n < 0 ? `-${out}` : out;
}
