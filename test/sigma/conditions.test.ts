/** Conditions: and/or/not, parentheses, precedence, x of, them, lists of conditions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, matches, loadError } from './helpers.js';
import { parseCondition } from '../../src/sigma/conditions.js';

const det = (condition: string) => `
sel_a:
    A: 1
sel_b:
    B: 1
filter_c:
    C: 1
_hidden:
    H: 1
condition: ${condition}`;

/** Evaluates a condition over the 16 combinations of A, B, C, H and returns the true ones as strings like "AB". */
function truthTable(condition: string): string[] {
  const r = compile(det(condition));
  const out: string[] = [];
  for (let m = 0; m < 16; m++) {
    const ev: Record<string, number> = {};
    let name = '';
    (['A', 'B', 'C', 'H'] as const).forEach((k, i) => {
      if (m & (1 << i)) {
        ev[k] = 1;
        name += k;
      }
    });
    if (matches(r, ev)) out.push(name || '-');
  }
  return out.sort();
}

test('and / or / not and precedence (not > and > or)', () => {
  assert.deepEqual(truthTable('sel_a and sel_b'), ['AB', 'ABC', 'ABCH', 'ABH']);
  assert.deepEqual(truthTable('sel_a or sel_b and filter_c'), truthTable('sel_a or (sel_b and filter_c)'));
  assert.deepEqual(truthTable('not sel_a and sel_b'), ['B', 'BC', 'BCH', 'BH']);
  assert.deepEqual(truthTable('not (sel_a or sel_b)'), ['-', 'C', 'CH', 'H']);
  assert.deepEqual(truthTable('not not sel_a and not filter_c and not sel_b'), ['A', 'AH']);
  assert.deepEqual(truthTable('SEL_A'.toLowerCase() + ' AND sel_b'), ['AB', 'ABC', 'ABCH', 'ABH']);
});

test('1 of / any of / all of with patterns and them (identifiers starting with _ excluded)', () => {
  assert.deepEqual(truthTable('1 of sel_*'), truthTable('sel_a or sel_b'));
  assert.deepEqual(truthTable('any of sel_*'), truthTable('sel_a or sel_b'));
  assert.deepEqual(truthTable('all of sel_*'), truthTable('sel_a and sel_b'));
  assert.deepEqual(truthTable('all of them'), ['ABC', 'ABCH']);
  assert.deepEqual(truthTable('1 of them'), truthTable('sel_a or sel_b or filter_c'));
  assert.deepEqual(truthTable('1 of sel_* and not 1 of filter*'), ['A', 'AB', 'ABH', 'AH', 'B', 'BH']);
  assert.deepEqual(truthTable('all of _h*'), truthTable('_hidden'));
  assert.deepEqual(truthTable('1 of *_b'), truthTable('sel_b'));
});

test('a list of conditions is their OR', () => {
  const r = compile(`
a:
    A: 1
b:
    B: 1
condition:
    - a
    - b`);
  assert.deepEqual(
    [{ A: 1 }, { B: 1 }, { C: 1 }].map((e) => matches(r, e)),
    [true, true, false],
  );
});

test('parse tree shape', () => {
  assert.deepEqual(parseCondition('a or b and not c', ['a', 'b', 'c']), {
    t: 'or',
    items: [
      { t: 'id', name: 'a' },
      {
        t: 'and',
        items: [
          { t: 'id', name: 'b' },
          { t: 'not', item: { t: 'id', name: 'c' } },
        ],
      },
    ],
  });
  assert.deepEqual(parseCondition('all of x*', ['x1', 'y', 'x2']), { t: 'of', all: true, ids: ['x1', 'x2'] });
});

test('bad conditions are load errors with the reason', () => {
  assert.match(loadError(det('sel_a and sel_x')) ?? '', /unknown search identifier 'sel_x'/);
  assert.match(loadError(det('sel_a and')) ?? '', /expression expected/);
  assert.match(loadError(det('(sel_a or sel_b')) ?? '', /missing '\)'/);
  assert.match(loadError(det('sel_a sel_b')) ?? '', /unexpected token/);
  assert.match(loadError(det('1 of nothing*')) ?? '', /matches no search identifier/);
  assert.match(loadError(det('sel_a | count() > 5')) ?? '', /aggregation expressions/);
  assert.match(loadError(`sel:\n    A: 1`) ?? '', /has no condition/);
  assert.match(loadError(det("''")) ?? '', /empty condition/);
});
