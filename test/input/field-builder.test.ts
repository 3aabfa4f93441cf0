/**
 * FieldsBuilder gives the object a plain build gives (same keys, order, values, prototype),
 * whether a record's key sequence is new, known, compiled into a literal, or leaves a full tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue, Fields } from '../../src/event/event.js';
import { FieldsBuilder, KeySequences, MAX_KEY_STEPS } from '../../src/input/field-builder.js';
import { setField } from '../../src/input/field-map.js';
import { winEventToEvent } from '../../src/input/winevent.js';
import { sameFields as same } from '../helpers/same-fields.js';
import { prng } from '../helpers/prng.js';

type Op = ['set' | 'ifAbsent', string, FieldValue | undefined];

/** What the builder must equal: a plain object filled op by op, copied. */
function reference(ops: Op[]): Fields {
  const f: Fields = {};
  for (const [how, k, v] of ops) {
    if (how === 'set') setField(f, k, v as FieldValue);
    else if (v !== undefined && !Object.hasOwn(f, k)) setField(f, k, v);
  }
  return { ...f };
}

function built(b: FieldsBuilder, ops: Op[]): Fields {
  b.begin();
  for (const [how, k, v] of ops) {
    if (how === 'set') b.set(k, v as FieldValue);
    else b.setIfAbsent(k, v);
  }
  return b.finish();
}

test('set replaces in place, setIfAbsent keeps the first value, undefined is no value', () => {
  const b = new FieldsBuilder(new KeySequences());
  const ops: Op[] = [
    ['set', 'EventID', 1],
    ['set', 'Channel', 'Security'],
    ['set', 'EventID', 2],
    ['ifAbsent', 'Channel', 'other'],
    ['ifAbsent', 'User', undefined],
    ['ifAbsent', 'User', 'alice'],
    ['ifAbsent', 'User', 'bob'],
  ];
  // New sequence, known sequence, compiled literal, and the compiled literal again.
  for (let i = 0; i < 4; i++) {
    const f = built(b, ops);
    assert.equal(JSON.stringify(f), '{"EventID":2,"Channel":"Security","User":"alice"}');
  }
  // Each record gets its own object.
  const x = built(b, ops);
  x.User = 'changed';
  assert.equal(built(b, ops).User, 'alice');
});

test('random key sequences (hostile names, numeric names, repeats) build as a plain object does, every time they come back', () => {
  const rnd = prng(17);
  const names = ['EventID', 'Channel', '__proto__', 'toString', 'constructor', '0', '12', 'a b', '@timestamp', 'host.name', 'Image', 'Image', 'x'];
  const b = new FieldsBuilder(new KeySequences());
  const sequences: string[][] = [];
  for (let s = 0; s < 40; s++) {
    const n = 1 + Math.floor(rnd() * 14);
    const seq: string[] = [];
    for (let i = 0; i < n; i++) seq.push(names[Math.floor(rnd() * names.length)]!);
    sequences.push(seq);
  }
  for (let round = 0; round < 5; round++) {
    for (const seq of sequences) {
      const ops: Op[] = seq.map((k, i) => [rnd() < 0.5 ? 'set' : 'ifAbsent', k, rnd() < 0.1 ? undefined : rnd() < 0.5 ? `v${round}.${i}` : i]);
      same(built(b, ops), reference(ops));
    }
  }
});

test('a full tree builds new sequences the plain way and keeps the known ones', () => {
  const tree = new KeySequences();
  const b = new FieldsBuilder(tree);
  const known: Op[] = [
    ['set', 'a', 1],
    ['set', 'b', 2],
  ];
  same(built(b, known), { a: 1, b: 2 });
  for (let i = 0; tree.steps < MAX_KEY_STEPS; i++) built(b, [['set', `k${i}`, i]]);
  const fresh: Op[] = [
    ['set', 'a', 1],
    ['set', 'new', 'x'],
    ['ifAbsent', 'a', 9],
    ['set', '__proto__', 'p'],
  ];
  same(built(b, fresh), reference(fresh));
  assert.equal(tree.steps, MAX_KEY_STEPS);
  same(built(b, known), { a: 1, b: 2 });
});

test('winEventToEvent: the same record layout gives the same fields on every sighting (System first, then EventData, first name wins)', () => {
  const record = (n: number): string =>
    JSON.stringify({
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
          Provider_Name: `leaf ${n}`,
          EventID: '1',
          TimeCreated: { '#attributes': { SystemTime: `2026-01-01T00:00:0${n}.000Z` } },
          Computer: `WS${n}`,
        },
        EventData: { Image: `C:\\x${n}.exe`, Computer: 'not the host', CommandLine: `x${n}`, Data: [{ '#text': 'a' }, 'b'] },
      },
    });
  const origin = { file: 'f.json', record: 1, format: 'json' };
  for (let n = 0; n < 5; n++) {
    const ev = winEventToEvent(JSON.parse(record(n)), origin);
    assert.equal(
      JSON.stringify(ev.fields),
      `{"Provider_Name":"leaf ${n}","EventID":1,"TimeCreated_SystemTime":"2026-01-01T00:00:0${n}.000Z","Computer":"WS${n}","Image":"C:\\\\x${n}.exe","CommandLine":"x${n}","Data":["a","b"]}`,
    );
    assert.equal(ev.host, `WS${n}`);
    assert.equal(ev.timestamp, Date.UTC(2026, 0, 1, 0, 0, n));
  }
});
