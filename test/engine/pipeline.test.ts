/**
 * The streaming pipeline is one pipeline: `hunt` over files and `Pipeline.push` over the same
 * events in random batches and random interleavings across hosts (within the tolerance)
 * give identical detections, correlations and incidents; and a pipeline snapshotted at any
 * point and restored into a fresh one continues exactly as if it had never stopped.
 *
 * The events: every Windows-JSON fixture of the built-in pack (which holds the correlations'
 * positive cases), copied onto six hosts, so there are base detections, correlations and
 * multi-member incidents on several hosts with identical timestamps across hosts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import type { Detection, IncidentUpdate } from '../../src/event/detection.js';
import type { Event } from '../../src/event/event.js';
import { Pipeline, type PipelineOutput, type PipelineSnapshot } from '../../src/engine/pipeline.js';
import { prepareRules } from '../../src/engine/rules-setup.js';
import { readEvents } from '../../src/input/read.js';
import { runHunt } from '../../src/hunt/collect.js';
import { prng } from '../helpers/prng.js';
import { repoRoot } from '../helpers/shared.js';

const HOSTS = 6;
const TOLERANCE = 10 * 60_000;
const WINDOW = 30 * 60_000;

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...fixtureFiles(p));
    else if (name.endsWith('.jsonl')) out.push(p);
  }
  return out;
}

type Json = Record<string, unknown>;

/** One JSONL file per host: every Windows-JSON fixture line, with that host and a unique record id. */
function buildDataset(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'warden-pipeline-'));
  const lines: Json[] = [];
  for (const f of fixtureFiles(join(repoRoot(), 'test', 'rules', 'fixtures'))) {
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      if (!l.trim()) continue;
      try {
        lines.push(JSON.parse(l) as Json);
      } catch {
        // not JSON: the pack's fixture for a decoder error, not for this test
      }
    }
  }
  const files: string[] = [];
  for (let h = 0; h < HOSTS; h++) {
    let rid = 1;
    const out: string[] = [];
    for (const l of lines) {
      const e = structuredClone(l);
      const sys = (e.Event as Json | undefined)?.System as Json | undefined;
      const target = sys ?? e;
      if (target.Computer === undefined && target.Channel === undefined) continue;
      target.Computer = `HOST${h}.corp.example`;
      target.EventRecordID = rid++;
      out.push(JSON.stringify(e));
    }
    const file = join(dir, `host${h}.jsonl`);
    writeFileSync(file, `${out.join('\n')}\n`);
    files.push(file);
  }
  return files;
}

const files = buildDataset();
const rules = { rulePaths: [], builtin: true };

interface Result {
  detections: string[];
  correlations: string[];
  incidents: string[];
}

function summarize(ds: Detection[], closed: { id: string; members: string[]; severity: string }[]): Result {
  return {
    detections: ds
      .filter((d) => d.kind === 'rule')
      .map((d) => d.id)
      .sort(),
    correlations: ds
      .filter((d) => d.kind === 'correlation')
      .map((d) => `${d.id} ${d.members!.join(',')}`)
      .sort(),
    incidents: closed.map((i) => `${i.id} ${i.severity} ${i.members.join(',')}`).sort(),
  };
}

function closedOf(updates: IncidentUpdate[]): { id: string; members: string[]; severity: string }[] {
  return updates.filter((u) => u.kind === 'closed').map((u) => ({ id: u.incident.id, severity: u.incident.severity, members: (u.members ?? []).map((m) => m.id) }));
}

async function allEvents(): Promise<Event[]> {
  const out: Event[] = [];
  for await (const e of readEvents(files, {}, new ProblemList())) out.push(e);
  return out;
}

