/**
 * Hand-built EVTX files for the BinXml paths real logs rarely take: templates referenced
 * before their definition was seen, elements without a dependency id, CDATA / PI /
 * character and entity references, array substitutions, and a record crafted to expand
 * exponentially (must be refused, not allocated).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { readEvtxTrees } from '../../src/input/evtx/reader.js';
import { recordToJson } from '../../src/input/evtx/render-json.js';
import { recordToXml } from '../../src/input/evtx/render-xml.js';
import { crc32 } from '../../src/input/evtx/crc32.js';

/** Writes BinXml into a chunk, tracking chunk-relative offsets (names and templates are referenced by them). */
class ChunkWriter {
  readonly buf = Buffer.alloc(65536);
  pos = 512;
  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  utf16(s: string): this {
    this.pos += this.buf.write(s, this.pos, 'utf16le');
    return this;
  }
  /** A name reference followed by the name itself (inline). */
  name(s: string): this {
    this.u32(this.pos + 4);
    return this.u32(0).u16(0).u16(s.length).utf16(s).u16(0);
  }
  open(name: string, opts: { attrs?: () => void; dep?: boolean } = {}): this {
    this.u8(opts.attrs ? 0x41 : 0x01);
    if (opts.dep !== false) this.u16(0xffff);
    this.u32(0).name(name);
    if (opts.attrs) {
      this.u32(0);
      opts.attrs();
    }
    return this.u8(0x02);
  }
  close(): this {
    return this.u8(0x04);
  }
  text(s: string): this {
    return this.u8(0x05).u8(0x01).u16(s.length).utf16(s);
  }
  attr(name: string, value: () => void): this {
    this.u8(0x06).name(name);
    value();
    return this;
  }
  sub(index: number, type: number, optional = false): this {
    return this.u8(optional ? 0x0e : 0x0d)
      .u16(index)
      .u8(type);
  }
  /** Template instance; `def` writes the definition body when given (inline), else `defOffset` is referenced. */
  instance(def: (() => void) | number, values: { type: number; bytes: Buffer }[]): this {
    this.u8(0x0c).u8(0x01).u32(0);
    if (typeof def === 'number') this.u32(def);
    else {
      const defOff = this.pos + 4;
      this.u32(defOff).u32(0);
      this.buf.fill(0xab, this.pos, this.pos + 16);
      this.pos += 16;
      const sizeAt = this.pos;
      this.u32(0);
      const start = this.pos;
      this.u8(0x0f).u8(1).u8(1).u8(0);
      def();
      this.u8(0x00);
      this.buf.writeUInt32LE(this.pos - start, sizeAt);
    }
    this.u32(values.length);
    for (const v of values) this.u16(v.bytes.length).u8(v.type).u8(0);
    for (const v of values) {
      v.bytes.copy(this.buf, this.pos);
      this.pos += v.bytes.length;
    }
    return this;
  }
  /** One record around `body` (which writes the BinXml). Returns the offset of its template definition, if any. */
  record(id: number, body: () => void): void {
    const start = this.pos;
    this.u32(0x00002a2a).u32(0);
    this.buf.writeBigUInt64LE(BigInt(id), this.pos);
    this.pos += 8;
    this.buf.writeBigUInt64LE(132000000000000000n, this.pos);
    this.pos += 8;
    this.u8(0x0f).u8(1).u8(1).u8(0);
    body();
    this.u8(0x00);
    while ((this.pos - start + 4) % 8) this.u8(0);
    const size = this.pos - start + 4;
    this.u32(size);
    this.buf.writeUInt32LE(size, start + 4);
  }
  /** The finished file: header + this chunk, all checksums right. */
  file(firstId: number, lastId: number): Buffer {
    const c = this.buf;
    c.write('ElfChnk\0', 0, 'latin1');
    c.writeBigUInt64LE(BigInt(firstId), 8);
    c.writeBigUInt64LE(BigInt(lastId), 16);
    c.writeBigUInt64LE(BigInt(firstId), 24);
    c.writeBigUInt64LE(BigInt(lastId), 32);
    c.writeUInt32LE(128, 40);
    c.writeUInt32LE(this.pos, 48);
    c.writeUInt32LE(crc32(c, 512, this.pos), 52);
    c.writeUInt32LE(crc32(Buffer.concat([c.subarray(0, 120), c.subarray(128, 512)])), 124);
    const h = Buffer.alloc(4096);
    h.write('ElfFile\0', 0, 'latin1');
    h.writeBigUInt64LE(1n, 24);
    h.writeUInt32LE(128, 32);
    h.writeUInt16LE(1, 36);
    h.writeUInt16LE(3, 38);
    h.writeUInt16LE(4096, 40);
    h.writeUInt16LE(1, 42);
    h.writeUInt32LE(crc32(h, 0, 120), 124);
    return Buffer.concat([h, c]);
  }
}

const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');

