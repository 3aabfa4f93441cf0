/**
 * Decoders that keep state per attacker-chosen value (auditd `node=` hosts, W3C `#Fields`
 * layouts) stay within a memory bound however many values a file names. Each case runs in a
 * child process with a small heap (--max-old-space-size): before the bounds, these inputs
 * held every host's open event (or every layout) until the end of the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** dist/src/input/text/ as a file URL (this file runs as dist/test/input/text/*.js). */
const TEXT = new URL('../../../src/input/text/', import.meta.url).href;

/** Runs an ES module body in a child with `heapMb` of old space; returns what it printed as JSON. */
function runBounded(heapMb: number, body: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--input-type=module', '-e', body], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `child failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('auditd: a new node= on every event keeps memory bounded and still emits every event, in order', () => {
  const out = runBounded(
    64,
    `
    const { auditdDecoder } = await import(${JSON.stringify(`${TEXT}auditd.js`)});
    const N = 40000;
    const problems = [];
    const st = auditdDecoder.open({ file: 'nodes.log', problems: { report: (p) => problems.push(p.message) } });
    const seen = { auditd: 0, process: 0, ordered: true, sample: null, sampleProcess: null };
    let next = 0;
    const emit = (e) => {
      if (e.logsource.category === 'process_creation') {
        seen.process++;
        if (e.host === 'host-31337') seen.sampleProcess = e.fields;
        return;
      }
      if (e.host !== 'host-' + next) seen.ordered = false;
      next++;
      seen.auditd++;
      if (e.host === 'host-31337') seen.sample = { fields: e.fields, record: e.origin.record, timestamp: e.timestamp };
    };
    let line = 0;
    for (let i = 0; i < N; i++) {
      // SYSCALL and EXECVE of one execve per host, never closed by an EOE record.
      const stamp = (1704881472 + (i >> 7)) + '.100:' + (i + 1);
      st.line('node=host-' + i + ' type=SYSCALL msg=audit(' + stamp + '): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=' + (1000 + (i % 5000)) + ' uid=33 comm="sh" exe="/bin/sh" key="web"', ++line, emit);
      st.line('node=host-' + i + ' type=EXECVE msg=audit(' + stamp + '): argc=3 a0="sh" a1="-c" a2="id ' + i + '"', ++line, emit);
    }
    st.end(emit);
    console.log(JSON.stringify({ ...seen, problems }));
    `,
  );
  assert.deepStrictEqual(out.problems, []);
  assert.equal(out.auditd, 40000);
  assert.equal(out.process, 40000);
  assert.equal(out.ordered, true);
  assert.deepStrictEqual(out.sample, {
    fields: {
      arch: 'c000003e',
      syscall: '59',
      success: 'yes',
      exit: '0',
      items: '1',
      ppid: '1',
      pid: '2337',
      uid: '33',
      comm: 'sh',
      exe: '/bin/sh',
      key: 'web',
      argc: '3',
      type: ['SYSCALL', 'EXECVE'],
      a0: 'sh',
      a1: '-c',
      a2: 'id 31337',
      SYSCALL: 'execve',
    },
    record: 62675,
    timestamp: (1704881472 + (31337 >> 7)) * 1000 + 100,
  });
  assert.deepStrictEqual(out.sampleProcess, { Image: '/bin/sh', CommandLine: 'sh -c id 31337', ProcessId: 2337, ParentProcessId: 1, User: '33' });
});

test('W3C: a #Fields line that changes before every record keeps the caches bounded and decodes every record', () => {
  const out = runBounded(
    64,
    `
    const { w3cDecoder } = await import(${JSON.stringify(`${TEXT}w3c.js`)});
    const { cachedShapes } = await import(${JSON.stringify(`${TEXT}field-shapes.js`)});
    const N = 30000;
    const problems = [];
    const st = w3cDecoder.open({ file: 'u_ex.log', problems: { report: (p) => problems.push(p.message) } });
    let events = 0;
    let wrong = 0;
    let maxShapes = 0;
    let sample = null;
    let line = 0;
    const emit = (e) => {
      const i = events++;
      // Every record must carry exactly its own layout's names and values.
      const f = e.fields;
      if (f['x-' + i + '-0'] !== 'v' + i + '-0' || f['x-' + i + '-19'] !== 'v' + i + '-19' || f['cs-uri-stem'] !== '/p' + i || Object.keys(f).length !== 23) wrong++;
      if (i === 12345) sample = { fields: f, record: e.origin.record, timestamp: e.timestamp };
    };
    for (let i = 0; i < N; i++) {
      const names = [], values = [];
      for (let k = 0; k < 20; k++) { names.push('x-' + i + '-' + k); values.push('v' + i + '-' + k); }
      // Every other layout repeats one seen 64 layouts ago: the LRU may or may not still hold it.
      st.line('#Fields: date time cs-uri-stem ' + names.join(' '), ++line, emit);
      st.line('2024-01-10 10:11:12 /p' + i + ' ' + values.join(' '), ++line, emit);
      maxShapes = Math.max(maxShapes, cachedShapes());
    }
    st.end(emit);
    console.log(JSON.stringify({ events, wrong, maxShapes, sample, problems }));
    `,
  );
  assert.deepStrictEqual(out.problems, []);
  assert.equal(out.events, 30000);
  assert.equal(out.wrong, 0);
  assert.ok((out.maxShapes as number) <= 512, `${String(out.maxShapes)} shapes cached`);
  const fields: Record<string, string> = { date: '2024-01-10', time: '10:11:12', 'cs-uri-stem': '/p12345' };
  for (let k = 0; k < 20; k++) fields[`x-12345-${k}`] = `v12345-${k}`;
  assert.deepStrictEqual(out.sample, { fields, record: 24692, timestamp: Date.UTC(2024, 0, 10, 10, 11, 12) });
});

