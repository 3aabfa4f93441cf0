/**
 * Sigma engine micro-benchmark: every SigmaHQ Windows rule loaded, events from the
 * SigmaHQ regression samples and the EVTX samples held in memory, `RuleSet.match` timed
 * alone (no I/O), and compared with the cost of JSON.parse of the same records.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProblemList } from '../src/errors.js';
import type { Event } from '../src/event/event.js';
import { loadRuleCollection } from '../src/sigma/collection.js';
import { compileRuleSet } from '../src/engine/ruleset.js';
import { readEvents } from '../src/input/read.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '..', '..', '..', 'shared');

function filesUnder(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(ext)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Everyday process starts (what most of a real Sysmon log is), varied deterministically. */
export function benignProcessEvents(n: number): Event[] {
  const images = [
    ['C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule', 'C:\\Windows\\System32\\services.exe'],
    [
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US --renderer-client-id=7',
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    ],
    ['C:\\Windows\\System32\\conhost.exe', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', 'C:\\Windows\\System32\\cmd.exe'],
    [
      'C:\\Windows\\System32\\backgroundTaskHost.exe',
      '"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider',
      'C:\\Windows\\System32\\svchost.exe',
    ],
    [
      'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
      '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" /recycle',
      'C:\\Windows\\explorer.exe',
    ],
    ['C:\\Windows\\System32\\taskhostw.exe', 'taskhostw.exe Install $(Arg0)', 'C:\\Windows\\System32\\svchost.exe'],
    ['C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding', 'C:\\Windows\\System32\\svchost.exe'],
    [
      'C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe',
      '"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler',
      'C:\\Windows\\System32\\svchost.exe',
    ],
  ] as const;
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const [image, cmd, parent] = images[i % images.length]!;
    out.push({
      fields: {
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Provider_Name: 'Microsoft-Windows-Sysmon',
        EventID: 1,
        Computer: `ws${i % 50}.example.org`,
        UtcTime: '2024-05-01 10:00:00.000',
        ProcessGuid: `{${i}}`,
        ProcessId: 1000 + i,
        Image: image,
        FileVersion: '10.0.19041.1',
        Description: 'Host Process',
        Product: 'Microsoft® Windows® Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: image.slice(image.lastIndexOf('\\') + 1),
        CommandLine: `${cmd} ${i}`,
        CurrentDirectory: 'C:\\Windows\\system32\\',
        User: 'NT AUTHORITY\\SYSTEM',
        LogonGuid: '{x}',
        LogonId: '0x3e7',
        TerminalSessionId: 0,
        IntegrityLevel: 'System',
        Hashes: `SHA256=${(i * 7919).toString(16).padStart(64, '0')}`,
        ParentProcessGuid: '{p}',
        ParentProcessId: 600,
        ParentImage: parent,
        ParentCommandLine: parent,
        ParentUser: 'NT AUTHORITY\\SYSTEM',
      },
      logsource: { product: 'windows' },
      origin: { file: 'synthetic', record: i, format: 'json' },
    });
  }
  return out;
}

export async function run(): Promise<void> {
  const sigma = join(shared, 'sigma');
  if (!existsSync(sigma)) {
    process.stdout.write(`skipped: ${sigma} not found\n`);
    return;
  }
  const problems = new ProblemList();
  let t0 = performance.now();
  const col = loadRuleCollection([join(sigma, 'rules'), join(sigma, 'rules-emerging-threats'), join(sigma, 'rules-threat-hunting')], {}, problems);
  const windows = col.rules.filter((r) => r.logsource.product === 'windows');
  const loadMs = performance.now() - t0;
  t0 = performance.now();
  const rs = compileRuleSet(windows, {});
  const gated = windows.filter((r) => r.detection.req).length;
  process.stdout.write(
    `rules: ${col.rules.length} loaded (${windows.length} windows, ${gated} with a literal prefilter) in ${loadMs.toFixed(0)} ms; compile ${(performance.now() - t0).toFixed(0)} ms\n`,
  );

  const inputs = [...filesUnder(join(sigma, 'regression_data'), '.json'), ...filesUnder(join(shared, 'logs', 'evtx'), '.evtx')];
  const events: Event[] = [];
  for await (const ev of readEvents(inputs, {}, new ProblemList())) events.push(ev);
  const win = events.filter((e) => e.logsource.product === 'windows');
  process.stdout.write(`events: ${win.length} windows events in memory\n`);
  if (win.length === 0) return;

  // JSON.parse floor: the same records as JSON text.
  const texts = win.map((e) => JSON.stringify({ Event: { System: {}, EventData: e.fields } }));
  const rounds = Math.max(1, Math.ceil(200_000 / win.length));
  // CPU time, not wall time: other processes on the machine do not skew the figures.
  const cpuSeconds = (f: () => void): number => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  let sink = 0;
  const parseSecs = cpuSeconds(() => {
    for (let r = 0; r < rounds; r++) for (const t of texts) sink += (JSON.parse(t) as object) ? 1 : 0;
  });
  const parseRate = (rounds * texts.length) / parseSecs;

  const measure = (label: string, evs: Event[]): void => {
    if (evs.length === 0) return;
    for (const e of evs) rs.match(e); // warm-up: builds buckets, JIT
    const n = Math.max(1, Math.ceil(100_000 / evs.length));
    let matches = 0;
    const secs = cpuSeconds(() => {
      for (let r = 0; r < n; r++) for (const e of evs) matches += rs.match(e).length;
    });
    const rate = (n * evs.length) / secs;
    process.stdout.write(
      `match ${label}: ${rate.toFixed(0)} events/s CPU (${((secs / (n * evs.length)) * 1e6).toFixed(1)} µs/event, ${evs.length} events, ${(matches / n).toFixed(0)} matches per pass)\n`,
    );
  };
  measure('all windows events', win);
  measure(
    'Sysmon process_creation only',
    win.filter((e) => e.fields['Channel'] === 'Microsoft-Windows-Sysmon/Operational' && e.fields['EventID'] === 1),
  );
  measure(
    'Security only',
    win.filter((e) => e.fields['Channel'] === 'Security'),
  );
  measure('synthetic benign Sysmon process_creation', benignProcessEvents(2000));
  process.stdout.write(`JSON.parse of the same records: ${parseRate.toFixed(0)} events/s CPU (sink ${sink > 0 ? 'ok' : '-'})\n`);
  process.stdout.write(`index: ${JSON.stringify(rs.stats())}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await run();
