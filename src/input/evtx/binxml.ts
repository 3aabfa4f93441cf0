/**
 * BinXml (MS-EVEN6 2.2.12) parsing inside one EVTX chunk.
 *
 * Names and template definitions are referenced by chunk-relative offsets. A template is
 * defined inline at its first use and referenced by offset afterwards; each definition
 * is parsed once per chunk into a `TNode` tree (the render plan: static subtrees are
 * resolved once and shared, substitutions are slots) and instantiated per record with
 * that record's substitution values.
 *
 * Every read is bounds-checked against the fragment being parsed; bad data throws
 * `BinXmlError` (caught per record by the chunk reader). Nesting of elements, templates
 * and embedded BinXml is bounded, and every loop advances the read position.
 */
import { decodeValue, joinArray, type BinXmlRef, type Scalar, type Value } from './values.js';
import { isElement, type XAttr, type XElement, type XNode } from './tree.js';

export class BinXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BinXmlError';
  }
}

const MAX_DEPTH = 64;
/** Cap on elements produced by expanding array substitutions of one element. */
const MAX_EXPANSION = 4096;
/** Cap on the nodes one record resolves to (a few hundred is normal). */
const MAX_RECORD_NODES = 1_000_000;

interface TSub {
  readonly kind: 'sub';
  index: number;
  optional: boolean;
}

interface TInst {
  readonly kind: 'inst';
  def: TemplateDef;
  values: Value[];
}

interface TAttr {
  name: string;
  value: TNode[];
  dynamic: boolean;
  resolved?: XAttr;
}

interface TElem {
  readonly kind: 'telem';
  name: string;
  attrs: TAttr[];
  children: TNode[];
  /** Contains substitutions or template instances (else it resolves to one shared XElement). */
  dynamic: boolean;
  resolved?: XElement;
  /** Attributes resolved once and shared when none has a substitution; null when some do. */
  staticAttrs?: XAttr[] | null;
}

type TNode = TElem | TSub | TInst | Exclude<XNode, XElement>;

interface TemplateDef {
  nodes: TNode[];
}

function isDynamic(n: TNode): boolean {
  return typeof n === 'object' && (n.kind === 'sub' || n.kind === 'inst' || (n.kind === 'telem' && n.dynamic));
}

/** Parsing state for one chunk: buffer, name cache, template cache. */
export class ChunkBinXml {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TemplateDef>();
  private readonly parsing = new Set<number>();
  private pos = 0;
  /** Nodes one record may still produce: templates and embedded BinXml can repeat a value many times. */
  private budget = 0;

  /** buf[base, base + size) is the chunk; offsets in BinXml are relative to base. */
  constructor(
    private readonly buf: Buffer,
    private readonly base: number,
    private readonly size: number,
  ) {}

  /** Parse and resolve the BinXml of one record (buffer positions [start, end)). */
  record(start: number, end: number): XElement {
    this.budget = MAX_RECORD_NODES;
    const nodes = this.fragment(start, end, 0);
    const out: XNode[] = [];
    this.resolveNodes(nodes, null, out, 0);
    for (const n of out) if (typeof n === 'object' && n.kind === 'element') return n;
    throw new BinXmlError('record has no root element');
  }

  // ---- reading helpers ------------------------------------------------------------

  private need(p: number, n: number, end: number): void {
    if (p + n > end) throw new BinXmlError(`truncated BinXml at chunk offset ${p - this.base}`);
  }

  private name(off: number): string {
    const cached = this.names.get(off);
    if (cached !== undefined) return cached;
    const chunkEnd = this.base + this.size;
    const p = this.base + off;
    if (off < 0 || p + 8 > chunkEnd) throw new BinXmlError(`name offset ${off} outside chunk`);
    const n = this.buf.readUInt16LE(p + 6);
    if (p + 8 + 2 * n > chunkEnd) throw new BinXmlError(`name at offset ${off} runs past chunk end`);
    const s = this.buf.toString('utf16le', p + 8, p + 8 + 2 * n);
    this.names.set(off, s);
    return s;
  }

  /** Read a name reference at this.pos (u32 offset), skipping the name if it is stored inline. */
  private nameRef(end: number): string {
    this.need(this.pos, 4, end);
    const off = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    const s = this.name(off);
    if (off === this.pos - this.base) {
      const len = 8 + 2 * s.length + 2;
      this.need(this.pos, len, end);
      this.pos += len;
    }
    return s;
  }

  private utf16Counted(end: number): string {
    this.need(this.pos, 2, end);
    const n = this.buf.readUInt16LE(this.pos);
    this.need(this.pos + 2, 2 * n, end);
    const s = this.buf.toString('utf16le', this.pos + 2, this.pos + 2 + 2 * n);
    this.pos += 2 + 2 * n;
    return s;
  }

