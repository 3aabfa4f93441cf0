/**
 * The service loop in-process: tailed files and the ingest journal through the pipeline into
 * the store; a restart resumes from the saved state without a second detection; incidents
 * appear once the tolerance has passed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/server/config.js';
import { startRuntime, type Runtime } from '../../src/server/runtime.js';

const quiet = { info() {}, warn() {}, error() {} };

function sysmonProcess(n: number, host: string, when: Date, parent = 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', image = 'C:\\Windows\\System32\\cmd.exe'): string {
  return JSON.stringify({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: host,
    EventRecordID: n,
    UtcTime: when.toISOString().replace('T', ' ').replace('Z', ''),
    Image: image,
    CommandLine: `cmd.exe /c whoami #${n}`,
    ParentImage: parent,
    ParentCommandLine: 'c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "DefaultAppPool"',
    User: 'IIS APPPOOL\\DefaultAppPool',
    ProcessId: 4000 + n,
    ParentProcessId: 3000,
  });
}

async function until(pred: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('tail + ingest journal → detections and an incident in the store; a restart adds nothing twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-serve-'));
  const log = join(dir, 'sysmon.jsonl');
  const now = Date.now();
  writeFileSync(log, `${sysmonProcess(1, 'WEB01.corp.example', new Date(now - 2000))}\n`);
  const config = parseConfig(
    `data: ${join(dir, 'data')}
pipeline: { tolerance: 500ms, snapshot_every: 200ms }
sources:
  - { name: sysmon, type: tail, paths: ["${log}"] }
`,
    'test.yaml',
  );
  let rt: Runtime = await startRuntime(config, { logger: quiet });
  const ids = async (): Promise<string[]> => rt.store.alerts.detectionIds();
  /** Detections per event (record), once the count has stopped changing. */
  const perRecord = async (): Promise<Map<number, number>> => {
    const rows = await rt.store.db.query('SELECT record FROM detections');
    const m = new Map<number, number>();
    for (const r of rows) m.set(Number(r.record), (m.get(Number(r.record)) ?? 0) + 1);
    return m;
  };
  await until(async () => (await ids()).length >= 1, 'the first detection');
  await new Promise((r) => setTimeout(r, 300));
  const k = (await perRecord()).get(1)!;
  assert.ok(k >= 1);
  await rt.journal.append({ format: 'json', lines: [sysmonProcess(2, 'WEB01', new Date(now - 1000))] });
  await until(async () => (await ids()).length >= 2 * k, 'the ingested event');
  await until(async () => (await rt.store.alerts.listIncidents({ limit: 10 })).items.length >= 1, 'an incident');
  const before = await ids();
  assert.equal(before.length, 2 * k);
  await rt.stop();
  // While it is down: one more line; after the restart it is read once, nothing else again.
  appendFileSync(log, `${sysmonProcess(3, 'WEB01.corp.example', new Date(now))}\n`);
  rt = await startRuntime(config, { logger: quiet });
  await until(async () => (await ids()).length >= 3 * k, 'the line written while down');
  await new Promise((r) => setTimeout(r, 500));
  const after = await ids();
  assert.equal(after.length, 3 * k);
  assert.ok(before.every((id) => after.includes(id)));
  const inc = (await rt.store.alerts.listIncidents({ limit: 10 })).items;
  assert.equal(inc.length, 1, 'the process events of one host are one incident');
  const m = rt.service.metrics();
  assert.ok(m.eventsIn >= 1);
  assert.equal(m.droppedEvents, 0);
  await rt.stop();
});
