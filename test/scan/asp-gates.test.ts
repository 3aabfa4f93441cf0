/**
 * The classic ASP analyzer's whole-page patterns that now run only where a match can start
 * (asp-gates.ts, declaresClass, isJscriptPage, isApplicationPage) must find exactly what the
 * pattern finds over the whole text: checked against the plain regex on hand-written tricky
 * inputs and on seeded random strings over the pieces each pattern reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstAt, literalOffsets } from '../../src/scan/words.js';
import { matches } from '../../src/scan/flow.js';
import { ASP_FLOW } from '../../src/scan/analyzers/asp.js';
import {
  EVAL_ALIAS,
  IMPORT_LOOP,
  SESSION_SET,
  UNSAFE_EVAL,
  evalAliasStarts,
  functionCtorCalls,
  importLoop,
  readsRequest,
  sessionSets,
} from '../../src/scan/analyzers/asp-gates.js';
import { CLASS_LINE, declaresClass } from '../../src/scan/analyzers/asp-params.js';
import { JSCRIPT_PAGE, isJscriptPage } from '../../src/scan/analyzers/asp-scan.js';
import { isApplicationPage } from '../../src/scan/analyzers/asp-context.js';
import { ASSIGN, envAssignStarts, nextAssign } from '../../src/scan/analyzers/asp-fold.js';
import { prng } from '../helpers/prng.js';

const show = (m: RegExpExecArray | null): string => (m ? `${m.index}:${JSON.stringify([...m])}` : 'none');
const showAll = (ms: Iterable<RegExpExecArray>): string[] => [...ms].map(show);

/** The reference: each pattern over the whole text, as the analyzer ran it before. */
const APP_INCLUDE = /<!--\s*#include\s+(?:file|virtual)\s*=\s*["']?[^"'>\n]{1,200}\.(?:asp|inc|asa|cls|fun|config)["']?\s*-->/i;
const FUNCTION_CTOR_G = /(?<![\w.$])(?:new[ \t]+)?Function[ \t]*\(/g;

function checkAll(code: string): void {
  const lower = code.toLowerCase();
  const evals = literalOffsets(code, 'eval');
  assert.equal(show(evals.length > 0 ? firstAt(EVAL_ALIAS, code, evalAliasStarts(code, evals)) : null), show(EVAL_ALIAS.exec(code)), `alias ${JSON.stringify(code)}`);
  assert.equal(show(evals.length > 0 ? firstAt(UNSAFE_EVAL, code, evals) : null), show(UNSAFE_EVAL.exec(code)), `unsafe ${JSON.stringify(code)}`);
  assert.equal(show(importLoop(code, lower)), show(IMPORT_LOOP.exec(code)), `import ${JSON.stringify(code)}`);
  assert.equal(readsRequest(code, lower, ASP_FLOW.source, ASP_FLOW.source), ASP_FLOW.source.test(code), `request ${JSON.stringify(code)}`);
  assert.deepEqual(showAll(functionCtorCalls(code)), showAll(matches(FUNCTION_CTOR_G, code, 50)), `ctor ${JSON.stringify(code)}`);
  assert.deepEqual(showAll(sessionSets(code, lower)), showAll(matches(SESSION_SET, code, 200)), `session ${JSON.stringify(code)}`);
  assert.equal(declaresClass(code, lower), CLASS_LINE.test(code), `class ${JSON.stringify(code)}`);
  assert.equal(isJscriptPage(code), JSCRIPT_PAGE.test(code), `jscript ${JSON.stringify(code)}`);
  assert.equal(isApplicationPage(code), APP_INCLUDE.test(code), `include ${JSON.stringify(code)}`);
}

const TRICKY = [
  '',
  'eval',
  'x = eval;',
  'x=eval\n',
  'return eval;',
  'return\u00a0\u2028eval}',
  'returneval;',
  '(return eval;',
  'return  eval ]',
  ':eval )',
  'f(  \n eval , 1)',
  'evaleval;',
  '= evaleval;',
  'z.eval(a, "unsafe")',
  'eval(a, "unsafe")',
  'eval(x,k)',
  'a = eval(b, "x" + c)',
  'For Each k In Request.Form : Execute k & "=Request.Form(""" & k & """)" : Next',
  'for\teach K in request . querystring\nExecute(""&K&"=Request")',
  'ForEach k In Request.Form Execute k & "=Request"',
  'Xfor each k In Request.Form : Execute k & "=Request"',
  'For  For Each k In Request.Form : Execute(k) & " = Request',
  'Request("a")',
  'myRequest("a")',
  'Request . Form',
  'request.servervariables("HTTP_X_A")',
  'REQUEST[',
  'Requestx(',
  'var f = new Function("a", b);',
  'new  Function (x)',
  'new\tnew Function(',
  'renew Function(',
  '.Function(',
  '$Function(',
  'Function(Function(',
  'Function Foo(a)',
  'newFunction(',
  'Session("k") = Request("a")',
  'session ( "a.b-c" )= x : Session("k")==1',
  'Sessions("k") = 1',
  'Class Foo',
  '  class\t_x',
  '\r\tCLASS  y',
  '\u2028Class z',
  'xClass a',
  'Class\nA',
  'Classes b',
  ' Class ',
  '<%@ LANGUAGE="JScript" %>',
  '<%@ Page Language = Javascript',
  '<%@%><%@ language=jscript',
  '<%@ x%> LANGUAGE=JScript',
  '<!--#include file="conn.asp"-->',
  "<!-- #INCLUDE virtual = '/a/b.inc' -->",
  '<!--<!--#include file="x.asp"-->',
  '<!--#include file="x.txt"-->',
  // lower-casing that moves offsets (the dotted capital I becomes two characters)
  '\u0130\u0130 Class A : x = eval; Session("k") = 1 : Request("a") : For Each k In Request.Form : Execute k & "=Request"',
  '\u212a Class A',
];

test('asp gates: hand-written inputs find what the whole-text patterns find', () => {
  for (const code of TRICKY) checkAll(code);
});

const ALPHABET = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u2028',
  '\u0130',
  'eval',
  'Eval',
  'return',
  ':',
  '=',
  ',',
  '(',
  ')',
  ';',
  '}',
  ']',
  '"',
  "'unsafe'",
  '"unsafe"',
  '+',
  'x',
  '_',
  '.',
  '$',
  'new',
  'Function',
  'Class',
  'CLASS',
  'For',
  'each',
  'Each',
  'In',
  'Request',
  'request',
  '.Form',
  '.QueryString',
  'Execute',
  '&',
  '<%@',
  'LANGUAGE',
  'JScript',
  '<!--',
  '#include',
  'file',
  '.asp',
  '-->',
  'Session',
  '("k")',
  '%>',
];

