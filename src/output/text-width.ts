/**
 * Terminal display width of text: East Asian wide and fullwidth characters (and emoji) take
 * two columns, combining marks and zero-width characters none, control characters are shown
 * as a space. Cutting and wrapping work on grapheme clusters, so a base letter never loses
 * its accent and a wide character is never split.
 */

let segmenterMemo: Intl.Segmenter | undefined;
/** Made on first use: building one loads ICU's break data (tens of ms at start-up), and plain text never needs it. */
function segmenter(): Intl.Segmenter {
  segmenterMemo ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenterMemo;
}

/** Code point ranges that occupy two columns (Unicode East Asian Width W and F, plus emoji). */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26f2, 0x26f5],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2753, 0x2755],
  [0x2795, 0x2797],
  [0x2b1b, 0x2b1c],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Columns one grapheme cluster takes. */
function clusterWidth(g: string): number {
  const cp = g.codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 1; // shown as a space by `printableCell`
  if (g.length === 1 && cp < 0x300) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  // An emoji presentation selector makes a narrow symbol wide.
  if (g.includes('\uFE0F')) return 2;
  return isWide(cp) ? 2 : 1;
}

/** Text where every UTF-16 unit is one narrow column: printable ASCII, Latin-1, Latin Extended, general punctuation, arrows, math (no combining marks, no wide characters). */
const ASCII = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u22ff\u2500-\u257f]*$/;

/** Display width of text in a terminal. */
export function displayWidth(s: string): number {
  if (ASCII.test(s)) return s.length;
  let w = 0;
  for (const { segment } of segmenter().segment(s)) w += clusterWidth(segment);
  return w;
}

/** One table cell: line breaks, tabs and other control characters become spaces. */
export function printableCell(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

/** Grapheme clusters with their widths. */
function clusters(s: string): { g: string; w: number }[] {
  if (ASCII.test(s)) return [...s].map((g) => ({ g, w: 1 }));
  return [...segmenter().segment(s)].map(({ segment }) => ({ g: segment, w: clusterWidth(segment) }));
}

/** Cuts text to at most `width` columns, ending with "…" when something was cut. */
export function truncateWidth(s: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const c of clusters(s)) {
    if (w + c.w > width - 1) break;
    out += c.g;
    w += c.w;
  }
  return `${out}…`;
}

/** Pads text with spaces to exactly `width` columns (cutting it first if needed). */
export function padWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncateWidth(s, width);
  const fill = ' '.repeat(Math.max(0, width - displayWidth(t)));
  return align === 'right' ? fill + t : t + fill;
}

/**
 * Wraps text into lines of at most `width` columns: at spaces where it can, and after path
 * and URL separators (/ \ ? & ¦) in long words, so a path breaks between its folders.
 * `maxLines` caps the lines; the last one then ends with "…".
 */
export function wrapWidth(s: string, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  if (width <= 0) return [''];
  if (displayWidth(s) <= width) return [s];
  const cs = clusters(s);
  const lines: string[] = [];
  let i = 0;
  while (i < cs.length) {
    if (lines.length === maxLines - 1) {
      lines.push(
        truncateWidth(
          cs
            .slice(i)
            .map((c) => c.g)
            .join(''),
          width,
        ),
      );
      return lines;
    }
    let w = 0;
    let j = i;
    let breakAt = -1;
    while (j < cs.length && w + cs[j]!.w <= width) {
      w += cs[j]!.w;
      const g = cs[j]!.g;
      if (g === ' ') breakAt = j;
      else if ('/\\?&¦,;.-_'.includes(g) && j > i) breakAt = j;
      j++;
    }
    if (j >= cs.length) {
      lines.push(
        cs
          .slice(i)
          .map((c) => c.g)
          .join(''),
      );
      break;
    }
    // Break after a separator (or at a space) in the last third of the line, else hard-break.
    const end = breakAt > i && w - widthOf(cs, breakAt + 1, j) >= width / 3 ? breakAt + 1 : j;
    lines.push(
      cs
        .slice(i, end)
        .map((c) => c.g)
        .join('')
        .trimEnd(),
    );
    i = end;
    while (i < cs.length && cs[i]!.g === ' ') i++;
  }
  return lines.length ? lines : [''];
}

function widthOf(cs: readonly { w: number }[], from: number, to: number): number {
  let w = 0;
  for (let k = from; k < to; k++) w += cs[k]!.w;
  return w;
}
