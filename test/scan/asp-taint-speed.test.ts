/**
 * The classic ASP taint speed-ups find what the patterns they replace find: procedure calls by
 * name look-up (namedCalls) against the names' alternation, procedure headers from the filtered
 * starts, the probe-led literal offsets, the identifier walk of the taint against its regex, the
 * session-key reads against their combined pattern, and taints sharing one reading of a text's
 * assignments. Seeded random strings over the characters that matter, plus exact small cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAt } from '../../src/scan/context.js';
import { matches, Taint, type FlowSpec } from '../../src/scan/flow.js';
import { literalOffsets } from '../../src/scan/words.js';
import { namedCalls, procedureHeads, procedureStarts } from '../../src/scan/analyzers/asp-scan.js';
import { sessionReads } from '../../src/scan/analyzers/asp-sources.js';
import { ASP_FLOW } from '../../src/scan/analyzers/asp.js';
import { prng } from '../helpers/prng.js';

function randomText(next: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

function byPattern(code: string, keys: string[], method: boolean): Array<[number, string, string | undefined, string]> {
  const re = method
    ? new RegExp(`\\.[ \\t]*(${keys.join('|')})\\b[ \\t]*(=(?!=)[ \\t]*)?\\(?([^\\n]{0,300})`, 'gi')
    : new RegExp(`(?<![\\w.])(${keys.join('|')})\\b\\s*\\(?([^\\n]{0,300})`, 'gi');
  return [...matches(re, code, 50)].map((m) => [m.index, m[1]!.toLowerCase(), method ? m[2] : undefined, method ? m[3]! : m[2]!]);
}

function byLookup(code: string, keys: string[], method: boolean): Array<[number, string, string | undefined, string]> {
  return namedCalls(code, code.toLowerCase(), keys, method, 50).map((c) => [c.index, c.key, c.assigned, c.tail]);
}

test('namedCalls: the calls and method calls the names alternation finds', () => {
  assert.deepEqual(byLookup('Call Run(x)\nrun  y\nx.Run = 3\nrunner(1)\nobj.run2 z', ['run', 'run2'], false), [
    [5, 'run', undefined, 'x)'],
    [12, 'run', undefined, 'y'],
  ]);
  assert.deepEqual(byLookup('Call Run(x)\nrun  y\nx.Run = 3\nrunner(1)\nobj . run2 z', ['run', 'run2'], true), [
    [20, 'run', '= ', '3'],
    [43, 'run2', undefined, 'z'],
  ]);
  // a name in another case of its ASCII letters only (K is the Kelvin sign, not a K)
  assert.deepEqual(byLookup('KILL(a)\n\u212aill(b)', ['kill'], false), [[0, 'kill', undefined, 'a)']]);
  const next = prng(23);
  const alphabet = ['run', 'Run', 'go', 'GO', 'go2', '.', ' ', '\t', '\n', '(', ')', '=', '==', 'x', '_', '\xe9', '\u212a', 'k'];
  const sets = [['run'], ['go', 'run'], ['go2', 'go'], ['k', 'run']];
  for (let t = 0; t < 4000; t++) {
    const s = randomText(next, alphabet, 30);
    for (const keys of sets) for (const method of [false, true]) assert.deepEqual(byLookup(s, keys, method), byPattern(s, keys, method), JSON.stringify([s, keys, method]));
  }
});

test('procedureHeads: the header patterns find from them what they find from every start', () => {
  const header = /\b(?:Function|Sub|Property[ \t]+(Let|Set))\s+([A-Za-z_]\w{0,254})\s*\(([^)\n]{0,200})\)/gi;
  const own = /\b(?:Function|Sub)[ \t]+(Execute|ExecuteGlobal|Eval)\b/gi;
  const code = 'Sub Go(a)\nsubmit(x)\n Function  Eval(s)\nProperty Let V(v)\nxsub F(y)';
  assert.deepEqual(procedureHeads(code, code.toLowerCase()), [0, 21, 39]);
  const next = prng(29);
  const alphabet = ['Sub', 'sub', 'Function', 'Property', ' Let', ' ', '\t', '\n', 'x', 'Eval', '(a)', '(', ')', '\xa0', '_'];
  for (let t = 0; t < 3000; t++) {
    const s = randomText(next, alphabet, 16);
    const lower = s.toLowerCase();
    for (const re of [header, own]) {
      const all = matchesAt(re, s, procedureStarts(lower), 50).map((m) => [m.index, m[0]]);
      assert.deepEqual(
        matchesAt(re, s, procedureHeads(s, lower), 50).map((m) => [m.index, m[0]]),
        all,
        JSON.stringify(s),
      );
    }
  }
});

test('literalOffsets: every occurrence, overlapping ones included, up to the cap', () => {
  assert.deepEqual(literalOffsets('sub subsub', 'sub'), [0, 4, 7]);
  assert.deepEqual(literalOffsets('functionfunction', 'function', 1), [0]);
  assert.deepEqual(literalOffsets('propertyproperty', 'property'), [0, 8]);
  const next = prng(31);
  const alphabet = ['s', 'u', 'b', 'su', 'ub', 'function', 'fun', 'ction', 'x', 'propert', 'y', 'aa'];
  for (let t = 0; t < 4000; t++) {
    const s = randomText(next, alphabet, 20);
    for (const w of ['sub', 'function', 'property', 'aaa', 'ubs', 'yy']) {
      const want: number[] = [];
      for (let i = s.indexOf(w); i !== -1; i = s.indexOf(w, i + 1)) want.push(i);
      assert.deepEqual(literalOffsets(s, w), want, JSON.stringify([s, w]));
      assert.deepEqual(literalOffsets(s, w, 2), want.slice(0, 2));
    }
  }
});

test('taint: the identifier walk reads the names its regex reads', () => {
  // the same pattern spelled differently takes the regex path
  const viaRegex: FlowSpec = { ...ASP_FLOW, varRef: /\b([A-Za-z_]\w*)(?:)\b/g };
  const code = 'a = Request("x")\nb = "a" & a\nc = 1b + b\nd = _c & x9\ne = 9e & c2';
  const t = new Taint(code, ASP_FLOW);
  assert.deepEqual([...t.vars].sort(), ['a', 'b', 'c']);
  assert.equal(t.taintedVarIn('x & 9a & b'), 'b');
  assert.equal(t.touches('9a & _b & a1'), false);
  assert.equal(t.touchesDirectly('z & a'), true);
  const next = prng(37);
  const alphabet = ['a', 'b', 'c', 'A', '_', '9', ' ', '&', '"', '\xe9', 'Request("q")', '\n', ' = ', 'x'];
  for (let k = 0; k < 1500; k++) {
    const s = randomText(next, alphabet, 40);
    const fast = new Taint(s, ASP_FLOW);
    const slow = new Taint(s, viaRegex);
    assert.deepEqual([...fast.vars].sort(), [...slow.vars].sort(), JSON.stringify(s));
    const e = randomText(next, alphabet, 12);
    assert.equal(fast.taintedVarIn(e), slow.taintedVarIn(e), JSON.stringify([s, e]));
    assert.equal(fast.touches(e), slow.touches(e));
    assert.equal(fast.touchesDirectly(e), slow.touchesDirectly(e));
  }
});

test('session reads: what the combined key pattern finds', () => {
  const keys = new Set(['dbStr', 'a.b-c', 'x']);
  const reads = sessionReads(keys);
  const combined = /\bSession\s*\(\s*"(?:dbStr|a\.b-c|x)"\s*\)(?!\s*=[^=])/i;
  assert.equal(reads('c = Session("DBSTR") & 1'), true);
  assert.equal(reads('Session("dbstr") = 1'), false);
  assert.equal(reads('Session("dbstr") == 1'), true);
  assert.equal(reads('Session("dbstr2")'), false);
  assert.equal(reads('Session("\u212a")'), false);
  const next = prng(41);
  const alphabet = ['Session', 'session', '(', ')', '"', 'dbstr', 'DbStr', 'x', 'X', 'a.b-c', ' ', '=', '==', '\n', 'y', '\u212a'];
  for (let k = 0; k < 5000; k++) {
    const s = randomText(next, alphabet, 14);
    assert.equal(reads(s), combined.test(s), JSON.stringify(s));
  }
});

test('taints over one text share its assignments and read them alike', () => {
  const code = 'a = Session("k")\nb = a\nc = Request("q")\nd = c & b';
  const first = new Taint(code, ASP_FLOW);
  assert.deepEqual([...first.vars].sort(), ['c', 'd']);
  const more = new Taint(code, { ...ASP_FLOW, moreSources: sessionReads(new Set(['k'])) });
  assert.deepEqual([...more.vars].sort(), ['a', 'b', 'c', 'd']);
  assert.equal(more.assignments, first.assignments);
  // another text in between: the reading is made again
  new Taint('z = 1', ASP_FLOW);
  assert.deepEqual([...new Taint(code, ASP_FLOW).vars].sort(), ['c', 'd']);
});
