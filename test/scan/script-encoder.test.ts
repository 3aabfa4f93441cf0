/**
 * Microsoft Script Encoder blocks are decoded before classic ASP is analyzed: the decoder
 * against an encoder written for the tests (test/scan/helpers.ts), one vector worked out by
 * hand from the published tables, and encoded shells and encoded ordinary pages scanned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeScriptEncoder, readField } from '../../src/scan/script-encoder.js';
import { findingOf, reasons, scriptEncode } from './helpers.js';

test('script encoder: a known vector decodes, with its length and checksum fields', () => {
  // "dim objfso" at position 0: d->[ (table 1), i->b (table 2), m->: (table 0), ...
  const block = '#@~^CgAAAA==[b:~K4N0/K3QMAAA==^#~@';
  assert.equal(readField('CgAAAA=='), 10);
  assert.equal(
    readField('3QMAAA=='),
    [...'dim objfso'].reduce((s, c) => s + c.charCodeAt(0), 0),
  );
  const d = decodeScriptEncoder(`<%${block}%>`);
  assert.deepEqual(d, { text: '<%dim objfso%>', blocks: 1, verified: 1, damaged: 0, firstOffset: 2 });
  assert.equal(scriptEncode('dim objfso'), block);
});

test('script encoder: every printable character, tabs and the escaped ones round-trip at every position', () => {
  let all = '';
  for (let c = 0x20; c < 0x7f; c++) all += String.fromCharCode(c);
  // 3 x 95 characters + tabs and line breaks: each character meets every table
  const code = `${all}\t${all}\r\n${all}@<>\t\n`;
  const d = decodeScriptEncoder(`<%${scriptEncode(code)}%>`)!;
  assert.equal(d.text, `<%${code}%>`);
  assert.equal(d.verified, 1);
  assert.equal(d.damaged, 0);
  assert.equal(decodeScriptEncoder('<% plain %>'), undefined);
});

test('script encoder: double-byte and UTF-8 text is copied and does not move the position', () => {
  // GBK: a lead byte above 0x80, a trail byte that can be ASCII ("A" here)
  const gbk = 'x = "\xb2A\xc4\xe3" : y = "ok"';
  assert.equal(decodeScriptEncoder(scriptEncode(gbk, { units: 'pairs' }))!.text, gbk);
  const utf8 = Buffer.from('s = "你好" & "é" : Execute s', 'utf8').toString('latin1');
  assert.equal(decodeScriptEncoder(scriptEncode(utf8, { units: 'utf8' }))!.text, utf8);
  const latin = 'n = "caf\xe9" : m = 1';
  assert.equal(decodeScriptEncoder(scriptEncode(latin))!.text, latin);
});

test('script encoder: several blocks in one page, a cut-short block, a bad checksum', () => {
  const page = `<html><%${scriptEncode('a = 1')}%><b>x</b><%${scriptEncode('b = 2\r\nc = a + b')}%></html>`;
  const d = decodeScriptEncoder(page)!;
  assert.equal(d.text, '<html><%a = 1%><b>x</b><%b = 2\r\nc = a + b%></html>');
  assert.equal(d.blocks, 2);
  assert.equal(d.verified, 2);
  const cut = decodeScriptEncoder(`<%${scriptEncode('Response.Write 1', { noEnd: true })}%>`)!;
  assert.equal(cut.text, '<%Response.Write 1%>');
  assert.equal(cut.damaged, 1);
  // a character changed by a copy or an edit: the checksum no longer matches
  const enc = scriptEncode('If a Then b = 1');
  const edited = `${enc.slice(0, 12)}${enc[12] === 'a' ? 'b' : 'a'}${enc.slice(13)}`;
  assert.equal(decodeScriptEncoder(edited)!.damaged, 1);
  assert.equal(decodeScriptEncoder(edited)!.verified, 0);
  // a length field that is not one: the marker is left alone
  assert.equal(decodeScriptEncoder('#@~^!!!!!!==abc')!.text, '#@~^!!!!!!==abc');
});

test('script encoder: encoded shells are judged by the code they run', () => {
  const vb = findingOf('enc.asp', `<%@ LANGUAGE = VBScript.Encode %>\r\n<%${scriptEncode('Execute(Request("c"))')}%>`);
  assert.equal(vb?.verdict, 'malicious');
  assert.ok(reasons(vb).includes('request input reaches Execute'), JSON.stringify(reasons(vb)));
  const js = findingOf(
    'enc-js.asp',
    `<%@ LANGUAGE = JScript.Encode %>\r\n<%${scriptEncode('var s = new ActiveXObject("WScript.Shell");\r\nResponse.Write(s.Exec("cmd /c " + Request.Form("x")).StdOut.ReadAll());')}%>`,
  );
  assert.equal(js?.verdict, 'malicious', JSON.stringify(js?.evidence));
  // code that spans a plain and an encoded block is one program
  const split = findingOf('split.asp', `<% c = Request.Form("z") %>\r\n<%${scriptEncode('Eval(c)')}%>`);
  assert.ok(reasons(split).includes('request-derived variable reaches Eval'), JSON.stringify(reasons(split)));
});

test('script encoder: an encoded ordinary page (a licence check, a counter) is clean', () => {
  const page = `<!--#include file="conn.asp"-->\r\n<%@ LANGUAGE = VBScript.Encode %>\r\n<%${scriptEncode(
    'If Application("licence") <> "ABC-123" Then\r\n  Response.Write "unlicensed copy"\r\nEnd If\r\nSet rs = conn.Execute("select count(*) from hits")\r\nResponse.Write rs(0)',
  )}%>`;
  assert.equal(findingOf('footer.asp', page), undefined);
  // one the encoder cannot have written still counts as hidden code
  const cut = findingOf('cut.asp', `<%@ LANGUAGE = VBScript.Encode %>\r\n<%${scriptEncode('Response.Write Now()', { noEnd: true })}%>`);
  assert.equal(cut?.verdict, 'suspicious');
});
