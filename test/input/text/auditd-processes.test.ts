import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeProcesses } from '../../../src/input/text/auditd-processes.js';
import { detached } from '../../../src/input/text/common.js';

test('NodeProcesses: tables per host, the least recently used hosts forgotten past the host limit', () => {
  const p = new NodeProcesses(100, 10_000, 8);
  p.remember('steady', 1, '/bin/steady', undefined);
  for (let i = 0; i < 50; i++) {
    p.remember(`h${i}`, 7, `/bin/h${i}`, `cmd ${i}`);
    // One host in steady use is never the least recently used one.
    assert.equal(p.of('steady').exeOf(1), '/bin/steady');
    assert.ok(p.nodeCount <= 8, `${p.nodeCount} hosts`);
  }
  assert.equal(p.of('h49').cmdOf(7), 'cmd 49');
  // A forgotten host starts empty again.
  assert.equal(p.of('h0').exeOf(7), undefined);
  // Records without node= share one table.
  p.remember(undefined, 9, '/bin/local', undefined);
  assert.equal(p.of('').exeOf(9), '/bin/local');
});

test('NodeProcesses: the processes of all hosts together stay within the budget', () => {
  const p = new NodeProcesses(1000, 5000, 4096);
  for (let h = 0; h < 100; h++) {
    for (let pid = 0; pid < 900; pid++) p.remember(`h${h}`, pid, '/bin/x', undefined);
    assert.ok(p.processCount <= 5000, `${p.processCount} processes held`);
  }
  // The host written last keeps all of its processes.
  assert.equal(p.of('h99').size, 900);
  assert.equal(p.of('h99').exeOf(0), '/bin/x');
});

test('NodeProcesses: detached copies keep the text of any string', () => {
  const line = `type=SYSCALL msg=audit(1.000:1): exe="/usr/sbin/apache2" comm="x"`;
  const exe = line.slice(line.indexOf('"') + 1, line.indexOf('"', line.indexOf('"') + 1));
  assert.equal(detached(exe), '/usr/sbin/apache2');
  assert.equal(detached('/bin/sh'), '/bin/sh');
  assert.equal(detached(''), '');
  const p = new NodeProcesses(10, 40, 4);
  p.remember(undefined, 1, exe, undefined);
  p.remember(undefined, 2, `${exe}`, 'a b');
  p.remember(undefined, 1, '/usr/bin/other-binary', 'c');
  assert.equal(p.of(undefined).exeOf(2), '/usr/sbin/apache2');
  assert.equal(p.of(undefined).exeOf(1), '/usr/bin/other-binary');
  assert.equal(p.of(undefined).cmdOf(1), 'c');
});