  /** A name offset at p is plausible if it points inline (right after it) or back into the chunk. */
  private plausibleName(p: number): boolean {
    if (p + 4 > this.base + this.size) return false;
    const off = this.buf.readUInt32LE(p);
    if (off === p + 4 - this.base) return true;
    return off >= 0x200 && this.base + off + 8 <= p && this.buf.readUInt16LE(this.base + off + 6) <= 0x1000;
  }

  // ---- token parsing ---------------------------------------------------------------

  /** Top-level fragment: fragment headers, one element or template instance, EOF. */
  private fragment(start: number, end: number, depth: number): TNode[] {
    if (depth > MAX_DEPTH) throw new BinXmlError('BinXml nested too deeply');
    const saved = this.pos;
    this.pos = start;
    const nodes: TNode[] = [];
    try {
      while (this.pos < end) {
        const tok = this.buf[this.pos]!;
        switch (tok) {
          case 0x00:
            return nodes;
          case 0x0f:
            this.need(this.pos, 4, end);
            this.pos += 4;
            break;
          case 0x01:
          case 0x41:
            nodes.push(this.element(end, depth + 1));
            break;
          case 0x0c:
            nodes.push(this.templateInstance(end, depth + 1));
            break;
          case 0x0a:
            nodes.push(this.pi(end));
            break;
          default:
            throw new BinXmlError(`unexpected BinXml token 0x${tok.toString(16)} at chunk offset ${this.pos - this.base}`);
        }
      }
      return nodes;
    } finally {
      this.pos = saved;
    }
  }

  private element(end: number, depth: number): TElem {
    if (depth > MAX_DEPTH) throw new BinXmlError('BinXml elements nested too deeply');
    const p = this.pos;
    const tok = this.buf[p]!;
    // The dependency id (u16) is normally present but some writers omit it: pick the
    // layout whose name reference is plausible.
    this.need(p, 11, end);
    this.pos = this.plausibleName(p + 7) || !this.plausibleName(p + 5) ? p + 7 : p + 5;
    const name = this.nameRef(end);
    const el: TElem = { kind: 'telem', name, attrs: [], children: [], dynamic: false };
    if (tok & 0x40) {
      this.need(this.pos, 4, end);
      this.pos += 4; // attribute list byte length
      while (this.pos < end && (this.buf[this.pos]! & 0xbf) === 0x06) {
        this.pos++;
        const attr: TAttr = { name: this.nameRef(end), value: [], dynamic: false };
        this.charData(attr.value, end);
        for (const v of attr.value) if (isDynamic(v)) attr.dynamic = el.dynamic = true;
        el.attrs.push(attr);
      }
    }
    this.need(this.pos, 1, end);
    const close = this.buf[this.pos]!;
    if (close === 0x03) {
      this.pos++;
      return el;
    }
    if (close !== 0x02) throw new BinXmlError(`expected end of start tag of <${name}>, got token 0x${close.toString(16)}`);
    this.pos++;
    for (;;) {
      this.need(this.pos, 1, end);
      const t = this.buf[this.pos]!;
      if (t === 0x04) {
        this.pos++;
        break;
      }
      if (t === 0x01 || t === 0x41) {
        const child = this.element(end, depth + 1);
        if (child.dynamic) el.dynamic = true;
        el.children.push(child);
      } else if (t === 0x0c) {
        el.children.push(this.templateInstance(end, depth + 1));
        el.dynamic = true;
      } else if (t === 0x0a) {
        el.children.push(this.pi(end));
      } else if (t === 0x07 || t === 0x47) {
        this.pos++;
        el.children.push({ kind: 'cdata', text: this.utf16Counted(end) });
      } else if (t === 0x0f) {
        this.need(this.pos, 4, end);
        this.pos += 4;
      } else {
        const before = this.pos;
        this.charData(el.children, end);
        if (this.pos === before) throw new BinXmlError(`unexpected BinXml token 0x${t.toString(16)} in <${name}> at chunk offset ${this.pos - this.base}`);
        for (const v of el.children) if (isDynamic(v)) el.dynamic = true;
      }
    }
    return el;
  }

  /** Values, substitutions, character and entity references; stops at any other token. */
  private charData(out: TNode[], end: number): void {
    while (this.pos < end) {
      const t = this.buf[this.pos]!;
      switch (t) {
        case 0x05:
        case 0x45: {
          this.need(this.pos, 2, end);
          this.pos += 2; // token, value type (always string)
          out.push(this.utf16Counted(end));
          break;
        }
        case 0x0d:
        case 0x0e: {
          this.need(this.pos, 4, end);
          out.push({ kind: 'sub', index: this.buf.readUInt16LE(this.pos + 1), optional: t === 0x0e });
          this.pos += 4;
          break;
        }
        case 0x08:
        case 0x48: {
          this.need(this.pos, 3, end);
          out.push({ kind: 'charref', code: this.buf.readUInt16LE(this.pos + 1) });
          this.pos += 3;
          break;
        }
        case 0x09:
        case 0x49: {
          this.pos++;
          out.push({ kind: 'entity', name: this.nameRef(end) });
          break;
        }
        default:
          return;
      }
    }
  }

