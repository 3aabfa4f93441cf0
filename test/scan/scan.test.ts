/**
 * Whole scans over temporary folders: walking (symlink loops, skipped files), resource caps
 * (1 MB padded file, size cap, per-file time cap), worker pool vs in-thread results, and the
 * outputs (findingToEvent, JSONL, SARIF, table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../../src/scan/scanner.js';
import { laneOf, runPool } from '../../src/scan/pool.js';
import { walk } from '../../src/scan/walk.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';
import { findingToEvent } from '../../src/scan/event.js';
import { findingToJsonLine } from '../../src/scan/report/jsonl.js';
import { toSarif } from '../../src/scan/report/sarif.js';
import { formatFinding, formatSummary } from '../../src/scan/report/table.js';
import { scanText } from './helpers.js';

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-scan-'));
  mkdirSync(join(dir, 'www/uploads'), { recursive: true });
  writeFileSync(join(dir, 'www/index.php'), '<?php echo "hello"; ?>\n');
  writeFileSync(join(dir, 'www/uploads/x.php'), '<?php\n$c = $_POST["c"];\nsystem($c);\n');
  writeFileSync(join(dir, 'www/style.css'), 'body { color: red }');
  writeFileSync(join(dir, 'www/uploads/pic.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<?php eval($_REQUEST["e"]); ?>')]));
  symlinkSync(join(dir, 'www'), join(dir, 'www/uploads/loop'));
  return dir;
}

test('scan walks folders once despite a symlink loop and finds the shells', async () => {
  const dir = tree();
  try {
    for (const workers of [0, 2]) {
      const r = await scan([dir], { workers });
      assert.deepEqual(r.findings.map((f) => [f.path.slice(dir.length), f.verdict]).sort(), [
        ['/www/uploads/pic.jpg', 'malicious'],
        ['/www/uploads/x.php', 'malicious'],
      ]);
      assert.equal(r.findings.length, 2);
      assert.equal(r.stats.files, 4);
      assert.equal(r.stats.skippedReasons['not server-executable'], 1);
      assert.equal(r.problems.length, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('1 MB padded file: analyzed within bounded memory; over the size cap, head and tail are scanned and the cut is a problem', async () => {
  const pad = ' '.repeat(1024 * 1024);
  const before = process.memoryUsage().rss;
  const outs = scanText('padded.php', `<?php${pad}\n$x = $_GET['x'];${pad.slice(0, 4096)}\neval($x);`);
  const grew = process.memoryUsage().rss - before;
  assert.equal(outs[0]!.finding?.verdict, 'malicious');
  assert.ok(grew < 256 * 1024 * 1024, `rss grew ${grew}`);
  const dir = mkdtempSync(join(tmpdir(), 'warden-cap-'));
  try {
    writeFileSync(join(dir, 'big.php'), `<?php /*${'a'.repeat(3000)}*/ system($_GET["c"]);`);
    const r = await scan([dir], { workers: 0, limits: { maxFileBytes: 1000 } });
    assert.deepEqual(r.stats.skippedReasons, {});
    assert.deepEqual(
      r.problems.map((p) => p.message),
      ['larger than 1000 bytes (3030); only its first and last 499 bytes were scanned'],
    );
    assert.equal(r.findings[0]?.verdict, 'malicious');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('time cap per file is reported as a problem and the scan goes on', () => {
  const heavy = '<?php\n' + Array.from({ length: 20000 }, (_, i) => `$v${i} = base64_decode('aGVsbG8=') . $v${Math.max(i - 1, 0)};`).join('\n');
  const outs = scanText('heavy.php', heavy, { maxMillisPerFile: 1 });
  assert.match(outs[0]!.problems[0]?.message ?? '', /^time cap of 1 ms hit; analysis may be incomplete$/);
});

test('unreadable paths are problems', async () => {
  const r = await scan(['/nonexistent/warden/path'], { workers: 0 });
  assert.deepEqual(
    r.problems.map((p) => p.message),
    ['cannot stat: ENOENT'],
  );
});

test('finding as Event, JSONL, SARIF and table', () => {
  const f = scanText('/srv/www/a.php', '<?php\n@eval($_POST["pass"]);\n')[0]!.finding!;
  const ev = findingToEvent(f, 'web01', 1700000000000);
  assert.deepEqual(ev.logsource, { product: 'warden', category: 'webshell_scan' });
  assert.equal(ev.fields.TargetFilename, '/srv/www/a.php');
  assert.equal(ev.fields.Verdict, 'malicious');
  assert.equal(ev.fields.Language, 'php');
  assert.equal(ev.fields.Family, 'China Chopper');
  assert.equal(ev.fields.Host, 'web01');
  assert.equal(ev.fields.Sha256, f.sha256);
  assert.ok(Array.isArray(ev.fields.Reasons) && ev.fields.Reasons.includes('request input reaches eval()'));
  assert.equal(ev.origin.record, 2);
  const line = JSON.parse(findingToJsonLine(f)) as { path: string; verdict: string; evidence: Array<{ line: number }> };
  assert.equal(line.path, '/srv/www/a.php');
  assert.equal(line.evidence[0]!.line, 2);
  const sarif = toSarif(
    [f],
    { files: 1, analyzed: 1, archiveEntries: 0, skipped: 0, skippedReasons: {}, bytes: 10, elapsedMs: 1, byVerdict: { malicious: 1, suspicious: 0 } },
    '0.1.0',
  ) as {
    version: string;
    runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { region?: { startLine: number } } }> }> }>;
  };
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0]!.results[0]!.ruleId, 'webshell/malicious');
  assert.equal(sarif.runs[0]!.results[0]!.level, 'error');
  assert.equal(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region?.startLine, 2);
  const table = formatFinding(f, { color: false });
  assert.match(table.split('\n')[0]!, /^MALICIOUS\s+\d+(\.\d)?\s+php\s+\[China Chopper\] \/srv\/www\/a\.php$/);
  assert.match(table, /\n {10}2 {2}\+12 {3}request input reaches eval\(\) {2}<\?php @eval\(\$_POST\["pass"\]\);/);
  assert.match(
    formatSummary(
      {
        files: 3,
        analyzed: 2,
        archiveEntries: 0,
        skipped: 1,
        skippedReasons: { 'not server-executable': 1 },
        bytes: 2097152,
        elapsedMs: 1000,
        byVerdict: { malicious: 1, suspicious: 0 },
      },
      0,
    ),
    /^scanned 3 files \(2\.0 MB\) in 1\.00 s \(2\.0 MB\/s\); analyzed 2, skipped 1 \(1 not server-executable\)\nfindings: 1 malicious, 0 suspicious; problems: 0$/,
  );
});

test('a worker stuck on one file is replaced: that file is reported, every other file is scanned once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-stall-'));
  try {
    const names: string[] = [];
    for (let i = 0; i < 90; i++) {
      const name = i === 37 ? 'stall.php' : `f${i}.php`;
      writeFileSync(join(dir, name), `<?php echo ${i};\n`);
      names.push(join(dir, name));
    }
    const seen: string[] = [];
    const problems: string[] = [];
    const started = Date.now();
    await runPool(
      walk([dir], () => {}),
      {
        workers: 2,
        // (the watchdog kills after three budgets, at least 2 s: 6 s, so that on a loaded machine
        // a cold worker loading its modules is not taken for a stuck one)
        init: { limits: { ...DEFAULT_LIMITS, maxMillisPerFile: 2000 }, stallOn: '/stall.php' },
        onOutcome: (o) => seen.push(o.path),
        onProblem: (p) => problems.push(`${p.file}: ${p.message}`),
      },
    );
    assert.deepEqual(problems, [`${join(dir, 'stall.php')}: time cap hit (6000 ms); file not scanned`]);
    assert.deepEqual([...seen].sort(), names.filter((n) => !n.endsWith('stall.php')).sort());
    assert.ok(Date.now() - started < 30000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that cannot start stops the scan with its reason instead of being replaced forever', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-pool-start-'));
  try {
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `f${i}.php`), '<?php echo 1;');
    let outcomes = 0;
    const problems: string[] = [];
    const started = Date.now();
    await assert.rejects(
      runPool(
        walk([dir], () => {}),
        {
          workers: 2,
          init: { limits: DEFAULT_LIMITS, failAtStart: 'cannot load the analyzers' },
          onOutcome: () => outcomes++,
          onProblem: (p) => problems.push(p.message),
        },
      ),
      { message: 'scanner worker failed to start 3 times in a row: cannot load the analyzers' },
    );
    // no file is blamed for the worker's own fault
    assert.equal(outcomes, 0);
    assert.deepEqual(problems, []);
    assert.ok(Date.now() - started < 15000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile repetition of what the newer PHP checks walk over stays bounded and keeps the real finding', () => {
  // `)(` pairs, `] =` slots, curly quotes, property writes, hex strings and unbalanced parentheses, each repeated
  const junk = [
    'base64_decode(('.repeat(2000),
    ')('.repeat(20000),
    '$a[' + 'x'.repeat(60) + '] = 1;'.repeat(5000),
    '[\u00e2\u0080\u009c'.repeat(5000),
    '$o->p = $_GET[1]; '.repeat(3000),
    '"7368656c6c5f65786563", '.repeat(3000),
    '= '.repeat(50000),
  ].join('\n');
  const started = Date.now();
  // the time cap is raised: the assertion below bounds the time; a busy machine must not cut the analysis short
  const outs = scanText('hostile.php', `<?php\n${junk}\n$c = $_POST['c'];\nsystem($c);\n`, { maxMillisPerFile: 60_000 });
  assert.equal(outs[0]!.finding?.verdict, 'malicious');
  assert.ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
});

test('the reused read buffer never carries one file into the next: a shell read first, then shorter clean files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-scratch-'));
  try {
    const { scanFile } = await import('../../src/scan/scan-file.js');
    const ctx = { limits: DEFAULT_LIMITS };
    // the shell sits at the end of a large file, where a stale buffer would still hold it
    writeFileSync(join(dir, 'a.php'), `<?php\n${'// pad\n'.repeat(40000)}eval($_POST["x"]);\n`);
    writeFileSync(join(dir, 'b.php'), '<?php echo 1;\n');
    writeFileSync(join(dir, 'c.txt'), 'plain');
    const a = await scanFile(join(dir, 'a.php'), ctx);
    const b = await scanFile(join(dir, 'b.php'), ctx);
    const c = await scanFile(join(dir, 'c.txt'), ctx);
    assert.equal(a[0]!.finding?.verdict, 'malicious');
    assert.deepEqual(
      b.map((o) => [o.bytes, o.analyzed, o.language, o.finding]),
      [[14, true, 'php', undefined]],
    );
    assert.deepEqual(
      c.map((o) => [o.bytes, o.analyzed, o.skipped]),
      [[5, false, 'not server-executable']],
    );
    // the first file again: its own bytes, not the shorter ones read since
    assert.deepEqual(
      (await scanFile(join(dir, 'a.php'), ctx)).map((o) => [o.bytes, o.finding?.score]),
      a.map((o) => [o.bytes, o.finding?.score]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('workers keep to their lanes (PHP, the rest) and take the other lane only when theirs is dry; every file is scanned once', async () => {
  assert.deepEqual(['a.php', 'b.PHTML', 'c.inc', 'd.asp', 'e.aspx', 'f.jsp', 'g.txt', 'h'].map(laneOf), [0, 0, 0, 1, 1, 1, 1, 1]);
  const dir = mkdtempSync(join(tmpdir(), 'warden-lanes-'));
  try {
    mkdirSync(join(dir, 'php'));
    mkdirSync(join(dir, 'asp'));
    const names: string[] = [];
    for (let i = 0; i < 120; i++) {
      const php = join(dir, 'php', `p${i}.php`);
      const asp = join(dir, 'asp', `a${i}.asp`);
      writeFileSync(php, `<?php echo ${i};\n`);
      writeFileSync(asp, `<% Response.Write ${i} %>\n`);
      names.push(php, asp);
    }
    for (const workers of [2, 3]) {
      const seen: string[] = [];
      const batches: Array<[number, number[]]> = [];
      await runPool(
        walk([dir], () => {}),
        {
          workers,
          init: { limits: DEFAULT_LIMITS },
          onOutcome: (o) => seen.push(o.path),
          onProblem: (p) => assert.fail(`${p.file}: ${p.message}`),
          onBatch: (w, paths) => batches.push([w, [...new Set(paths.map(laneOf))]]),
        },
      );
      assert.deepEqual([...seen].sort(), [...names].sort());
      // a batch never mixes the lanes
      assert.ok(batches.every(([, lanes]) => lanes.length === 1));
      // the second worker works the non-PHP lane: it takes PHP only when no other batch waits
      assert.ok(batches.some(([w, lanes]) => w === 1 && lanes[0] === 1));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
