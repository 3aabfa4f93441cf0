/**
 * A list that keeps only the rows in sight in the page: a spacer as tall as all rows and a
 * small pool of row elements moved and re-filled as the user scrolls, so 100,000 detections
 * cost the same to scroll as 40. Rows have one fixed height.
 */
import { h } from './dom';

export interface VirtualListOptions<T> {
  rowHeight: number;
  /** Builds one (empty) row element; `fill` puts an item's text in it. */
  make: () => HTMLElement;
  fill: (row: HTMLElement, item: T, index: number) => void;
  /** Called when the view gets within a screen of the end (to load the next page). */
  nearEnd?: () => void;
  onSelect?: (item: T, index: number) => void;
}

export class VirtualList<T> {
  readonly el: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private items: readonly T[] = [];
  private selected = -1;
  private frame = 0;

  constructor(private readonly opts: VirtualListOptions<T>) {
    this.spacer = h('div', { className: 'vl-spacer' });
    this.el = h('div', { className: 'vl', attrs: { role: 'grid', tabindex: '0' } }, this.spacer);
    this.el.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.el.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.vl-row');
      if (!row) return;
      const i = Number(row.dataset.index);
      if (Number.isInteger(i) && this.items[i] !== undefined) this.select(i);
    });
    this.el.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      e.preventDefault();
      const i = Math.max(0, Math.min(this.items.length - 1, this.selected + (e.key === 'ArrowDown' ? 1 : -1)));
      this.select(i);
      this.scrollTo(i);
    });
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  setItems(items: readonly T[], keepScroll = false): void {
    this.items = items;
    if (!keepScroll) {
      this.el.scrollTop = 0;
      this.selected = -1;
    }
    this.spacer.style.height = `${items.length * this.opts.rowHeight}px`;
    this.render();
  }

  get length(): number {
    return this.items.length;
  }

  select(i: number): void {
    this.selected = i;
    this.render();
    const item = this.items[i];
    if (item !== undefined) this.opts.onSelect?.(item, i);
  }

  scrollTo(i: number): void {
    const top = i * this.opts.rowHeight;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + this.opts.rowHeight > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + this.opts.rowHeight - this.el.clientHeight;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const rh = this.opts.rowHeight;
    const height = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.el.scrollTop / rh) - 5);
    const visible = Math.ceil(height / rh) + 10;
    const last = Math.min(this.items.length, first + visible);
    while (this.pool.length < visible) {
      const row = this.opts.make();
      row.classList.add('vl-row');
      row.style.height = `${rh}px`;
      this.pool.push(row);
      this.el.appendChild(row);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const row = this.pool[k]!;
      const i = first + k;
      if (i >= last) {
        row.hidden = true;
        continue;
      }
      row.hidden = false;
      row.style.transform = `translateY(${i * rh}px)`;
      if (row.dataset.index !== String(i) || row.dataset.len !== String(this.items.length)) {
        row.dataset.index = String(i);
        row.dataset.len = String(this.items.length);
        this.opts.fill(row, this.items[i]!, i);
      }
      row.classList.toggle('selected', i === this.selected);
    }
    if (this.opts.nearEnd && last >= this.items.length - visible) this.opts.nearEnd();
  }
}