  private pi(end: number): TNode {
    this.pos++;
    const target = this.nameRef(end);
    let data = '';
    if (this.pos < end && this.buf[this.pos] === 0x0b) {
      this.pos++;
      data = this.utf16Counted(end);
    }
    return { kind: 'pi', target, data };
  }

  private templateInstance(end: number, depth: number): TInst {
    if (depth > MAX_DEPTH) throw new BinXmlError('templates nested too deeply');
    this.need(this.pos, 10, end);
    const defOff = this.buf.readUInt32LE(this.pos + 6);
    this.pos += 10;
    let def: TemplateDef | undefined;
    if (defOff === this.pos - this.base) {
      this.need(this.pos, 24, end);
      const dataSize = this.buf.readUInt32LE(this.pos + 20);
      const defStart = this.pos + 24;
      const defEnd = defStart + dataSize;
      if (defEnd > end) throw new BinXmlError(`template definition at chunk offset ${defOff} runs past its record`);
      def = this.templates.get(defOff) ?? this.defineTemplate(defOff, defStart, defEnd, depth);
      this.pos = defEnd;
    } else {
      def = this.templates.get(defOff) ?? this.templateAt(defOff, depth);
    }
    // substitution values: count, (size u16, type u8, pad u8) per value, then the data
    this.need(this.pos, 4, end);
    const count = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    if (count * 4 > end - this.pos) throw new BinXmlError(`template instance claims ${count} values, more than fit in the record`);
    const specs = this.pos;
    this.pos += count * 4;
    const values: Value[] = new Array<Value>(count);
    for (let i = 0; i < count; i++) {
      const size = this.buf.readUInt16LE(specs + 4 * i);
      const type = this.buf[specs + 4 * i + 2]!;
      if (this.pos + size > end) throw new BinXmlError(`substitution value ${i} runs past the end of its record`);
      values[i] = decodeValue(this.buf, this.pos, size, type);
      this.pos += size;
    }
    return { kind: 'inst', def, values };
  }

  /** A template referenced by offset before (or without) its inline definition was seen. */
  private templateAt(defOff: number, depth: number): TemplateDef {
    const p = this.base + defOff;
    const chunkEnd = this.base + this.size;
    if (defOff < 0x200 || p + 24 > chunkEnd) throw new BinXmlError(`template offset ${defOff} outside chunk`);
    const dataSize = this.buf.readUInt32LE(p + 20);
    if (p + 24 + dataSize > chunkEnd) throw new BinXmlError(`template at offset ${defOff} runs past chunk end`);
    return this.defineTemplate(defOff, p + 24, p + 24 + dataSize, depth);
  }

  private defineTemplate(defOff: number, start: number, end: number, depth: number): TemplateDef {
    if (this.parsing.has(defOff)) throw new BinXmlError(`template at offset ${defOff} refers to itself`);
    this.parsing.add(defOff);
    try {
      const def: TemplateDef = { nodes: this.fragment(start, end, depth + 1) };
      this.templates.set(defOff, def);
      return def;
    } finally {
      this.parsing.delete(defOff);
    }
  }

  // ---- resolution (template instantiation) -----------------------------------------

