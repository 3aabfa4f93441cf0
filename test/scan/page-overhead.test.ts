/**
 * The per-page work around the analyzers takes shortcuts that must not change a result:
 * language detection stops trying a language's cues once they cannot change the winner;
 * comment stripping builds one-byte texts in a byte buffer and wider ones from pieces;
 * Script Encoder blocks of bytes decode into a byte buffer. Each is checked here against the
 * long way (every cue tried; the same text made wide) and on hand-written pages whose exact
 * results the long way gave.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CUES, detectLanguage, isServerExtension, languageForExtension, phpOpenTag } from '../../src/scan/language.js';
import { CLIKE_LEX, PHP_LEX, VB_LEX, stripComments, type LexSpec } from '../../src/scan/lexer.js';
import { decodeScriptEncoder } from '../../src/scan/script-encoder.js';
import type { Language } from '../../src/scan/types.js';
import { prng } from '../helpers/prng.js';
import { scriptEncode } from './helpers.js';

/** detectLanguage trying every cue (no gates: a gate only skips a regex that cannot match), as it did before it could stop early. */
function everyCue(text: string, ext: string): { language: Language; confidence: number } {
  const head = text.length > 16384 ? text.slice(0, 16384) : text;
  const php = phpOpenTag(head);
  const asp = head.indexOf('<%');
  if (php !== -1 && !/<%@|<jsp:|<cf[a-z]/i.test(head) && (asp === -1 || asp > php)) return { language: 'php', confidence: 10 };
  const score = new Map<Language, number>();
  for (const [lang, re, w] of CUES) {
    re.lastIndex = 0;
    if (re.test(head)) score.set(lang, (score.get(lang) ?? 0) + w);
  }
  if (asp !== -1 && php > asp) score.set('php', (score.get('php') ?? 0) - 7);
  const hint = languageForExtension(ext);
  if (hint) score.set(hint, (score.get(hint) ?? 0) + 3);
  if ((score.get('aspx') ?? 0) > 0 && /<%@\s*page[^%]{0,300}import\s*=\s*["']java/i.test(head)) score.set('aspx', 0);
  let best: Language = 'unknown';
  let bestScore = 0;
  for (const [lang, s] of score) {
    if (s > bestScore) {
      best = lang;
      bestScore = s;
    }
  }
  if (bestScore <= 3 && (ext === 'config' || ext === 'xml' || ext === 'inc')) return { language: 'unknown', confidence: 0 };
  return { language: best, confidence: bestScore };
}

const ASP_PAGE = '<%@ LANGUAGE="VBSCRIPT" CODEPAGE="936" %>\n<%\nDim conn\nSet conn = Server.CreateObject("ADODB.Connection")\nResponse.Write "hi"\n%>\n';

test('language: the winner and its weight are those of trying every cue, ties going to the language that scored first', () => {
  const guess = (text: string, ext = ''): string => {
    const g = detectLanguage(text, ext);
    return `${g.language} ${g.confidence}`;
  };
  // directive 8 + CreateObject 4 + a `Dim` line 2 + Response.Write 1, plus the hint
  assert.equal(guess(ASP_PAGE), 'asp 15');
  assert.equal(guess(ASP_PAGE, 'asp'), 'asp 18');
  assert.equal(guess('<%\nDim a\nResponse.Write a\n%>'), 'asp 3');
  assert.equal(guess('<p>plain</p>'), 'unknown 0');
  assert.equal(guess('<p>plain</p>', 'asp'), 'asp 3');
  // the namespace cue (3) ties the bare .asp hint (3): the language with a cue hit scored first
  assert.equal(guess('<%\nx = 1\n%>\nusing System;\n', 'asp'), 'aspx 3');
  // `<%@ Page` (5) ties CreateObject 4 + Response.Write 1: ASP.NET's cues come first
  assert.equal(guess('<%@ Page %>\n<% Response.Write Server.CreateObject("x") %>'), 'aspx 5');
  assert.equal(guess('<%@ Page %>\n<% Response.Write Server.CreateObject("x") %>', 'asp'), 'asp 8');
  // a server script block (8) and a `Dim` line (2) tie PHP's script block (10): PHP scored first
  assert.equal(guess('<script language="vbscript" runat="server">\nDim a\n</script>\n<script language="php">echo 1;</script>'), 'php 10');
  // PHP after the page's own `<%` weighs 7 less
  assert.equal(guess('<%\nDim a\n%>\n<? $x = 1; ?>'), 'php 7');
  assert.equal(guess('<%\nDim a\n%>\n<?php echo 1; ?>'), 'php 3');
  // a Java import in the page directive zeroes ASP.NET's 11 once all its cues are in
  assert.equal(guess('<%@ Page Language="C#" %>\n<%@ page import="java.util.*" %>', 'aspx'), 'jsp 8');
  assert.equal(guess('#!/usr/bin/perl\nmy $x = 1;\n', 'asp'), 'perl 15');
  assert.equal(guess('import os\n<%\nDim a\nSet b = Server.CreateObject("x")\n%>'), 'asp 6');
  assert.equal(guess('<cfset x = 1>\n<%\nDim a\nSet b = 1\n%>'), 'cfml 8');
  assert.equal(guess('<% Response.Write 1 %>', 'inc'), 'unknown 0');
});

test('language: random mixes of every language cue score as trying every cue does', () => {
  const pieces = [
    '<?php echo 1; ?>',
    '<?= $x ?>',
    '<? $a = 1; ?>',
    '$_GET["a"]',
    '<script language="php">',
    'isset($a)',
    '$x = 1;',
    '<%@ page import="java.io.*" %>',
    '<%@ page contentType="text/html" %>',
    '<jsp:useBean id="x"/>',
    'request.getParameter("a")',
    'package a.b;',
    'import java.io.File;',
    '<%@ taglib prefix="c" uri="x" %>',
    '<%@ Page Language="C#" %>',
    '<%@ Language="VB" %>',
    'using System;',
    'System.IO.File',
    '@model X',
    '<%@ LANGUAGE="VBSCRIPT" %>',
    '<%@ CODEPAGE=65001 %>',
    '<script language="vbscript" runat="server">',
    'Server.CreateObject("x")',
    'Dim a',
    'Response.Write "x"',
    '<cfset x=1>',
    'component {',
    '#!/usr/bin/perl',
    'my $x',
    'use strict;',
    '#!/usr/bin/python',
    'import os',
    'def f(x):',
    'require("fs")',
    "from 'http'",
    'module.exports = 1',
    '#!/bin/sh',
    '<?xml version="1.0"?><beans>',
    '<beans>',
    '<%',
    '<% x %>',
    'hello',
  ];
  const exts = ['', 'asp', 'aspx', 'php', 'jsp', 'inc', 'config', 'xml', 'pl', 'py', 'cfm', 'sh', 'txt'];
  const next = prng(23);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!;
  for (let t = 0; t < 10000; t++) {
    const parts: string[] = [];
    for (let k = 1 + Math.floor(next() * 7); k > 0; k--) parts.push(pick(pieces));
    const text = parts.join(next() < 0.5 ? '\n' : ' ');
    const ext = pick(exts);
    assert.deepEqual(detectLanguage(text, ext), everyCue(text, ext), JSON.stringify([text, ext]));
  }
});

const SERVER_REGIONS: Array<[string, string]> = [
  ['<%', '%>'],
  ['<script', '</script>'],
];
const SPECS: LexSpec[] = [{ ...VB_LEX, regions: SERVER_REGIONS }, { ...CLIKE_LEX, regions: SERVER_REGIONS }, PHP_LEX, VB_LEX];

test('comments: a one-byte page and the same page with a wide character in a comment are blanked alike', () => {
  const page = '<p class="a">x</p>\n<% x = 1 \' note ~\n y = "it\'s" %>\n<p>\'q\'</p>\n<%= z %>>';
  const vb = SPECS[0]!;
  const want = '<p cl           p>\n<% x = 1         \n y = "it\'s" %>\n<p      p>\n<%= z %> ';
  assert.equal(stripComments(page, vb), want);
  assert.equal(stripComments(page.replace('~', '\u0100'), vb), want);
  const php = '<b title="t">\n<?php $a = 1; // c ~\n/* d\n e */ echo "x"; ?>\n<script language="php">$b;</script>\n';
  const phpWant = '<b ti       >\n<?php $a = 1;       \n    \n      echo "x"; ?>\n<s                php  $b;</script>\n';
  assert.equal(stripComments(php, PHP_LEX), phpWant);
  assert.equal(stripComments(php.replace('~', '\u0100'), PHP_LEX), phpWant);
});

test('comments: random pages strip the same whether a neutral character is one byte or wide', () => {
  // `~` and U+0100 play the same part for every lexer (no quote, comment, delimiter or word
  // character): the wide one sends the text down the piece-built path
  const alphabet = [
    '<',
    '>',
    '%>',
    '?>',
    '<%',
    '<?php',
    '"',
    "'",
    '`',
    '\n',
    '\r\n',
    ' ',
    'ab',
    '//',
    '/*',
    '*/',
    '#',
    '\\',
    '<script>',
    '</script>',
    '<SCRIPT language="php">',
    '\xe9',
    '%',
    '"">',
    '~',
    '~~~~~~~~~~~~~~',
  ];
  const next = prng(31);
  for (let t = 0; t < 5000; t++) {
    let s = '';
    for (let k = Math.floor(next() * 40); k > 0; k--) s += alphabet[Math.floor(next() * alphabet.length)];
    for (const spec of SPECS) assert.equal(stripComments(s.replaceAll('~', '\u0100'), spec).replaceAll('\u0100', '~'), stripComments(s, spec), JSON.stringify(s));
  }
});

test('script encoder: blocks of bytes decode as wide blocks do', () => {
  // a high byte (0xE9) and U+0100 are copied alike, so a page differing only in them decodes alike
  const next = prng(41);
  const chars = ['a', 'Z', ' ', '\t', '\r\n', '<', '>', '@', '"', '\xe9', '\xe9\xe9', '~'];
  for (let t = 0; t < 2000; t++) {
    let plain = '';
    for (let k = Math.floor(next() * 30); k > 0; k--) plain += chars[Math.floor(next() * chars.length)];
    const units = (['bytes', 'pairs', 'utf8'] as const)[t % 3];
    const page = `<%${scriptEncode(plain, { units, noEnd: t % 5 === 0 })}%>x`;
    const narrow = decodeScriptEncoder(page);
    const wide = decodeScriptEncoder(page.replaceAll('\xe9', '\u0100'));
    assert.ok(narrow && wide);
    assert.deepEqual({ ...wide, text: wide.text.replaceAll('\u0100', '\xe9') }, narrow, JSON.stringify(page));
  }
  // a known page: the escapes and a pair of GBK bytes decode to the code
  const gbk = decodeScriptEncoder(`<%${scriptEncode('x = "\xc4\xe3"\r\nResponse.Write x', { units: 'pairs' })}%>`);
  // (a block with high bytes has no checkable checksum: neither verified nor damaged)
  assert.deepEqual(gbk, { text: '<%x = "\xc4\xe3"\r\nResponse.Write x%>', blocks: 1, verified: 0, damaged: 0, firstOffset: 2 });
});

test("extensions named like Object's members are no server extensions", () => {
  for (const ext of ['constructor', '__proto__', 'tostring', 'hasownproperty', 'valueof']) {
    assert.equal(languageForExtension(ext), undefined, ext);
    assert.equal(isServerExtension(ext), false, ext);
  }
  assert.equal(languageForExtension('php'), 'php');
  assert.equal(isServerExtension('aspx'), true);
});
