/**
 * Detections over time by level on a canvas: stacked bars per time bin, coloured by level.
 * Dragging across it selects a time range (the detections view then filters to it); a click
 * without a drag clears the selection.
 */
import { h } from './dom';
import { LEVELS } from './model';

const COLOURS: Record<string, string> = {
  informational: '#7f8c9a',
  low: '#3b82f6',
  medium: '#eab308',
  high: '#f97316',
  critical: '#dc2626',
};

export interface HistogramPoint {
  time: number;
  level: string;
}

export class Histogram {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly label: HTMLElement;
  private bins: number[][] = [];
  private min = 0;
  private max = 0;
  private dragFrom: number | undefined;
  private dragTo: number | undefined;
  private range: [number, number] | undefined;

  constructor(private readonly onRange: (range: [number, number] | undefined) => void) {
    this.canvas = h('canvas', { className: 'histogram', attrs: { height: '80', 'aria-label': 'detections over time by level; drag to select a time range' } });
    this.label = h('div', { className: 'histogram-label' });
    this.el = h('div', { className: 'histogram-box' }, this.canvas, this.label);
    this.canvas.addEventListener('mousedown', (e) => {
      this.dragFrom = this.dragTo = this.xOf(e);
      this.draw();
    });
    this.canvas.addEventListener('mousemove', (e) => {
      if (this.dragFrom === undefined) return;
      this.dragTo = this.xOf(e);
      this.draw();
    });
    const end = (e: MouseEvent): void => {
      if (this.dragFrom === undefined) return;
      const a = this.dragFrom;
      const b = this.xOf(e);
      this.dragFrom = this.dragTo = undefined;
      if (Math.abs(b - a) < 3) this.range = undefined;
      else this.range = [this.timeAt(Math.min(a, b)), this.timeAt(Math.max(a, b))];
      this.draw();
      this.onRange(this.range);
    };
    this.canvas.addEventListener('mouseup', end);
    this.canvas.addEventListener('mouseleave', (e) => {
      if (this.dragFrom !== undefined) end(e);
    });
  }

  private xOf(e: MouseEvent): number {
    const r = this.canvas.getBoundingClientRect();
    return Math.max(0, Math.min(r.width, e.clientX - r.left));
  }

  private timeAt(x: number): number {
    const w = this.canvas.getBoundingClientRect().width || 1;
    return this.min + ((this.max - this.min) * x) / w;
  }

  /** The points to count and the range currently selected (from the URL). */
  set(points: Iterable<HistogramPoint>, range: [number, number] | undefined, binCount = 120): void {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const list: HistogramPoint[] = [];
    for (const p of points) {
      if (!Number.isFinite(p.time)) continue;
      list.push(p);
      if (p.time < min) min = p.time;
      if (p.time > max) max = p.time;
    }
    if (range) {
      min = Math.min(min, range[0]);
      max = Math.max(max, range[1]);
    }
    if (!Number.isFinite(min)) {
      min = 0;
      max = 1;
    }
    if (max === min) max = min + 1000;
    this.min = min;
    this.max = max;
    this.range = range;
    this.bins = Array.from({ length: binCount }, () => LEVELS.map(() => 0));
    for (const p of list) {
      const b = Math.min(binCount - 1, Math.floor(((p.time - min) / (max - min)) * binCount));
      const li = LEVELS.indexOf(p.level as (typeof LEVELS)[number]);
      this.bins[b]![Math.max(li, 0)]!++;
    }
    this.label.textContent = `${new Date(min).toISOString()} — ${new Date(max).toISOString()}  (${list.length.toLocaleString('en-US')} detections; drag to select a time range)`;
    this.draw();
  }

  draw(): void {
    const c = this.canvas;
    const width = Math.max(200, Math.floor(c.getBoundingClientRect().width || 800));
    const ratio = window.devicePixelRatio || 1;
    if (c.width !== width * ratio) c.width = width * ratio;
    c.height = 80 * ratio;
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, 80);
    const n = this.bins.length || 1;
    let top = 1;
    for (const b of this.bins)
      top = Math.max(
        top,
        b.reduce((s, x) => s + x, 0),
      );
    const bw = width / n;
    this.bins.forEach((b, i) => {
      let y = 80;
      b.forEach((count, li) => {
        if (!count) return;
        const hgt = (count / top) * 76;
        g.fillStyle = COLOURS[LEVELS[li]!] ?? '#888';
        g.fillRect(i * bw + 0.5, y - hgt, Math.max(1, bw - 1), hgt);
        y -= hgt;
      });
    });
    const span = this.dragFrom !== undefined && this.dragTo !== undefined ? [Math.min(this.dragFrom, this.dragTo), Math.max(this.dragFrom, this.dragTo)] : this.rangePx(width);
    if (span) {
      g.fillStyle = 'rgba(99, 102, 241, 0.25)';
      g.fillRect(span[0]!, 0, span[1]! - span[0]!, 80);
    }
  }

  private rangePx(width: number): number[] | undefined {
    if (!this.range) return undefined;
    const x = (t: number): number => ((t - this.min) / (this.max - this.min)) * width;
    return [x(this.range[0]), x(this.range[1])];
  }
}
