/** The parsed-rule cache: same documents and positions as parsing, invalidated by content, robust to damage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { YamlCache, cacheDir } from '../../src/sigma/yaml-cache.js';
import { keyPos, parseYamlDocuments, posOf, type YamlDoc, type YamlMap, type YamlValue } from '../../src/sigma/yaml.js';
import { loadRuleCollection } from '../../src/sigma/collection.js';
import { ProblemList, formatProblem } from '../../src/errors.js';

const TEXT = `title: One
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        - Image|endswith: '\\\\cmd.exe'
        - CommandLine|contains:
            - whoami
            - ' /all'
    condition: sel
level: high
---
title: Broken
detection: [unclosed
---
title: Dup
title: Again
`;

/** Every position of a value, as text, in depth-first order. */
function positions(v: YamlValue, out: string[] = []): string[] {
  if (v === null || typeof v !== 'object') return out;
  const p = posOf(v);
  out.push(`self ${p?.line}:${p?.column}`);
  if (Array.isArray(v)) {
    for (const x of v) positions(x, out);
  } else {
    for (const k of Object.keys(v)) {
      const kp = keyPos(v, k);
      out.push(`${k} ${kp?.line}:${kp?.column}`);
      positions((v as YamlMap)[k]!, out);
    }
  }
  return out;
}

function describe(docs: YamlDoc[]): unknown[] {
  return docs.map((d) => ({ value: d.value, pos: d.pos, error: d.error, positions: positions(d.value) }));
}

test('cached documents equal parsed ones, positions included, across a save and reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-yc-'));
  try {
    const want = describe(parseYamlDocuments(TEXT));
    assert.equal(want.length, 3);
    const c1 = YamlCache.open(dir)!;
    assert.ok(c1);
    assert.deepEqual(describe(c1.parse(TEXT)), want, 'first parse (a miss)');
    c1.save();
    const c2 = YamlCache.open(dir)!;
    assert.deepEqual(describe(c2.parse(TEXT)), want, 'from the saved cache');
    assert.deepEqual(describe(c2.parse(TEXT)), want, 'twice: fresh objects each time');
    const changed = TEXT.replace('whoami', 'hostname');
    assert.deepEqual(describe(c2.parse(changed)), describe(parseYamlDocuments(changed)), 'a changed text is parsed again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt cache file is ignored and rebuilt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-yc-'));
  try {
    const c1 = YamlCache.open(dir)!;
    c1.parse(TEXT);
    c1.save();
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    writeFileSync(join(dir, files[0]!), 'not a cache at all');
    const c2 = YamlCache.open(dir)!;
    assert.deepEqual(describe(c2.parse(TEXT)), describe(parseYamlDocuments(TEXT)));
    c2.save();
    const c3 = YamlCache.open(dir)!;
    assert.deepEqual(describe(c3.parse(TEXT)), describe(parseYamlDocuments(TEXT)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rule loading reports the same problems with and without the cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-yc-'));
  const cache = join(dir, 'cache');
  const saved = process.env['WARDEN_CACHE_DIR'];
  try {
    writeFileSync(join(dir, 'rules.yml'), TEXT);
    const run = (useCache: boolean) => {
      const problems = new ProblemList();
      const col = loadRuleCollection([join(dir, 'rules.yml')], { cache: useCache }, problems);
      return { rules: col.rules.map((r) => r.info.title), problems: problems.problems.map(formatProblem) };
    };
    process.env['WARDEN_CACHE_DIR'] = cache;
    const plain = run(false);
    assert.deepEqual(plain.rules, ['One']);
    assert.equal(plain.problems.length, 2);
    assert.deepEqual(run(true), plain, 'cold cache');
    assert.deepEqual(run(true), plain, 'warm cache');
  } finally {
    if (saved === undefined) delete process.env['WARDEN_CACHE_DIR'];
    else process.env['WARDEN_CACHE_DIR'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cache location: WARDEN_CACHE_DIR, XDG_CACHE_HOME, off', () => {
  assert.equal(cacheDir({ WARDEN_CACHE_DIR: '' }), undefined);
  assert.equal(cacheDir({ WARDEN_CACHE_DIR: 'off' }), undefined);
  assert.equal(cacheDir({ WARDEN_CACHE_DIR: '/x/y' }), '/x/y');
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/home/u/.cache' }), join('/home/u/.cache', 'warden'));
  assert.ok(cacheDir({})!.startsWith(tmpdir()));
});
