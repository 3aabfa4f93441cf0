/**
 * A W3C record's fields, built when the event's fields are first read: the decoder checks the
 * record (its value count, date and time) and keeps where each value starts; the values are
 * sliced, converted and put into a field object only here. Objects are made through the shared
 * shape cache (field-shapes.ts), by a builder each layout keeps per mask of present columns.
 */
import type { FieldValue, Fields, LogSource } from '../../event/event.js';
import { LazyEvent } from '../../event/lazy-event.js';
import { detached } from './common.js';
import { buildFields, buildSlow, mixShape, shapeBuild } from './field-shapes.js';
import { type Layout, MASK_COLUMNS, numeric } from './w3c-layout.js';

/** Distinct header values whose conversion is kept per file (see spaced). */
const MAX_PLUS_CACHE = 512;
/** Longer header values are not kept (they are rarely repeated, and the cache stays small). */
const MAX_PLUS_CACHED_LENGTH = 1024;
/** Compiled builders a layout keeps by mask (records leave out different `-` columns). */
const MAX_MASKS = 32;

/** Builds the fields of one file's records; its buffers and caches are shared by the file's events. */
export class W3cFieldBuilder {
  /** The present columns of the record being built (reused). */
  private readonly keys: string[] = [];
  private readonly vals: FieldValue[] = [];
  /** Header values with `+` for spaces, by raw text (see spaced). */
  private readonly plusCache = new Map<string, string>();

  /** The fields of `text`, a record of `layout` whose value `col` starts at `starts[col]` (values are separated by one space). */
  fields(layout: Layout, text: string, starts: readonly number[]): Fields {
    const cols = layout.columns;
    const ncols = cols.length;
    const keys = this.keys;
    const vals = this.vals;
    // Narrow layouts note the present columns in a mask and look their builder up by it; wide ones list the keys.
    const masked = ncols <= MASK_COLUMNS;
    let mask = 0;
    let n = 0;
    let hash = 0;
    for (let col = 0; col < ncols; col++) {
      const start = starts[col]!;
      const end = col + 1 < ncols ? starts[col + 1]! - 1 : text.length;
      if (end - start === 1 && text.charCodeAt(start) === 45 /* - */) continue;
      const c = cols[col]!;
      let v: FieldValue;
      if (c.numeric) v = numeric(text, start, end);
      else {
        const value = text.slice(start, end);
        v = c.plus ? this.spaced(value) : value;
      }
      if (masked) mask |= 1 << col;
      else {
        keys[n] = c.name;
        hash = mixShape(hash, c.id);
      }
      vals[n++] = v;
    }
    return masked ? this.build(layout, mask, n) : buildFields(keys, vals, n, 0, hash);
  }

  /**
   * A header value with IIS's `+` for a space undone. User agents and referers repeat from
   * record to record: the converted text is kept per raw text (bounded), so a repeated one
   * costs a lookup instead of a new string; a value without `+` is itself.
   */
  private spaced(value: string): string {
    if (!value.includes('+')) return value;
    if (value.length > MAX_PLUS_CACHED_LENGTH) return value.replaceAll('+', ' ');
    const known = this.plusCache.get(value);
    if (known !== undefined) return known;
    const v = value.replaceAll('+', ' ');
    if (this.plusCache.size >= MAX_PLUS_CACHE) this.plusCache.clear();
    // (A detached key: the raw value is a slice of its line, which would keep the line's read chunk.)
    this.plusCache.set(detached(value), v);
    return v;
  }

  /** The fields of a narrow layout's record whose present columns are `mask` and whose values are in this.vals. */
  private build(layout: Layout, mask: number, n: number): Fields {
    const vals = this.vals;
    const known = layout.builds.get(mask);
    if (known !== undefined) return known(vals);
    const keys = this.keys;
    let hash = 0;
    let k = 0;
    const cols = layout.columns;
    for (let col = 0; col < cols.length; col++) {
      if ((mask & (1 << col)) === 0) continue;
      keys[k++] = cols[col]!.name;
      hash = mixShape(hash, cols[col]!.id);
    }
    const build = shapeBuild(keys, n, 0, hash);
    if (build === undefined) return buildSlow(keys, vals, n, 0);
    if (layout.builds.size < MAX_MASKS) layout.builds.set(mask, build);
    return build(vals);
  }
}

/** A checked W3C record; its fields are built on first read. */
export class W3cEvent extends LazyEvent {
  readonly #builder: W3cFieldBuilder;
  readonly #layout: Layout;
  readonly #text: string;
  readonly #starts: readonly number[];

  constructor(
    builder: W3cFieldBuilder,
    layout: Layout,
    starts: readonly number[],
    logsource: LogSource,
    file: string,
    record: number,
    format: string,
    text: string,
    timestamp: number | undefined,
    host: string | undefined,
  ) {
    super(logsource, { file, record, format }, text, timestamp, host);
    this.#builder = builder;
    this.#layout = layout;
    this.#text = text;
    this.#starts = starts;
  }

  protected buildFields(): Fields {
    return this.#builder.fields(this.#layout, this.#text, this.#starts);
  }
}
