import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessTable } from '../../../src/input/text/process-table.js';
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