async function read(file: Buffer): Promise<{ json: unknown[]; xml: string[]; problems: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-evtx-synth-'));
  try {
    const path = join(dir, 'x.evtx');
    writeFileSync(path, file);
    const problems = new ProblemList();
    const json: unknown[] = [];
    const xml: string[] = [];
    for await (const r of readEvtxTrees(path, { problems })) {
      json.push(recordToJson(r.tree));
      xml.push(recordToXml(r.tree));
    }
    return { json, xml, problems: problems.problems.map((p) => `${p.record ?? '-'}: ${p.message}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('templates are defined inline once and reused by offset; arrays repeat their element', async () => {
  const w = new ChunkWriter();
  let defOffset = 0;
  const def = (): void => {
    w.open('Event').open('EventID').sub(0, 0x06).close();
    w.open('EventData')
      .open('Data')
      .sub(1, 0x81)
      .close()
      .open('Data', { attrs: () => w.attr('Name', () => w.text('Extra')) })
      .sub(2, 0x01, true)
      .close()
      .close();
    w.close();
  };
  w.record(1, () => {
    defOffset = w.pos + 10;
    w.instance(def, [
      { type: 0x06, bytes: Buffer.from([0x10, 0x27]) },
      { type: 0x81, bytes: utf16('a\0\0b\0') },
      { type: 0x01, bytes: utf16('x  ') },
    ]);
  });
  w.record(2, () => {
    w.instance(defOffset, [
      { type: 0x06, bytes: Buffer.from([0x01, 0x00]) },
      { type: 0x81, bytes: utf16('only\0') },
      { type: 0x00, bytes: Buffer.alloc(0) },
    ]);
  });
  const { json, xml, problems } = await read(w.file(1, 2));
  assert.deepEqual(problems, []);
  assert.deepStrictEqual(json, [{ Event: { EventID: 10000, EventData: { Extra: 'x' } } }, { Event: { EventID: 1, EventData: { Extra: '' } } }]);
  assert.equal(
    xml[0],
    '<?xml version="1.0" encoding="utf-8"?>\n<Event>\n  <EventID>10000</EventID>\n  <EventData>\n    <Data>a</Data>\n    <Data>\n    </Data>\n    <Data>b</Data>\n    <Data Name="Extra">x  </Data>\n  </EventData>\n</Event>',
  );
});

test('elements without a dependency id, CDATA, PI, character and entity references', async () => {
  const w = new ChunkWriter();
  w.record(7, () => {
    w.open('Event', { dep: false });
    w.open('A', { dep: false }).u8(0x07).u16(3).utf16('<x>').close();
    w.open('B').u8(0x09).name('amp').u8(0x48).u16(0x41).text('!').close();
    w.u8(0x0a).name('pi').u8(0x0b).u16(2).utf16('go');
    w.close();
  });
  const { json, xml, problems } = await read(w.file(7, 7));
  assert.deepEqual(problems, []);
  assert.deepStrictEqual(json, [{ Event: { A: '<x>', B: '&A!' } }]);
  assert.equal(xml[0], '<?xml version="1.0" encoding="utf-8"?>\n<Event>\n  <A>\n    <![CDATA[<x>]]>\n  </A>\n  <B>&amp;&#65;!</B>\n  <?pi go?>\n</Event>');
});

test('a template used before its definition is parsed from its offset', async () => {
  const w = new ChunkWriter();
  let defOffset = 0;
  w.record(1, () => {
    defOffset = w.pos + 10;
    w.instance(() => w.open('Event').sub(0, 0x01).close(), [{ type: 0x01, bytes: utf16('one') }]);
  });
  w.record(2, () => w.instance(defOffset, [{ type: 0x01, bytes: utf16('two') }]));
  const file = w.file(1, 2);
  // wreck record 1's header so the reader meets the reference first
  file.writeUInt32LE(0xdeadbeef, 4096 + 512);
  const { json, problems } = await read(file);
  assert.deepStrictEqual(json, [{ Event: 'two' }]);
  assert.ok(
    problems.some((p) => /no event record at chunk offset 512/.test(p)),
    problems.join('\n'),
  );
  assert.ok(problems.includes('-: event records CRC32 mismatch'), problems.join('\n'));
});

test('a record that would expand exponentially is refused, not allocated', async () => {
  // value 0 is embedded BinXml holding an instance of a template that repeats value 0 ten
  // times; nest that 12 deep and the naive expansion has 10^12 elements
  const w = new ChunkWriter();
  w.record(1, () => {
    let defOffset = 0;
    const start = w.pos;
    // the template: <R>%0 x10</R>; written once inline, then referenced by offset
    w.instance(() => {
      w.open('R');
      for (let i = 0; i < 10; i++) w.sub(0, 0x21);
      w.close();
    }, []);
    defOffset = start + 10;
    // now build nested embedded values bottom-up in a scratch area of the same chunk
    let value = Buffer.alloc(0);
    for (let level = 0; level < 12; level++) {
      const scratch = new ChunkWriter();
      scratch.pos = w.pos + 64; // keep offsets plausible; content is position independent
      scratch
        .u8(0x0f)
        .u8(1)
        .u8(1)
        .u8(0)
        .instance(defOffset, [{ type: 0x21, bytes: value }])
        .u8(0x00);
      value = Buffer.from(scratch.buf.subarray(w.pos + 64, scratch.pos));
    }
    w.instance(defOffset, [{ type: 0x21, bytes: value }]);
  });
  const started = Date.now();
  const { json, problems } = await read(w.file(1, 1));
  assert.ok(Date.now() - started < 5000);
  assert.equal(json.length, 0);
  assert.ok(
    problems.some((p) => /expands to more than/.test(p)),
    problems.join('\n'),
  );
});
