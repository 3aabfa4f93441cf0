/** Unit checks of the EVTX building blocks on hand-made inputs (no ../shared needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from '../../src/input/evtx/crc32.js';
import { decodeValue, formatFiletime } from '../../src/input/evtx/values.js';
import { recordToJson } from '../../src/input/evtx/render-json.js';
import { recordToXml } from '../../src/input/evtx/render-xml.js';
import type { XElement, XNode, XAttr } from '../../src/input/evtx/tree.js';
import { evtxDecoder } from '../../src/input/evtx/decoder.js';

function el(name: string, attrs: Record<string, XNode[]>, ...children: XNode[]): XElement {
  const a: XAttr[] = Object.entries(attrs).map(([n, value]) => ({ name: n, value }));
  return { kind: 'element', name, attrs: a, children };
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const big = Buffer.alloc(1000, 7);
  let c = 0xffffffff;
  for (const b of big) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  assert.equal(crc32(big), ~c >>> 0);
});

test('value types decode the way evtx_dump renders them', () => {
  const b = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ''), 'hex');
  const v = (hex: string, type: number): unknown => {
    const buf = b(hex);
    return decodeValue(buf, 0, buf.length, type);
  };
  assert.equal(v('41004200000043', 0x01), 'AB'); // UTF-16, cut at NUL
  assert.equal(v('414200', 0x02), 'AB');
  assert.equal(v('ff', 0x03), -1);
  assert.equal(v('ff', 0x04), 255);
  assert.equal(v('feff', 0x05), -2);
  assert.equal(v('ffffffff', 0x07), -1);
  assert.equal(v('ffffffff', 0x08), 4294967295);
  assert.equal(v('0100000002000000', 0x0a), 8589934593);
  assert.equal(v('0000c03f', 0x0b), '1.5');
  assert.equal(v('000000000000f03f', 0x0c), '1.0');
  assert.equal(v('02000000', 0x0d), true);
  assert.equal(v('00', 0x0d), false);
  assert.equal(v('00ff10', 0x0e), '00FF10');
  assert.equal(v('2596845478549449a5ba3e3b0328c30d', 0x0f), '54849625-5478-4994-A5BA-3E3B0328C30D');
  assert.equal(v('ec7e000000000000', 0x10), '0x7eec');
  assert.equal(v('e7030000', 0x14), '0x3e7');
  assert.equal(v('0000000000000080', 0x15), '0x8000000000000000');
  assert.equal(v('010100000000000512000000', 0x13), 'S-1-5-18');
  assert.equal(v('e1070700030007000a000b000c000d00', 0x12), '2017-07-07T10:11:12.013000Z');
  assert.deepEqual(v('6100000062000000', 0x81), ['a', 'b']);
  assert.deepEqual(v('610000000000620000000000', 0x81), ['a', '', 'b', '']);
  assert.deepEqual(v('0100000002000000', 0x87), [1, 2]);
  assert.equal(v('', 0x00), null);
  assert.equal(v('0100', 0x07), null, 'too short for its type');
  const ft = Buffer.alloc(8);
  ft.writeBigUInt64LE(131124259716816400n);
  assert.equal(formatFiletime(ft, 0), '2016-07-08T04:32:51.681640Z');
});

test('JSON rendering follows the evtx_dump shape', () => {
  const tree = el(
    'Event',
    { xmlns: ['urn:x'] },
    el('System', {}, el('EventID', { Qualifiers: [16384] }, 4625), el('Level', {}, 4), el('Correlation', { ActivityID: [''] }), el('Keywords', {}, '0x80'), el('Flag', {}, true)),
    el('EventData', {}, el('Data', { Name: ['A'] }, 'x  '), el('Data', { Name: ['B'] }), el('Data', { Name: ['C'] }, 7)),
    el('UserData', {}, el('Info', {}, el('Header', {}, 'h1'), el('Header', {}, 'h2'), el('Header', {}, 'h3'), el('Mixed', { a: ['1'] }, 'text'))),
  );
  assert.deepStrictEqual(recordToJson(tree), {
    Event: {
      '#attributes': { xmlns: 'urn:x' },
      System: {
        EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 4625 },
        Level: 4,
        Correlation: null,
        Keywords: '0x80',
        Flag: true,
      },
      EventData: { A: 'x', B: '', C: 7 },
      UserData: { Info: { Header: 'h1', Header_1: 'h2', Header_2: 'h3', Mixed: { '#attributes': { a: '1' }, '#text': 'text' } } },
    },
  });
  const positional = el('Event', {}, el('EventData', {}, el('Data', {}, 'a'), el('Data', {}), el('Binary', {}, '')));
  assert.deepStrictEqual(recordToJson(positional), { Event: { EventData: { Data: { '#text': ['a', ''] }, Binary: null } } });
  const one = el('Event', {}, el('EventData', {}, el('Data', {}, 'only')));
  assert.deepStrictEqual(recordToJson(one), { Event: { EventData: { Data: { '#text': 'only' } } } });
  const proto = recordToJson(el('Event', {}, el('__proto__', {}, 'x')));
  assert.equal(Object.getPrototypeOf(proto['Event']), Object.prototype);
  assert.deepEqual(Object.keys(proto['Event'] as object), ['__proto__']);
});

test('XML rendering: declaration, indentation, inline text, empty elements, escaping', () => {
  const tree = el(
    'Event',
    { xmlns: ['urn:x'], Empty: [''] },
    el('A', { q: ['say "hi" & <go>'] }),
    el('B', {}, 'a<b & c>'),
    el('C', {}, ''),
    el('D', {}, { kind: 'entity', name: 'quot' }, 'x', { kind: 'charref', code: 65 }),
  );
  assert.equal(
    recordToXml(tree),
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<Event xmlns="urn:x">',
      '  <A q="say &quot;hi&quot; &amp; &lt;go&gt;">',
      '  </A>',
      '  <B>a&lt;b &amp; c&gt;</B>',
      '  <C></C>',
      '  <D>&quot;x&#65;</D>',
      '</Event>',
    ].join('\n'),
  );
});

test('the decoder recognises EVTX files by their magic', () => {
  assert.equal(evtxDecoder.sniffBytes(Buffer.from('ElfFile\0rest', 'latin1')), 1);
  assert.equal(evtxDecoder.sniffBytes(Buffer.from('{"Event":{}}')), 0);
  assert.equal(evtxDecoder.sniffBytes(Buffer.alloc(3)), 0);
});
