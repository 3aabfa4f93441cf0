/**
 * CFML's evaluators: iif() evaluates only its two branches, and de() hands the evaluator a
 * quoted string (the value itself, not code). An admin page paging through search results is
 * not flagged; pages that evaluate request text still are. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { evaluatedText } from '../../src/scan/analyzers/cfml.js';

const EVAL = 'request input reaches Evaluate()';

const at = (code: string): number => code.indexOf('(');

test('evaluatedText: iif drops its condition, de() arguments are values', () => {
  assert.equal(evaluatedText('iif(n GT url.s+9, de(url.s+9), de(n))', 3, true), ' de(""), de("")');
  assert.equal(evaluatedText('evaluate(url.c)', at('evaluate(url.c)'), false), 'url.c');
  assert.equal(evaluatedText('evaluate(de(url.c) & url.d)', 8, false), 'de("") & url.d');
  // a request field read by a computed name
  assert.equal(evaluatedText('evaluate("form.#name#")', 8, false), '""');
  // an evaluator inside: what de() hands it is run again
  assert.equal(evaluatedText('evaluate(evaluate(de(url.c)))', 8, false), 'evaluate(de(url.c))');
});

const PAGER = `<cfparam name="url.startrow" default="1">
<cfsearch collection="#url.collection#" name="result" type="SIMPLE" criteria="#form.searchterm#">
<cfif result.recordCount EQ 0>
  <div class="warning">no result</div>
<cfelse>
  <cfset endrow=iif(result.recordCount GT url.startrow+9,de(url.startrow+9),de(result.recordCount))>
  <cfoutput query="result" startrow="#url.startrow#" maxrows="10">#result.title#<br></cfoutput>
</cfif>
`;

test('a results pager choosing its last row with iif/de is not flagged', () => {
  const f = findingOf('admin/search.cfm', PAGER);
  assert.ok(!reasons(f).includes(EVAL), reasons(f).join('; '));
  assert.equal(f?.verdict ?? 'clean', 'clean');
});

test('pages that evaluate request text are still malicious', () => {
  for (const page of [
    '<cfset r = evaluate(url.c)><cfoutput>#r#</cfoutput>',
    '<cfset x = iif(true, form.code, de(""))>',
    '<cfset c = url.c><cfset evaluate(evaluate(de(c)))>',
    '<cfscript>cmd = form.x; writeOutput(Evaluate(cmd & ""));</cfscript>',
  ]) {
    const f = findingOf('x.cfm', page);
    assert.ok(reasons(f).includes(EVAL), `${page}: ${reasons(f).join('; ')}`);
    assert.equal(f?.verdict, 'malicious', page);
  }
});