test('asp gates: seeded random texts find what the whole-text patterns find', () => {
  const next = prng(20261207);
  for (let i = 0; i < 20000; i++) {
    let s = '';
    const n = 1 + Math.floor(next() * 30);
    for (let k = 0; k < n; k++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
    checkAll(s);
  }
});

/** Per pattern, the pieces its matches are made of (and near misses): random texts of these hit it often. */
const PIECES: string[][] = [
  ['For', 'for', 'FOR', ' ', '\t', 'Each', 'each', 'k', 'In', 'Request', '.', 'Form', 'QueryString', 'Execute', '(', '""', '&', '"', '=', ':', '\n', 'x'],
  ['<%@', '%', ' ', 'LANGUAGE', 'language', '=', '"', "'", 'JScript', 'javascript', 'Page', '\n', '<%', '%>'],
  ['<!--', ' ', '\n', '#include', '#INCLUDE', 'file', 'virtual', '=', '"', "'", 'x', '/', '.asp', '.inc', '.txt', '-->', '>'],
  ['Session', 'session', ' ', '\t', '\n', '(', ')', '"', 'k', '.', '-', '=', '==', ':', 'x', 'Sessions'],
  ['eval', 'Eval', '.', 'x', ' ', '\n', '(', ')', ',', '"unsafe"', "'unsafe'", '"ab"', '+', 'k', 'return', ':', '=', ';', '}', ']', '\u00a0'],
  ['Function', 'new', ' ', '\t', '\n', '(', '.', '$', 'x', 'renew', 'Class', 'class', '\r', '\u2028', '_', 'A'],
];

test("asp gates: seeded random texts of each pattern's pieces find what the whole-text patterns find", () => {
  const next = prng(7);
  for (const pieces of PIECES)
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const n = 1 + Math.floor(next() * 24);
      for (let k = 0; k < n; k++) {
        const w = pieces[Math.floor(next() * pieces.length)]!;
        // letters in a random case now and then: the patterns are case-blind
        s += next() < 0.2 ? [...w].map((c) => (next() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('') : w;
      }
      checkAll(s);
    }
});

/** Texts each pattern matches: mutated at random, they give matches and near misses alike. */
const SEEDS = [
  'For Each k In Request.Form : Execute k & "=Request.Form(""" & k & """)"',
  'for\teach  x in request . QueryString\r\n  Execute(""&f(x)&" = Request")',
  '<%@ LANGUAGE="JScript" %>',
  "<%@Page language = 'javascript'",
  '<!--#include file="inc/conn.asp"-->',
  "<!-- #include virtual = '/a.config' -->",
  'Session("key") = Request("a")',
  'session ( "a.b" )  =x:y',
  'eval(code, "unsafe")',
  'x = eval(a, key)',
  'var o = {e: eval}; return eval;',
  'f = new Function("a", b); Function(c)',
  '  Class Foo\n Class\tBar',
];

function mutate(next: () => number, seed: string, pieces: readonly string[]): string {
  let s = seed;
  const edits = Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (s.length + 1));
    const op = next();
    if (op < 0.35) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 3));
    else if (op < 0.7) s = s.slice(0, at) + pieces[Math.floor(next() * pieces.length)]! + s.slice(at);
    else s = s.slice(0, at) + (next() < 0.5 ? s.charAt(at).toUpperCase() : s.charAt(at).toLowerCase()) + s.slice(at + 1);
  }
  return s;
}

