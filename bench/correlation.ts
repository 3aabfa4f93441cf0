/**
 * Correlation engine throughput and memory: N events (default 10 million, env
 * WARDEN_BENCH_CORR_EVENTS) over 1 million distinct group keys through an event_count rule
 * (gte 3 within 1 minute, one event per millisecond of event time). Reports events/s, peak RSS
 * and RSS as the run goes: it must plateau, because group state is released as windows close.
 */
import type { Event } from '../src/event/event.js';
import type { RuleInfo } from '../src/event/detection.js';
import { ProblemList } from '../src/errors.js';
import { parseCorrelation, resolveCorrelations } from '../src/sigma/correlations.js';
import { CorrelationEngine } from '../src/engine/correlate.js';

const MB = 1024 * 1024;

export async function run(): Promise<void> {
  const total = Number(process.env.WARDEN_BENCH_CORR_EVENTS ?? 10_000_000);
  const keys = 1_000_000;
  const problems = new ProblemList();
  const rule: RuleInfo = { id: 'failed-login', title: 'failed login', level: 'low', status: 'test', author: 'bench', tags: [], references: [] };
  const corr = parseCorrelation(
    { title: 'many failed logins', correlation: { type: 'event_count', rules: ['failed-login'], 'group-by': ['TargetUserName'], timespan: '1m', condition: { gte: 3 } } },
    { file: 'bench' },
  );
  const engine = new CorrelationEngine(resolveCorrelations([corr], [rule], problems), { outOfOrderToleranceMs: 1000, problems });
  const t0 = Date.UTC(2024, 0, 1);
  let seed = 12345;
  let detections = 0;
  let maxGroups = 0;
  const samples: string[] = [];
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < total; i++) {
    // xorshift32: a cheap, reproducible spread of keys over the stream.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const user = `user${(seed >>> 0) % keys}`;
    const ev: Event = {
      fields: { EventID: 4625, TargetUserName: user },
      logsource: { product: 'windows', service: 'security' },
      host: 'dc01',
      timestamp: t0 + i,
      origin: { file: 'bench.evtx', record: i + 1, format: 'evtx' },
    };
    detections += engine.pushEvent('failed-login', ev).length;
    if ((i + 1) % 1_000_000 === 0) {
      const g = engine.stats().groups;
      maxGroups = Math.max(maxGroups, g);
      samples.push(`${(i + 1) / 1_000_000}M: rss ${Math.round(process.memoryUsage().rss / MB)} MB, open groups ${g}`);
    }
  }
  detections += engine.flush().length;
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`events:            ${total.toLocaleString('en-US')} over ${keys.toLocaleString('en-US')} distinct keys (event_count gte 3 / 1m)\n`);
  process.stdout.write(`time:              ${secs.toFixed(2)} s\n`);
  process.stdout.write(
    `throughput:        ${Math.round(total / secs).toLocaleString('en-US')} events/s wall, ${Math.round(total / cpuSecs).toLocaleString('en-US')} events per CPU second (${cpuSecs.toFixed(1)} s CPU; the wall figure suffers when other work shares the cores)\n`,
  );
  process.stdout.write(`detections:        ${detections.toLocaleString('en-US')}\n`);
  process.stdout.write(`peak RSS:          ${Math.round(peakMb)} MB\n`);
  process.stdout.write(`open groups (max sampled): ${maxGroups.toLocaleString('en-US')}; after flush: ${engine.stats().groups}; evicted: ${engine.stats().evicted}\n`);
  for (const s of samples) process.stdout.write(`  ${s}\n`);
  if (problems.count) process.stdout.write(`problems: ${problems.count}\n`);
  capped(Math.min(total, 2_000_000), keys);
}

/** A timespan longer than the stream keeps every key open: maxGroups must hold memory down. */
function capped(total: number, keys: number): void {
  const problems = new ProblemList();
  const rule: RuleInfo = { id: 'r', title: 'r', level: 'low', status: 'test', author: 'bench', tags: [], references: [] };
  const corr = parseCorrelation(
    { title: 'daily', correlation: { type: 'event_count', rules: ['r'], 'group-by': ['TargetUserName'], timespan: '1d', condition: { gte: 1000 } } },
    { file: 'bench' },
  );
  const cap = 100_000;
  const engine = new CorrelationEngine(resolveCorrelations([corr], [rule], problems), { outOfOrderToleranceMs: 1000, maxGroups: cap, problems });
  const t0 = Date.UTC(2024, 0, 1);
  let seed = 987654321;
  for (let i = 0; i < total; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    engine.pushEvent('r', {
      fields: { TargetUserName: `user${(seed >>> 0) % keys}` },
      logsource: {},
      timestamp: t0 + i,
      origin: { file: 'bench.evtx', record: i + 1, format: 'evtx' },
    });
  }
  const st = engine.stats();
  process.stdout.write(
    `\ncap scenario: ${total.toLocaleString('en-US')} events, timespan 1d (longer than the stream), maxGroups ${cap.toLocaleString('en-US')}\n` +
      `  open groups ${st.groups.toLocaleString('en-US')}, evicted ${st.evicted.toLocaleString('en-US')}, rss now ${Math.round(process.memoryUsage().rss / MB)} MB, warnings ${problems.count}\n`,
  );
  engine.flush();
}
