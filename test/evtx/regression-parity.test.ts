/**
 * Check 1: every .evtx in the SigmaHQ regression data, dumped by Warden, equals the .json
 * twin beside it (printed by the Rust crate's evtx_dump), record for record.
 *
 * Normalisation (applied to both sides before comparing):
 * - `SystemTime` values are compared at microsecond precision: one twin carries a
 *   7-digit fraction ("...751156500Z") that evtx_dump never prints for a FILETIME (it
 *   was converted from XML), while the .evtx holds the microsecond value.
 * Known twin mismatches (the .json was not produced from these exact bytes) are listed
 * in KNOWN_TWIN_MISMATCHES with the field that differs; any other difference fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProblemList, formatProblem } from '../../src/errors.js';
import { readEvtx } from '../../src/input/evtx/reader.js';
import { missing, parseConcatenatedJson, regressionDir, walkFiles } from './shared.js';

const KNOWN_TWIN_MISMATCHES: { file: string; path: string; evtx: string; json: string }[] = [
  {
    // the record holds "Explorer.EXE"; the twin says "Explorer.exe"
    file: 'proc_creation_win_susp_right_to_left_override/ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx',
    path: 'Event.EventData.ParentCommandLine',
    evtx: 'C:\\Windows\\Explorer.EXE',
    json: 'C:\\Windows\\Explorer.exe',
  },
];

function normalize(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalize(x, k);
    return o;
  }
  if (key === 'SystemTime' && typeof v === 'string') return v.replace(/(\.\d{6})\d+Z$/, '$1Z');
  return v;
}

function applyKnown(file: string, ev: unknown): unknown {
  for (const k of KNOWN_TWIN_MISMATCHES) {
    if (!file.replaceAll('\\', '/').endsWith(k.file)) continue;
    let o = ev as Record<string, unknown>;
    const parts = k.path.split('.');
    for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
    const last = parts[parts.length - 1]!;
    if (o[last] === k.evtx) o[last] = k.json;
  }
  return ev;
}

test('regression .evtx files dump to the same records as their evtx_dump .json twins', { skip: missing(regressionDir) }, async () => {
  let files = 0;
  let records = 0;
  const failures: string[] = [];
  for (const path of walkFiles(regressionDir)) {
    if (!path.endsWith('.evtx')) continue;
    files++;
    const expected = parseConcatenatedJson(readFileSync(path.replace(/\.evtx$/, '.json'), 'utf8')).map((x) => normalize(x));
    const problems = new ProblemList();
    const got: unknown[] = [];
    for await (const r of readEvtx(path, { problems })) got.push(normalize(applyKnown(path, r.event)));
    for (const p of problems.problems) failures.push(formatProblem(p));
    if (got.length !== expected.length) failures.push(`${path}: ${got.length} records, twin has ${expected.length}`);
    for (let i = 0; i < Math.min(got.length, expected.length); i++) {
      try {
        assert.deepStrictEqual(got[i], expected[i]);
        records++;
      } catch (e) {
        failures.push(`${path} record #${i + 1}: ${(e as Error).message.slice(0, 1500)}`);
      }
    }
  }
  console.log(`regression parity: ${records} records in ${files} .evtx files equal their evtx_dump twins`);
  assert.deepEqual(failures, []);
  assert.equal(files, 202);
  assert.equal(records, 238);
});
