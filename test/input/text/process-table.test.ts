import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEEP_CMD, ProcessTable, select, unitsText } from '../../../src/input/text/process-table.js';
import { prng } from '../../helpers/prng.js';

/** The behaviour ProcessTable must have: a Map re-set on every remember, oldest tenth dropped over max. */
class Model {
  readonly map = new Map<number, { exe: string; cmd?: string }>();
  constructor(private readonly max: number) {}
  remember(pid: number, exe: string, cmd: string | undefined): void {
    this.map.delete(pid);
    this.map.set(pid, cmd === undefined ? { exe } : { exe, cmd });
    if (this.map.size > this.max) {
      let drop = this.max / 10;
      for (const k of this.map.keys()) {
        this.map.delete(k);
        if (--drop <= 0) break;
      }
    }
  }
}

test('ProcessTable: remembers, updates and forgets exactly like the Map it replaces', () => {
  const rnd = prng(4242);
  for (const [max, range] of [
    [50, 80],
    [50, 400],
    [7, 20],
    [1000, 3000],
    [65536, 70000],
  ] as const) {
    const table = new ProcessTable(max);
    const model = new Model(max);
    const pidAt = (): number => (rnd() < 0.02 ? 4_000_000_000 + Math.floor(rnd() * 3) : Math.floor(rnd() * range));
    const ops = max > 10000 ? 200_000 : 20_000;
    for (let i = 0; i < ops; i++) {
      const pid = pidAt();
      const cmd = rnd() < 0.5 ? undefined : `c${i}`;
      table.remember(pid, `e${i}`, cmd);
      model.remember(pid, `e${i}`, cmd);
      if (i % 97 === 0 || max < 100) {
        assert.equal(table.size, model.map.size);
        for (let k = 0; k < 20; k++) {
          const q = pidAt();
          assert.equal(table.exeOf(q), model.map.get(q)?.exe, `max ${max} op ${i} pid ${q}`);
          assert.equal(table.cmdOf(q), model.map.get(q)?.cmd);
        }
      }
    }
    for (const [pid, info] of model.map) {
      const e = table.entryOf(pid);
      assert.ok(e >= 0);
      assert.equal(table.exeAt(e), info.exe);
      assert.equal(table.cmdAt(e), info.cmd);
    }
    assert.equal(table.entryOf(-1), -1);
  }
});

test('ProcessTable: remember(..., unlessSameExe) is `exeOf(pid) !== exe` and then remember, in one probe', () => {
  const rnd = prng(99);
  const max = 40;
  const table = new ProcessTable(max);
  const model = new Model(max);
  for (let i = 0; i < 20_000; i++) {
    const pid = Math.floor(rnd() * 100);
    // Few exes, so that the same exe is often already held (then nothing changes, recency included).
    const exe = `e${Math.floor(rnd() * 3)}`;
    const cmd = rnd() < 0.5 ? undefined : `c${i}`;
    table.remember(pid, exe, cmd, true);
    if (model.map.get(pid)?.exe !== exe) model.remember(pid, exe, cmd);
    assert.equal(table.size, model.map.size);
    const q = Math.floor(rnd() * 100);
    assert.equal(table.exeOf(q), model.map.get(q)?.exe, `op ${i} pid ${q}`);
    assert.equal(table.cmdOf(q), model.map.get(q)?.cmd);
  }
});

test('ProcessTable: command lines given as arguments are stored joined by spaces; KEEP_CMD keeps the held one', () => {
  const table = new ProcessTable(100);
  table.remember(1, '/bin/sh', ['sh', '-c', 'echo ü 𝄞']);
  assert.equal(table.cmdOf(1), 'sh -c echo ü 𝄞');
  table.remember(2, '/bin/id', ['id']);
  assert.equal(table.cmdOf(2), 'id');
  // No arguments: no command line (as an empty join is none).
  table.remember(3, '/bin/x', []);
  assert.equal(table.cmdOf(3), undefined);
  table.remember(4, '/bin/e', ['']);
  assert.equal(table.cmdOf(4), '');
  // KEEP_CMD: the pid's command line stays; a new pid gets none.
  table.remember(1, '/bin/other', KEEP_CMD);
  assert.equal(table.exeOf(1), '/bin/other');
  assert.equal(table.cmdOf(1), 'sh -c echo ü 𝄞');
  table.remember(5, '/bin/new', KEEP_CMD);
  assert.equal(table.cmdOf(5), undefined);
  // A lone surrogate comes back as it went in (the text is kept as UTF-16 code units).
  table.remember(6, '/bin/s', '\ud800x');
  assert.equal(table.cmdOf(6), '\ud800x');
  // Long command lines are read back in steps (String.fromCharCode takes bounded arguments).
  const long = 'a'.repeat(5000) + 'b'.repeat(5000);
  table.remember(7, '/bin/long', long);
  assert.equal(table.cmdOf(7), long);
});

/** The pid's command line as the table hands it out: its buffer and range there. */
function heldText(table: ProcessTable, pid: number): { buf: Uint16Array; off: number; len: number } {
  const e = table.entryOf(pid);
  return { buf: table.cmdBuffer, off: table.cmdOffAt(e), len: table.cmdLengthAt(e) };
}

test('ProcessTable: a command line handed out as a buffer range reads the same after the table moves or replaces its text', () => {
  const table = new ProcessTable(1000);
  table.remember(42, '/bin/sh', ['sh', '-c', 'first']);
  const held = heldText(table, 42);
  const before = heldText(table, 42).buf;
  for (let i = 0; i < 5000; i++) table.remember(i % 900, `/bin/p${i % 7}`, [`cmd-${i}`, 'x'.repeat(i % 50)]);
  table.remember(42, '/bin/sh', 'replaced');
  // The table moved its text to new buffers meanwhile; the old one is left as it was.
  assert.notEqual(heldText(table, 42).buf, before);
  assert.equal(unitsText(held.buf, held.off, held.len), 'sh -c first');
  assert.equal(table.cmdOf(42), 'replaced');
  for (let pid = 0; pid < 900; pid++) {
    if (pid === 42) continue;
    const last = pid + 900 * Math.floor((4999 - pid) / 900);
    assert.equal(table.cmdOf(pid), `cmd-${last} ${'x'.repeat(last % 50)}`, `pid ${pid}`);
  }
});

test('ProcessTable: command lines are copied into the table, which keeps no string of its callers', () => {
  const table = new ProcessTable(100);
  const line = 'type=EXECVE msg=audit(1.000:1): argc=2 a0="/usr/bin/python3" a1="-c"';
  const arg = line.slice(line.indexOf('a0="') + 4, line.indexOf('" a1'));
  table.remember(1, '/usr/bin/python3', [arg, '-c']);
  const t = heldText(table, 1);
  // The text lives in a typed array: nothing in it can refer to the line.
  assert.ok(t.buf instanceof Uint16Array);
  assert.equal(unitsText(t.buf, t.off, t.len), '/usr/bin/python3 -c');
  assert.equal(t.len, 19);
});

test('select: the k-th smallest, for any order', () => {
  const rnd = prng(7);
  for (const n of [1, 2, 3, 10, 101, 1000]) {
    const values = Array.from({ length: n }, (_, i) => i * 3 + 1);
    for (const order of ['random', 'sorted', 'reversed']) {
      const xs = order === 'sorted' ? values : order === 'reversed' ? [...values].reverse() : [...values].sort(() => rnd() - 0.5);
      for (const k of [0, Math.floor(n / 10), Math.floor(n / 2), n - 1]) assert.equal(select(Float64Array.from(xs), k), k * 3 + 1, `${order} n ${n} k ${k}`);
    }
  }
});
