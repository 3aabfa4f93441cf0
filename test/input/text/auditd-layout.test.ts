/**
 * The auditd scanner remembers each record type's key layouts (see auditd-layout.ts); what it
 * decodes must not depend on what it has seen before. Every record here is decoded both by a
 * decoder that has just seen records of the same type in other layouts and by a fresh one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditdDecoder } from '../../../src/input/text/auditd.js';
import type { Event } from '../../../src/event/event.js';
import { plainEvent } from '../../../src/event/lazy-event.js';

/** Bodies for one record type: small variations of one layout, and things no layout covers. */
const BODIES = [
  'item=0 name="/etc/passwd" inode=1 dev=08:01 mode=0100644 nametype=NORMAL',
  'item=1 name="/etc/shadow" inode=2 dev=08:01 mode=0100640 nametype=NORMAL',
  'item=0 name=2F746D702F78 inode=3 dev=08:01 mode=0100644 nametype=NORMAL',
  'item=0 name="/a b" inode= dev=08:01 mode=0100644 nametype=NORMAL',
  'item=0  name="/x"   inode=4 dev=08:01 mode=0100644 nametype=NORMAL  ',
  'item=0 name="/x"inode=4 dev=08:01 mode=0100644 nametype=NORMAL',
  'item=0 name="/unterminated inode=5',
  'item=0 bare word name="/y" inode=6',
  "item=0 name='k=v w=x' inode=7",
  'item=0 name={ a=1 } inode=8',
  'item=0 name="/z" inode=9 key=(null) key="k"',
  'item=0 name="/z" inode=9 key=6162',
  'item=0 name="/z" inode=9\u001dUID="root" GID="root"',
  'item=0 name="/z" inode=9 trailing',
  'item=0 name="/z" inode=9 =x',
  'item=0 name="/z" inode=9 a0=41 a1[0]=42 a1_len=2',
  'item=0 name="/z" inode="q"',
  'item=0 name="/z" inode={',
  'item=0 name="/z" inode=\'',
  'item=0 name="/z" inode=9 inode=10',
  '',
];

const TYPES = ['PATH', 'EXECVE', 'SYSCALL', 'CWD', 'SOME_OTHER'];

function decodeAll(lines: string[]): Event[] {
  const events: Event[] = [];
  const state = auditdDecoder.open({ file: 'a.log', problems: { report: () => undefined } });
  lines.forEach((l, i) => {
    state.line(l, i + 1, (e) => {
      events.push(plainEvent(e));
    });
  });
  state.end((e) => events.push(plainEvent(e)));
  return events;
}

test('auditd: a record decodes the same whatever layouts its type had before', () => {
  let serial = 100;
  for (const type of TYPES) {
    // Each body three times in a row (so its layout is learned and then used), the bodies in turn.
    const records: string[] = [];
    for (const body of BODIES) for (let k = 0; k < 3; k++) records.push(`type=${type} msg=audit(1700000000.${String(serial % 1000).padStart(3, '0')}:${serial++}): ${body}`);
    const warm: Event[] = [];
    const state = auditdDecoder.open({ file: 'a.log', problems: { report: () => undefined } });
    records.forEach((l, i) => {
      // (Fields are read as each event comes, while the decoder's layouts are those it has then.)
      state.line(l, i + 1, (e) => warm.push(plainEvent(e)));
      state.line(l.replace(/ .*/, ' ').replace(/^type=\w+/, 'type=EOE') + l.slice(l.indexOf('msg='), l.indexOf('):') + 2), i + 1, (e) => warm.push(plainEvent(e)));
    });
    state.end((e) => warm.push(plainEvent(e)));
    const cold = records.flatMap((l, i) => decodeAll([l]).map((e) => ({ ...e, origin: { ...e.origin, record: i + 1 } })));
    assert.equal(warm.length, cold.length, type);
    for (let i = 0; i < warm.length; i++) {
      assert.deepStrictEqual(warm[i], cold[i], `${type} ${records[i]}`);
      assert.deepStrictEqual(Object.keys(warm[i]!.fields), Object.keys(cold[i]!.fields), `${type} ${records[i]}`);
    }
  }
});

test('auditd: a key of many kilobytes is decoded by the plain scan (no layout pattern V8 cannot compile)', () => {
  // Before, the third such record made learnLayout build a pattern with the key in it, and
  // `new RegExp` threw "Regular expression too large", ending the file's decoding.
  const key = `k${'x'.repeat(100_000)}`;
  const lines: string[] = [];
  for (let i = 1; i <= 4; i++) lines.push(`type=PATH msg=audit(1700000000.000:${i}): item=0 ${key}=v${i} name="/p${i}"`);
  const events = decodeAll(lines);
  assert.equal(events.length, 4);
  events.forEach((e, i) => {
    assert.equal(e.fields[key], `v${i + 1}`);
    assert.equal(e.fields.name, `/p${i + 1}`);
    assert.deepStrictEqual(Object.keys(e.fields), ['item', key, 'name', 'type']);
  });
});