/** Arrival order: each event is delayed by a random amount under the tolerance, so hosts interleave at random. */
function arrival(events: Event[], rnd: () => number): Event[] {
  return events
    .map((e) => ({ e, at: (e.timestamp ?? 0) + rnd() * (TOLERANCE - 1) }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.e);
}

function batches<T>(xs: T[], rnd: () => number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; ) {
    const n = 1 + Math.floor(rnd() * 40);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

function collect(into: { ds: Detection[]; inc: IncidentUpdate[] }, out: PipelineOutput): void {
  into.ds.push(...out.detections);
  into.inc.push(...out.incidents);
}

test('hunt over files equals Pipeline.push over the same events in random batches and interleavings', async () => {
  const problems = new ProblemList();
  const batch = await runHunt({ inputs: files, rules, threads: 1, incidents: { windowMs: WINDOW } }, problems);
  const expected = summarize(
    batch.detections,
    batch.incidents.map((c) => ({ id: c.incident.id, severity: c.incident.severity, members: c.members.map((m) => m.id) })),
  );
  assert.ok(expected.correlations.length >= HOSTS, `the dataset fires correlations (${expected.correlations.length})`);
  assert.ok(
    batch.incidents.some((c) => c.members.length >= 3),
    'the dataset makes multi-member incidents',
  );
  const prepared = prepareRules(rules, new ProblemList());
  const events = await allEvents();
  for (let seed = 1; seed <= 5; seed++) {
    const rnd = prng(seed);
    const p = new Pipeline({ ruleSet: prepared.ruleSet, correlations: prepared.correlations }, { outOfOrderToleranceMs: TOLERANCE, incidents: { windowMs: WINDOW } });
    const got = { ds: [] as Detection[], inc: [] as IncidentUpdate[] };
    for (const b of batches(arrival(events, rnd), rnd)) collect(got, p.push(b));
    collect(got, p.flush());
    assert.deepEqual(summarize(got.ds, closedOf(got.inc)), expected, `seed ${seed}`);
    assert.equal(p.stats().lateEvents, 0);
  }
  // Threads and pieces of files change nothing either.
  const threaded = await runHunt({ inputs: files, rules, threads: 2, inlineBelowBytes: 0, splitMinBytes: 1, incidents: { windowMs: WINDOW } }, new ProblemList());
  assert.deepEqual(
    summarize(
      threaded.detections,
      threaded.incidents.map((c) => ({ id: c.incident.id, severity: c.incident.severity, members: c.members.map((m) => m.id) })),
    ),
    expected,
  );
});

test('snapshot and restore at 20 random points continue exactly as an uninterrupted run', async () => {
  const prepared = prepareRules(rules, new ProblemList());
  const pr = { ruleSet: prepared.ruleSet, correlations: prepared.correlations };
  const opts = { outOfOrderToleranceMs: TOLERANCE, incidents: { windowMs: WINDOW } };
  const rnd = prng(42);
  const stream = batches(arrival(await allEvents(), rnd), rnd);
  const whole = { ds: [] as Detection[], inc: [] as IncidentUpdate[] };
  const p = new Pipeline(pr, opts);
  for (const b of stream) collect(whole, p.push(b));
  collect(whole, p.flush());
  const expected = { detections: whole.ds.map((d) => d.id), incidents: whole.inc.map((u) => `${u.kind} ${u.incident.id} ${u.incident.memberCount}`) };
  assert.ok(whole.inc.some((u) => u.kind === 'merged' || u.kind === 'grew'));
  for (let i = 0; i < 20; i++) {
    const cut = 1 + Math.floor(rnd() * (stream.length - 1));
    const got = { ds: [] as Detection[], inc: [] as IncidentUpdate[] };
    const first = new Pipeline(pr, opts);
    for (const b of stream.slice(0, cut)) collect(got, first.push(b));
    // Through JSON, as a service stores it.
    const state = JSON.parse(JSON.stringify(first.snapshot())) as PipelineSnapshot;
    const second = Pipeline.restore(pr, state, opts);
    for (const b of stream.slice(cut)) collect(got, second.push(b));
    collect(got, second.flush());
    assert.deepEqual(
      { detections: got.ds.map((d) => d.id), incidents: got.inc.map((u) => `${u.kind} ${u.incident.id} ${u.incident.memberCount}`) },
      expected,
      `cut after batch ${cut}`,
    );
  }
});

test('the same Windows record read from two overlapping exports gives one detection', async () => {
  const dup = join(mkdtempSync(join(tmpdir(), 'warden-dup-')), 'copy.jsonl');
  writeFileSync(dup, readFileSync(files[0]!));
  const one = await runHunt({ inputs: [files[0]!], rules, threads: 1 }, new ProblemList());
  const two = await runHunt({ inputs: [files[0]!, dup], rules, threads: 1 }, new ProblemList());
  assert.deepEqual(
    two.detections.map((d) => d.id),
    one.detections.map((d) => d.id),
  );
  assert.equal(two.stats.duplicates, one.detections.filter((d) => d.kind === 'rule').length);
});
