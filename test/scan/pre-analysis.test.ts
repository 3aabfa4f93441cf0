/**
 * The work around the analyzers (comment stripping, language detection, the obfuscation
 * pass's walks) was rewritten for speed: each test pins the exact result the earlier form gave
 * on a small input that exercises the rewritten path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countEscapes } from '../../src/scan/analyzers/obfuscation.js';
import { detectLanguage, phpOpenTag } from '../../src/scan/language.js';
import { CLIKE_LEX, PHP_LEX, VB_LEX, stripComments } from '../../src/scan/lexer.js';
import { findingOf } from './helpers.js';

test('stripComments: template text, comments and regions come out blanked at the same offsets', () => {
  const php = '<p class="a">hi</p><?php\n/* one\n  two */ $a = "x // not"; # note ?>tail \'"x\n<?php // c\n$b = 1;';
  assert.equal(stripComments(php, PHP_LEX), '<p cl           /p><?php\n      \n         $a = "x // not";        ?>tai    x\n<?php     \n$b = 1;');
  const asp = '<html>\n<body>"q"\n<% \' a comment\nx = "it\'s" \' two\n%>\n<p>\'</p>';
  const regions: Array<[string, string]> = [
    ['<%', '%>'],
    ['<script', '</script>'],
  ];
  assert.equal(stripComments(asp, { ...VB_LEX, regions }), '<html \n       q \n<%            \nx = "it\'s"      \n%>\n<p> </p ');
  assert.equal(stripComments('a/*1*/b/*22*/c/*\n*/d', CLIKE_LEX), 'a     b      c  \n  d');
});

test('stripComments: many comments on one long line are blanked in linear time', () => {
  const line = `${'x/* c */'.repeat(20000)}\n/* a\nb */y`;
  const started = Date.now();
  const out = stripComments(line, CLIKE_LEX);
  assert.equal(out, `${'x       '.repeat(20000)}\n    \n    y`);
  assert.ok(Date.now() - started < 2000);
});

test('phpOpenTag: the first <?php in any case, as the case-blind regex finds it', () => {
  assert.equal(phpOpenTag('<html><? echo 1; <?pHp x'), 17);
  assert.equal(phpOpenTag('<?PHP'), 0);
  assert.equal(phpOpenTag('<?ph'), -1);
  assert.equal(phpOpenTag('<? php <?ph p'), -1);
  assert.deepEqual(detectLanguage('<html><?PhP echo 1; ?>', ''), { language: 'php', confidence: 10 });
});

test('server-side JavaScript: request reads count only as a whole word, after any number of look-alikes', () => {
  const lang = (t: string): string => detectLanguage(t, 'js').language;
  assert.equal(lang('const h = require("http"); new Function(); x = req.query;'), 'node');
  assert.equal(lang('const h = require("http"); new Function(); x = myreq.query;'), 'unknown');
  assert.equal(lang('const h = require("http"); new Function(); x = myreq.query; y = request . body;'), 'node');
  // no eval word and no socket: not looked at
  assert.equal(lang('const h = require("http"); x = req.query;'), 'unknown');
  assert.equal(lang('const h = require("http"); net.connect(); req.headers'), 'node');
  assert.equal(lang('const h = require("http"); eval(s); reqreq.url'), 'unknown');
});

test('countEscapes: the escapes a global regex counts, each after the one before, up to the cap', () => {
  const text = '\\x41\\x4\\101\\\\x41\\999\\0777';
  assert.equal(countEscapes(text, 100), 4);
  assert.equal(countEscapes(text, 100), text.match(/\\(?:x[0-9a-fA-F]{2}|[0-7]{3})/g)?.length);
  assert.equal(countEscapes('\\x41'.repeat(10), 4), 4);
  assert.equal(countEscapes('no escapes', 4), 0);
});

test('obfuscation: long base64 runs are found where a line holds them, with their padding', () => {
  const payload = Buffer.from(`<?php system($_GET['c']); ${'echo 1; '.repeat(60)}?>=`).toString('base64');
  assert.ok(payload.length >= 400 && payload.endsWith('='));
  // one at a line's start, padded; one after other text on its line
  const page = `<?php\n$short = "abc";\n${payload}\n$x = 1; $blob = "${payload}";\n`;
  const f = findingOf('x.php', page);
  assert.deepEqual(
    f?.evidence.map((e) => [e.reason, e.line, e.weight]),
    [
      ['request input reaches system()', 1, 12],
      ['long base64 blob that decodes to code', 3, 5],
      ['OS command built from variables in a script that reads request input', 1, 3],
      ['runs OS commands (system)', 1, 2],
    ],
  );
  // a run one short of 400 is not a blob
  assert.equal(findingOf('y.php', `<?php\n$blob = "${'QUJD'.repeat(99)}QUJ";\n`), undefined);
});
