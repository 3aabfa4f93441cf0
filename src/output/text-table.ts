import { printable } from '../errors.js';

/**
 * Plain-text tables for the console: fixed column widths, one flexible column that takes
 * what is left of the terminal, cells cut with an ellipsis. No colour codes inside
 * cells so widths stay right; colour is applied per whole cell by the caller.
 */

export interface Column {
  header: string;
  /** Fixed width; omit for the one flexible column. */
  width?: number;
  align?: 'left' | 'right';
}

export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  // line breaks become spaces (a cell is one line); other control characters (ESC sequences
  // from log fields or file names) are shown as escapes, never sent to the terminal
  const flat = printable(s.replace(/[\r\n\t]+/g, ' '));
  if (flat.length <= width) return flat;
  return width === 1 ? '…' : flat.slice(0, width - 1) + '…';
}

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const t = truncate(s, width);
  const fill = ' '.repeat(Math.max(0, width - t.length));
  return align === 'right' ? fill + t : t + fill;
}

export function renderTable(columns: Column[], rows: string[][], totalWidth: number, colorize?: (col: number, cell: string, row: string[]) => string): string {
  const sep = ' │ ';
  const fixed = columns.reduce((n, c) => n + (c.width ?? 0), 0) + sep.length * (columns.length - 1);
  const flex = Math.max(20, totalWidth - fixed);
  const widths = columns.map((c) => c.width ?? flex);
  const line = (cells: string[], row?: string[]): string =>
    cells
      .map((cell, i) => {
        const text = i === cells.length - 1 && columns[i]!.width === undefined ? truncate(cell, widths[i]!) : pad(cell, widths[i]!, columns[i]!.align ?? 'left');
        return colorize && row ? colorize(i, text, row) : text;
      })
      .join(sep)
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  for (const r of rows) out.push(line(r, r));
  return out.join('\n') + '\n';
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

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
