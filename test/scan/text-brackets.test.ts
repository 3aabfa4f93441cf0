/** scan/text's bracket matching, shared by braceBody (function bodies) and PHP constant folding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { braceBody, matchingClose } from '../../src/scan/text.js';

test('matchingClose pairs ( ), [ ] and { } and skips brackets inside quoted strings', () => {
  assert.equal(matchingClose('f(a, ")", g(\'(\'), b)', 1), 19);
  assert.equal(matchingClose('[1, [2], "]"]', 0), 12);
  assert.equal(matchingClose('{ if (x) { y("}"); } } tail', 0), 21);
  // an escaped quote does not end the string
  assert.equal(matchingClose('("a\\")" )', 0), 8);
});

test('matchingClose on hostile input: unclosed, unterminated string, bound reached', () => {
  assert.equal(matchingClose('((((', 0), -1);
  assert.equal(matchingClose('( "never closed )', 0), -1);
  assert.equal(matchingClose('(a)', 0, 2), -1);
});

test('braceBody gives the block, or the text up to the bound when it does not close', () => {
  assert.equal(braceBody('function f() { return "}"; } next();', 13, 1000), '{ return "}"; }');
  assert.equal(braceBody('x { open { forever', 2, 8), '{ open {');
});
