/**
 * Rules whose answer is a function of one field's text remember it per text.
 *
 * Most rules a bucket evaluates test one field only (an image path against lists of names
 * and folders, a target file name against folders and extensions), and the values they see
 * repeat event after event. Such a rule's answer for an event whose field holds the text S
 * is the same for every event whose field holds S, so it is worked out once per text (see
 * event/value-memo.ts) instead of running its whole list of patterns again.
 */
import type { FieldView } from '../event/fields.js';
import { type MemoBudget, ValueMemo } from '../event/value-memo.js';
import type { Matcher } from '../sigma/matcher.js';
import type { MatchOp } from '../sigma/program.js';

/** Entries per rule (a power of two): a rule sees a few texts of its field again and again. */
const RULE_MEMO_SIZE = 16;
/** Longer texts are not remembered (bounds what the memos of thousands of rules hold). */
const RULE_MEMO_MAX_CHARS = 256;

/**
 * The one field every test of the program reads, or null: none, several, keyword searches
 * (every value of the event) or a comparison with another field make the answer depend on
 * more than one text.
 */
export function soleField(op: MatchOp): string | null {
  let field: string | null = null;
  let pure = true;
  const see = (f: string): void => {
    if (f === '' || (field !== null && field !== f)) pure = false;
    else field = f;
  };
  const walk = (o: MatchOp): void => {
    if (!pure) return;
    switch (o.k) {
      case 'const':
        return;
      case 'and':
      case 'or':
        for (const x of o.of) walk(x);
        return;
      case 'not':
        walk(o.of);
        return;
      case 'exists':
      case 'null':
      case 'in':
        see(o.field);
        return;
      case 'any':
        see(o.field);
        if (o.tests.some((t) => t.k === 'ref')) pure = false;
        return;
    }
  };
  walk(op);
  return pure ? field : null;
}

/**
 * `test` (the linked `op`), remembering its answer per text of the program's sole field when it
 * has one. The view's aliases must be the rule's when it runs (as for `test` itself): the field
 * is looked up as the rule's tests look it up, so the text is the one they would read. The
 * memo's memory counts against `budget` (shared by the rule set's rules).
 */
export function rememberingTest(op: MatchOp, test: Matcher, budget: MemoBudget): Matcher {
  const field = soleField(op);
  if (field === null) return test;
  const memo = new ValueMemo<boolean>(RULE_MEMO_SIZE, RULE_MEMO_MAX_CHARS, budget);
  return (view: FieldView) => {
    const k = view.key(field);
    if (k === undefined) return test(view);
    const v = view.fields[k];
    if (typeof v !== 'string') return test(view);
    const known = memo.get(v);
    if (known !== undefined) return known;
    const answer = test(view);
    if (memo.wants(v)) memo.set(v, answer);
    return answer;
  };
}