test('asp gates: seeded mutations of matching texts find what the whole-text patterns find', () => {
  const next = prng(42);
  const pieces = PIECES.flat();
  for (const seed of SEEDS)
    for (let i = 0; i < 3000; i++) checkAll(mutate(next, seed, pieces) + (next() < 0.3 ? mutate(next, SEEDS[Math.floor(next() * SEEDS.length)]!, pieces) : ''));
});

test('asp gates: a long page of near misses stays linear', () => {
  const page = 'returnx eval: Functio new Class_ For Eachx Sessionx <!-- <%@ '.repeat(40000);
  const t0 = process.hrtime.bigint();
  checkAll(page);
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 5000);
});

const ENV_PIECES = [
  '\n',
  '\r',
  ' ',
  '\t',
  ':',
  ';',
  '<%',
  '%',
  '<',
  'then',
  'Else',
  'THEN',
  'Set ',
  'dim\t',
  'Const ',
  'var',
  'x',
  'a1',
  '_',
  '9',
  '=',
  '==',
  '"',
  '(',
  ')',
  '.',
  'elsex',
  '\u0130',
];

test('asp gates: the replay finds from any offset the assignment a scan from there finds', () => {
  const next = prng(99);
  const scan = new RegExp(ASSIGN.source, 'gi');
  for (let i = 0; i < 4000; i++) {
    let s = '';
    const n = 1 + Math.floor(next() * 20);
    for (let k = 0; k < n; k++) s += ENV_PIECES[Math.floor(next() * ENV_PIECES.length)];
    const starts = envAssignStarts(s);
    for (let from = 0; from <= s.length; from++) {
      scan.lastIndex = from;
      assert.equal(show(nextAssign(s, starts, from)), show(scan.exec(s)), `${JSON.stringify(s)} from ${from}`);
    }
  }
});
