/**
 * What the auditd decoder keeps between records (process tables, pending maps by node) must
 * not keep the text it was read from: a value sliced from a line is a view of the reader's
 * whole chunk, so one kept slice per host or process would hold a megabyte each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { auditdDecoder } from '../../../src/input/text/auditd.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('auditd: host names and exes kept per host do not keep their 1 MB chunks alive', () => {
  const state = auditdDecoder.open({ file: 'a.log', problems: { report: () => undefined } });
  gc();
  const before = process.memoryUsage().heapUsed;
  let n = 0;
  const hosts = 200;
  for (let h = 0; h < hosts; h++) {
    // One chunk per host, as a reader hands out: every line is a slice of it.
    const lines: string[] = [];
    for (let i = 0; i < 2500; i++) {
      const s = h * 2500 + i;
      lines.push(
        `node=host-${h}.corp.example.com type=SYSCALL msg=audit(1704881472.${String(s % 1000).padStart(3, '0')}:${s}): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=${s} uid=33 comm="x" exe="/usr/lib/app-${h}/bin/x" key="k"`,
        // (Completed at once: open groups hold their lines until they complete, within their own bounds.)
        `node=host-${h}.corp.example.com type=EOE msg=audit(1704881472.${String(s % 1000).padStart(3, '0')}:${s}): `,
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    let start = 0;
    for (let k = 0; k < 10; k++) {
      const nl = chunk.indexOf('\n', start);
      state.line(chunk.slice(start, nl), ++n, () => undefined);
      start = nl + 1;
    }
  }
  gc();
  const held = (process.memoryUsage().heapUsed - before) / 1048576;
  // Each chunk is ~1 MB: holding them would be ~200 MB; what is kept itself is well under 20.
  assert.ok(held < 40, `${held.toFixed(0)} MB held for ${hosts} hosts`);
  state.end(() => undefined);
});

test('auditd: command lines kept per process do not keep their 1 MB chunks alive', () => {
  const state = auditdDecoder.open({ file: 'a.log', problems: { report: () => undefined } });
  gc();
  const before = process.memoryUsage().heapUsed;
  let n = 0;
  const chunks = 200;
  for (let c = 0; c < chunks; c++) {
    // One chunk per group of processes, as a reader hands out: the arguments are slices of it.
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const s = c * 1500 + i;
      const st = `1704881472.${String(s % 1000).padStart(3, '0')}:${s}`;
      lines.push(
        `type=SYSCALL msg=audit(${st}): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=${s} uid=33 comm="x" exe="/bin/x" key="k"`,
        `type=EXECVE msg=audit(${st}): argc=2 a0="/usr/lib/app/bin/worker-${c}" a1="--job=${s}-${'j'.repeat(200)}"`,
        `type=EOE msg=audit(${st}): `,
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    let start = 0;
    for (let k = 0; k < 12; k++) {
      const nl = chunk.indexOf('\n', start);
      state.line(chunk.slice(start, nl), ++n, () => undefined);
      start = nl + 1;
    }
  }
  gc();
  const held = (process.memoryUsage().heapUsed - before) / 1048576;
  // Each chunk is ~1 MB: holding them would be ~200 MB; the command lines themselves are well under 5.
  assert.ok(held < 40, `${held.toFixed(0)} MB held for ${chunks} chunks`);
  state.end(() => undefined);
});