  private resolveNodes(nodes: TNode[], values: Value[] | null, out: XNode[], depth: number): boolean {
    this.budget -= nodes.length;
    if (this.budget < 0) throw new BinXmlError(`record expands to more than ${MAX_RECORD_NODES} nodes`);
    let arrays = false;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (typeof n !== 'object') {
        out.push(n);
        continue;
      }
      switch (n.kind) {
        case 'telem':
          if (!n.dynamic) out.push((n.resolved ??= this.resolveStatic(n)));
          else this.resolveElement(n, values, out, depth + 1);
          break;
        case 'sub': {
          const v = values === null ? undefined : values[n.index];
          if (v === undefined) break;
          if (typeof v !== 'object') {
            out.push(v);
            break;
          }
          // An empty value, optional or not, still counts as (empty) content: evtx_dump
          // renders <Binary></Binary>, not an empty element, for an optional NullType.
          if (v === null) out.push('');
          else if (Array.isArray(v)) {
            if (v.length > 1) {
              out.push(v as unknown as XNode); // marker: expanded by the enclosing element
              arrays = true;
            } else out.push(v.length === 0 ? '' : joinArray(v));
          } else this.embedded(v, out, depth + 1);
          break;
        }
        case 'inst':
          if (depth > MAX_DEPTH) throw new BinXmlError('templates nested too deeply');
          this.resolveNodes(n.def.nodes, n.values, out, depth + 1);
          break;
        default:
          out.push(n);
      }
    }
    return arrays;
  }

  private embedded(ref: BinXmlRef, out: XNode[], depth: number): void {
    if (depth > MAX_DEPTH) throw new BinXmlError('embedded BinXml nested too deeply');
    const nodes = this.fragment(ref.start, ref.end, depth);
    this.resolveNodes(nodes, null, out, depth);
  }

  private resolveStatic(t: TElem): XElement {
    const el: XElement = { kind: 'element', name: t.name, attrs: t.attrs.length ? [] : NO_ATTRS, children: [] };
    for (const a of t.attrs) el.attrs.push(this.staticAttr(a));
    this.resolveNodes(t.children, null, el.children, 0);
    return el;
  }

  private staticAttr(a: TAttr): XAttr {
    if (a.resolved) return a.resolved;
    const value: XNode[] = [];
    this.resolveNodes(a.value, null, value, 0);
    return (a.resolved = { name: a.name, value });
  }

  private resolveElement(t: TElem, values: Value[] | null, out: XNode[], depth: number): void {
    if (depth > MAX_DEPTH) throw new BinXmlError('BinXml nested too deeply');
    if (t.staticAttrs === undefined) {
      t.staticAttrs = t.attrs.some((a) => a.dynamic) ? null : t.attrs.length ? t.attrs.map((a) => this.staticAttr(a)) : NO_ATTRS;
    }
    const el: XElement = { kind: 'element', name: t.name, attrs: t.staticAttrs ?? [], children: [] };
    let arrays = false;
    if (t.staticAttrs === null) {
      for (const a of t.attrs) {
        if (!a.dynamic) {
          el.attrs.push(this.staticAttr(a));
          continue;
        }
        const value: XNode[] = [];
        if (this.resolveNodes(a.value, values, value, depth)) arrays = true;
        // embedded BinXml has no meaning inside an attribute value: keep only its text
        el.attrs.push({ name: a.name, value: value.some(isElement) ? value.filter((v) => !isElement(v)) : value });
      }
    }
    if (this.resolveNodes(t.children, values, el.children, depth)) arrays = true;
    if (!arrays) out.push(el);
    else {
      const expanded = expandArrays(el);
      this.budget -= expanded.length * (el.children.length + el.attrs.length + 1);
      if (this.budget < 0) throw new BinXmlError(`record expands to more than ${MAX_RECORD_NODES} nodes`);
      for (const e of expanded) out.push(e);
    }
  }
}

const NO_ATTRS: XAttr[] = [];

/**
 * MS-EVEN6 3.1.4.7.5: an array substitution repeats its enclosing element once per item
 * (as evtx_dump and libevtx render them). Multiple arrays expand one after another.
 */
function expandArrays(el: XElement): XElement[] {
  let work: XElement[] = [el];
  for (let guard = 0; guard < 64; guard++) {
    let changed = false;
    const next: XElement[] = [];
    for (const e of work) {
      const loc = findArray(e);
      if (!loc) {
        next.push(e);
        continue;
      }
      changed = true;
      const items = loc.items;
      if (next.length + items.length > MAX_EXPANSION) {
        // too many: render the array as one comma-separated value instead
        next.push(replaceAt(e, loc, joinArray(items)));
        continue;
      }
      for (const item of items) next.push(replaceAt(e, loc, item === '' ? null : item));
    }
    work = next;
    if (!changed) break;
  }
  return work;
}

interface ArrayLoc {
  attr: number; // -1 for children
  index: number;
  items: Scalar[];
}

function findArray(e: XElement): ArrayLoc | undefined {
  for (let i = 0; i < e.children.length; i++) {
    const c = e.children[i];
    if (Array.isArray(c)) return { attr: -1, index: i, items: c as Scalar[] };
  }
  for (let a = 0; a < e.attrs.length; a++) {
    const v = e.attrs[a]!.value;
    for (let i = 0; i < v.length; i++) if (Array.isArray(v[i])) return { attr: a, index: i, items: v[i] as unknown as Scalar[] };
  }
  return undefined;
}

function replaceAt(e: XElement, loc: ArrayLoc, item: Scalar | null): XElement {
  const splice = (list: XNode[]): XNode[] => {
    const copy = list.slice();
    if (item === null) copy.splice(loc.index, 1);
    else copy[loc.index] = item;
    return copy;
  };
  if (loc.attr < 0) return { kind: 'element', name: e.name, attrs: e.attrs, children: splice(e.children) };
  const attrs: XAttr[] = [];
  e.attrs.forEach((a, i) => {
    if (i !== loc.attr) attrs.push(a);
    else {
      const value = splice(a.value);
      if (value.length > 0) attrs.push({ name: a.name, value });
    }
  });
  return { kind: 'element', name: e.name, attrs, children: e.children };
}
