/**
 * Text decoder throughput against the bare line-splitting floor (read + decode UTF-8 + split).
 * Generates a seeded access log and auditd log under /tmp (size: WARDEN_BENCH_MB, default
 * 256 MB in total, reused between runs) and prints lines/s per decoder and the share of the
 * floor it reaches (target ≥ 50% by CPU time). The other decoders run over their test
 * fixtures repeated to 1/16 of that size each (their own logs are rarely large); W3C also
 * runs over a generated IIS log of that size, as its fixture is a third directives. Each
 * figure is the median of WARDEN_BENCH_REPEATS (3) runs after a warm-up, floor and decoder
 * alternating in one process; CPU time is reported next to wall time because the machine
 * may be shared. Each decoder is also timed with the fields the built-in rule pack reads for
 * the event's logsource read from every event (rule-fields.ts), the figure a hunt pays.
 * WARDEN_BENCH_DECODERS=access,auditd picks decoders (then the hostile inputs are skipped).
 * Last, hostile inputs (a W3C `#Fields` line before every record, a new
 * auditd `node=` on every event) at two sizes show that their cost per record stays flat.
 */
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, statSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { LineDecoder } from '../src/input/decoder.js';
import type { Event } from '../src/event/event.js';
import { RuleFieldReader } from './rule-fields.js';
import { accessDecoder } from '../src/input/text/access.js';
import { auditdDecoder } from '../src/input/text/auditd.js';
import { w3cDecoder } from '../src/input/text/w3c.js';
import { syslogDecoder } from '../src/input/text/syslog.js';
import { teamcityDecoder } from '../src/input/text/teamcity.js';
import { jenkinsDecoder } from '../src/input/text/jenkins.js';
import { zeekDecoder } from '../src/input/text/zeek.js';
import { mssqlDecoder } from '../src/input/text/mssql.js';
import { modsecurityDecoder } from '../src/input/text/modsecurity.js';
import { sysmonLinuxDecoder } from '../src/input/text/sysmon-linux.js';
import { mysqlDecoder } from '../src/input/text/mysql.js';
import { postgresqlDecoder } from '../src/input/text/postgresql.js';
import { suricataDecoder } from '../src/input/text/suricata.js';
import * as fx from '../test/input/text/fixtures.js';
import { prng } from '../test/helpers/prng.js';

const DIR = '/tmp/warden-bench';
/** What the built-in rule pack reads of each event (loaded once). */
const ruleFields = new RuleFieldReader();

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PATHS = ['/index.php', '/wp-login.php', '/static/app.js', '/api/v1/items', '/uploads/img.png', '/search', '/shell.aspx'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'sqlmap/1.7',
];
const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

function accessLine(rnd: () => number, t: number): string {
  const d = new Date(t);
  const ip = `${10 + Math.floor(rnd() * 200)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`;
  const path = PATHS[Math.floor(rnd() * PATHS.length)];
  const q = rnd() < 0.4 ? `?id=${Math.floor(rnd() * 100000)}&q=a%20b` : '';
  const stamp = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  const ua = AGENTS[Math.floor(rnd() * AGENTS.length)];
  const ref = rnd() < 0.5 ? '-' : 'https://www.example.com/';
  return `${ip} - - [${stamp}] "${rnd() < 0.8 ? 'GET' : 'POST'} ${path}${q} HTTP/1.1" ${rnd() < 0.9 ? 200 : 404} ${Math.floor(rnd() * 50000)} "${ref}" "${ua}"`;
}