test('W3C: layouts that come back after others decode with their own columns', () => {
  const out = runBounded(
    64,
    `
    const { w3cDecoder } = await import(${JSON.stringify(`${TEXT}w3c.js`)});
    const problems = [];
    const st = w3cDecoder.open({ file: 'u_ex.log', problems: { report: (p) => problems.push(p.message) } });
    const got = [];
    let line = 0;
    const emit = (e) => got.push(JSON.stringify(e.fields));
    // 200 layouts in turn, three rounds: more than the per-file LRU holds, so some come back evicted.
    for (let round = 0; round < 3; round++) {
      for (let l = 0; l < 200; l++) {
        st.line('#Fields: cs-method c-ip L' + l + ' sc-status', ++line, emit);
        st.line('GET 10.0.0.' + round + ' v' + l + ' ' + (200 + round), ++line, emit);
      }
    }
    st.end(emit);
    console.log(JSON.stringify({ got: [got[0], got[399], got[599]], count: got.length, problems }));
    `,
  );
  assert.deepStrictEqual(out, {
    got: [
      '{"cs-method":"GET","c-ip":"10.0.0.0","l0":"v0","sc-status":200}',
      '{"cs-method":"GET","c-ip":"10.0.0.1","l199":"v199","sc-status":201}',
      '{"cs-method":"GET","c-ip":"10.0.0.2","l199":"v199","sc-status":202}',
    ],
    count: 600,
    problems: [],
  });
});

test('ModSecurity: a request body of many long lines is not held; the transaction still gives its fields', () => {
  const out = runBounded(
    48,
    `
    const { modsecurityDecoder } = await import(${JSON.stringify(`${TEXT}modsecurity.js`)});
    const problems = [];
    const st = modsecurityDecoder.open({ file: 'modsec_audit.log', problems: { report: (p) => problems.push(p.message) } });
    const events = [];
    let line = 0;
    const emit = (e) => events.push(e.fields);
    const feed = (t) => st.line(t, ++line, emit);
    feed('--a1b2c3d4-A--');
    feed('[10/Jan/2024:10:11:12.123456 +0000] ZZ1aBcDeFgH 203.0.113.9 50123 10.0.0.5 80');
    feed('--a1b2c3d4-B--');
    feed('POST /upload.php HTTP/1.1');
    feed('Host: www.example.com');
    feed('--a1b2c3d4-C--');
    // 160 MB of request body, each line a string of its own on the JavaScript heap (Node makes longer ones external).
    for (let i = 0; i < 320; i++) feed(Buffer.alloc(1 << 19, 97 + (i % 26)).toString('latin1'));
    feed('--a1b2c3d4-F--');
    feed('HTTP/1.1 200 OK');
    feed('--a1b2c3d4-H--');
    feed('Action: Intercepted (phase 2)');
    feed('--a1b2c3d4-Z--');
    st.end(emit);
    console.log(JSON.stringify({ events, problems }));
    `,
  );
  assert.deepStrictEqual(out, {
    events: [
      {
        TransactionId: 'ZZ1aBcDeFgH',
        ClientIp: '203.0.113.9',
        ClientPort: 50123,
        ServerIp: '10.0.0.5',
        ServerPort: 80,
        Method: 'POST',
        Uri: '/upload.php',
        Protocol: 'HTTP/1.1',
        RequestLine: 'POST /upload.php HTTP/1.1',
        Host: 'www.example.com',
        Status: 200,
        Intercepted: true,
      },
    ],
    problems: [],
  });
});

test('Zeek: a new _path on every line keeps the logsource memo bounded, and every event names its own path', () => {
  const out = runBounded(
    24,
    `
    const { zeekDecoder } = await import(${JSON.stringify(`${TEXT}zeek.js`)});
    const problems = [];
    const st = zeekDecoder.open({ file: 'zeek.json', problems: { report: (p) => problems.push(p.message) } });
    let n = 0;
    let wrong = 0;
    const emit = (e) => {
      if (e.logsource.product !== 'zeek' || e.logsource.service !== 'p' + n || e.fields.uid !== 'C' + n) wrong++;
      n++;
    };
    for (let i = 0; i < 300000; i++) st.line('{"_path":"p' + i + '","ts":1704881472.5,"uid":"C' + i + '"}', i + 1, emit);
    st.end(emit);
    console.log(JSON.stringify({ n, wrong, problems }));
    `,
  );
  assert.deepStrictEqual(out, { n: 300000, wrong: 0, problems: [] });
});