function auditdEvent(rnd: () => number, t: number, serial: number): string {
  const ts = `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}:${serial}`;
  const pid = 1000 + Math.floor(rnd() * 30000);
  const ppid = 1000 + Math.floor(rnd() * 30000);
  const exes = ['/usr/bin/bash', '/usr/bin/curl', '/usr/sbin/apache2', '/usr/bin/python3', '/usr/bin/id'];
  const exe = exes[Math.floor(rnd() * exes.length)]!;
  const comm = exe.slice(exe.lastIndexOf('/') + 1);
  return [
    `type=SYSCALL msg=audit(${ts}): arch=c000003e syscall=59 success=yes exit=0 a0=55d0c1 a1=55d0c2 a2=55d0c3 a3=0 items=2 ppid=${ppid} pid=${pid} auid=1000 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4 comm="${comm}" exe="${exe}" key="exec"`,
    `type=EXECVE msg=audit(${ts}): argc=3 a0="${comm}" a1="-c" a2="echo ${Math.floor(rnd() * 1e6)}"`,
    `type=CWD msg=audit(${ts}): cwd="/var/www/html"`,
    `type=PATH msg=audit(${ts}): item=0 name="${exe}" inode=${Math.floor(rnd() * 1e6)} dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
    `type=PATH msg=audit(${ts}): item=1 name="/lib64/ld-linux-x86-64.so.2" inode=2 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
    `type=PROCTITLE msg=audit(${ts}): proctitle=${Buffer.from(`${comm}\u0000-c\u0000echo`).toString('hex').toUpperCase()}`,
    `type=EOE msg=audit(${ts}): `,
  ].join('\n');
}

const IIS_FIELDS =
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';

/** One IIS record (every 50,000th line restarts the log's directives, as a service restart does). */
function iisLine(rnd: () => number, t: number, i: number): string {
  const d = new Date(t);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const head = i % 50000 === 0 ? `#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: ${stamp}\n${IIS_FIELDS}\n` : '';
  const ip = `${10 + Math.floor(rnd() * 200)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`;
  const path = PATHS[Math.floor(rnd() * PATHS.length)];
  const q = rnd() < 0.4 ? `id=${Math.floor(rnd() * 100000)}&q=a%20b` : '-';
  const ua = AGENTS[Math.floor(rnd() * AGENTS.length)]!.replaceAll(' ', '+');
  const ref = rnd() < 0.5 ? '-' : 'https://www.example.com/';
  const user = rnd() < 0.1 ? 'CORP\\alice' : '-';
  return `${head}${stamp} 10.0.0.5 ${rnd() < 0.8 ? 'GET' : 'POST'} ${path} ${q} 443 ${user} ${ip} ${ua} ${ref} ${rnd() < 0.9 ? 200 : 404} 0 0 ${Math.floor(rnd() * 500)}`;
}

function generate(path: string, bytes: number, make: (rnd: () => number, i: number) => string): void {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  const fd = openSync(path, 'w');
  const rnd = prng(42);
  let written = 0;
  let i = 0;
  try {
    while (written < bytes) {
      const chunk: string[] = [];
      for (let k = 0; k < 2000; k++) chunk.push(make(rnd, i++));
      const buf = Buffer.from(chunk.join('\n') + '\n');
      writeSync(fd, buf);
      written += buf.length;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads and splits lines, calling `onLine` for each; returns the line count. */
async function splitLines(path: string, onLine: (line: string, n: number) => void): Promise<number> {
  const dec = new StringDecoder('utf8');
  let carry = '';
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + dec.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), ++n);
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  carry += dec.end();
  if (carry.length > 0) onLine(carry, ++n);
  return n;
}

interface Timing {
  lines: number;
  wallSecs: number;
  /** This process's CPU time (user + system): steadier than wall time on a shared machine. */
  cpuSecs: number;
}

async function timed(f: () => Promise<number>): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const lines = await f();
  const wallSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return { lines, wallSecs, cpuSecs: (cpu.user + cpu.system) / 1e6 };
}

const REPEATS = Math.max(1, Number(process.env.WARDEN_BENCH_REPEATS ?? 3));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function show(label: string, ts: Timing[]): void {
  const lines = ts[0]!.lines;
  const wall = median(ts.map((t) => t.wallSecs));
  const cpu = median(ts.map((t) => t.cpuSecs));
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(11);
  process.stdout.write(
    `  ${label.padEnd(22)} ${lines.toLocaleString('en-US').padStart(11)} lines  wall ${wall.toFixed(2).padStart(6)} s ${fmt(lines / wall)} lines/s  cpu ${cpu.toFixed(2).padStart(6)} s ${fmt(lines / cpu)} lines/s\n`,
  );
}

/**
 * One warm-up pass of the floor and the decoder (JIT, page cache), then REPEATS alternating
 * timed passes in this process; ratios are of the medians. The share of the floor is (floor
 * time / decoder time): 50% means decoding costs as much as reading and splitting. The third
 * pass also reads, from every event, the fields the built-in rule pack reads for its logsource
 * (see rule-fields.ts): the figure a hunt pays, whatever a decoder defers until a field is read.
 */
async function benchDecoder(decoder: LineDecoder, path: string): Promise<void> {
  let sink = 0;
  const floorPass = (): Promise<number> => splitLines(path, (l) => (sink += l.length & 1));
  let events = 0;
  let problems = 0;
  const decodePass = async (read: boolean): Promise<number> => {
    events = 0;
    problems = 0;
    const state = decoder.open({ file: path, problems: { report: () => problems++ } });
    const emit = read
      ? (ev: Event): void => {
          events++;
          sink += ruleFields.read(ev) & 1;
        }
      : (): void => {
          events++;
        };
    const n = await splitLines(path, (l, i) => state.line(l, i, emit));
    state.end(emit);
    return n;
  };
  await floorPass();
  await decodePass(false);
  await decodePass(true);
  const floor: Timing[] = [];
  const run: Timing[] = [];
  const withReads: Timing[] = [];
  for (let r = 0; r < REPEATS; r++) {
    floor.push(await timed(floorPass));
    run.push(await timed(() => decodePass(false)));
    withReads.push(await timed(() => decodePass(true)));
  }
  show('floor (read + split)', floor);
  show(`${decoder.format} decoder`, run);
  show('  + rule fields read', withReads);
  const pct = (of: Timing[], f: (t: Timing) => number): string => `${((median(floor.map(f)) / median(of.map(f))) * 100).toFixed(0)}%`;
  process.stdout.write(
    `  -> ${events.toLocaleString('en-US')} events, ${problems} problems; ${pct(run, (t) => t.cpuSecs)} of the floor by CPU time, ${pct(run, (t) => t.wallSecs)} by wall time (target ≥ 50% by CPU time);\n` +
      `     with the rule pack's fields read: ${pct(withReads, (t) => t.cpuSecs)} by CPU time, ${pct(withReads, (t) => t.wallSecs)} by wall time\n`,
  );
  if (sink < 0) process.stdout.write('');
}

/** WARDEN_BENCH_DECODERS=access,w3c: only those decoders (and no hostile inputs); default all. */
const ONLY = process.env.WARDEN_BENCH_DECODERS?.split(',').filter((x) => x !== '');
const wanted = (format: string): boolean => ONLY === undefined || ONLY.length === 0 || ONLY.includes(format);

export async function run(): Promise<void> {
  const totalMb = Number(process.env.WARDEN_BENCH_MB ?? 256);
  const each = Math.max(1, Math.floor((totalMb * 1024 * 1024) / 2));
  mkdirSync(DIR, { recursive: true });
  const start = Date.UTC(2024, 0, 10);
  const access = `${DIR}/access-${totalMb}mb.log`;
  const audit = `${DIR}/audit-${totalMb}mb.log`;
  process.stdout.write(`generating ${totalMb} MB of logs under ${DIR} (reused between runs)\n`);
  process.stdout.write(
    `median of ${REPEATS} runs after a warm-up (WARDEN_BENCH_REPEATS); CPU time (process.cpuUsage) is the figure to trust:\n` +
      'wall time includes waiting for the CPU when the machine is shared with other work.\n',
  );
  generate(access, each, (rnd, i) => accessLine(rnd, start + i * 37));
  generate(audit, each, (rnd, i) => auditdEvent(rnd, start + i * 11, i + 1));
  if (wanted('access')) {
    process.stdout.write(`access log: ${(statSync(access).size / 1048576).toFixed(0)} MB\n`);
    await benchDecoder(accessDecoder, access);
  }
  if (wanted('auditd')) {
    process.stdout.write(`auditd log: ${(statSync(audit).size / 1048576).toFixed(0)} MB\n`);
    await benchDecoder(auditdDecoder, audit);
  }
  const iis = `${DIR}/iis-${totalMb}mb.log`;
  generate(iis, Math.max(1, Math.floor(each / 8)), (rnd, i) => iisLine(rnd, start + i * 37, i));
  if (wanted('w3c')) {
    process.stdout.write(`w3c (generated IIS log): ${(statSync(iis).size / 1048576).toFixed(0)} MB\n`);
    await benchDecoder(w3cDecoder, iis);
  }
  const others: Array<[LineDecoder, string]> = [
    [w3cDecoder, fx.W3C],
    [syslogDecoder, `${fx.SYSLOG}\n${fx.ESXI}`],
    [teamcityDecoder, `${fx.TEAMCITY_ACTIVITIES}\n${fx.TEAMCITY_REST}\n${fx.TEAMCITY_SERVER}`],
    [jenkinsDecoder, fx.JENKINS],
    [zeekDecoder, fx.ZEEK_HTTP_TSV],
    [mssqlDecoder, fx.MSSQL],
    [modsecurityDecoder, fx.MODSEC_NATIVE],
    [sysmonLinuxDecoder, fx.SYSMON_LINUX],
    [mysqlDecoder, fx.MYSQL_GENERAL],
    [postgresqlDecoder, fx.POSTGRESQL],
    [suricataDecoder, fx.SURICATA_EVE],
  ];
  const small = Math.max(1, Math.floor(each / 8));
  for (const [decoder, text] of others) {
    if (!wanted(decoder.format)) continue;
    const path = `${DIR}/${decoder.format}-${totalMb}mb.log`;
    const lines = text.split('\n');
    generate(path, small, (_rnd, i) => lines[i % lines.length]!);
    process.stdout.write(`${decoder.format}: ${(statSync(path).size / 1048576).toFixed(0)} MB (fixture repeated)\n`);
    await benchDecoder(decoder, path);
  }
  if (ONLY === undefined || ONLY.length === 0) await benchHostile();
}

/** CPU µs per record for consecutive blocks of `records` records fed to one decoder state. */
function blockCosts(decoder: LineDecoder, make: (from: number, count: number) => string[], records: number, blocks: number): number[] {
  const state = decoder.open({ file: 'hostile.log', problems: { report: () => undefined } });
  const emit = (): void => undefined;
  const out: number[] = [];
  let lineNo = 0;
  for (let b = 0; b < blocks; b++) {
    const lines = make(b * records, records);
    const c0 = process.cpuUsage();
    for (const l of lines) state.line(l, ++lineNo, emit);
    const c = process.cpuUsage(c0);
    out.push((c.user + c.system) / records);
  }
  state.end(emit);
  return out;
}

/**
 * Inputs shaped to grow a decoder's per-layout or per-host state, fed to one decoder state in
 * consecutive blocks: the cost per record must stay flat from block to block (each state is
 * bounded and evicted, see #16), whatever the file's size.
 */
async function benchHostile(): Promise<void> {
  process.stdout.write('hostile inputs: CPU µs per record in consecutive blocks of 20,000 records (it must stay flat)\n');
  const cases: Array<[string, LineDecoder, (from: number, count: number) => string[]]> = [
    [
      'w3c, new #Fields before every record (20 columns)',
      w3cDecoder,
      (from, count) => {
        const out: string[] = [];
        for (let i = from; i < from + count; i++) {
          const names: string[] = [];
          const values: string[] = [];
          for (let k = 0; k < 20; k++) {
            names.push(`x-${i}-${k}`);
            values.push(`v${k}`);
          }
          out.push(`#Fields: date time cs-uri-stem ${names.join(' ')}`, `2024-01-10 10:11:12 /p${i} ${values.join(' ')}`);
        }
        return out;
      },
    ],
    [
      'auditd, new node= on every event (no EOE)',
      auditdDecoder,
      (from, count) => {
        const out: string[] = [];
        for (let i = from; i < from + count; i++) {
          const stamp = `${1704881472 + (i >> 7)}.100:${i + 1}`;
          out.push(
            `node=host-${i} type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=${1000 + (i % 5000)} uid=33 comm="sh" exe="/bin/sh" key="web"`,
          );
          out.push(`node=host-${i} type=EXECVE msg=audit(${stamp}): argc=3 a0="sh" a1="-c" a2="id ${i}"`);
        }
        return out;
      },
    ],
  ];
  for (const [label, decoder, make] of cases) {
    const costs = blockCosts(decoder, make, 20_000, 8);
    process.stdout.write(`  ${label}: ${costs.map((c) => c.toFixed(1)).join(' ')}\n`);
  }
}
