/**
 * Web shells the scanner used not to see (issue #16), each built here: Java \uXXXX escapes,
 * PHP after 16 KB of junk in an include target, short open tags and `<script language="php">`,
 * UTF-16 pages with a byte-order mark, file names that are not UTF-8.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanBytes } from '../../src/scan/scan-bytes.js';
import { scan } from '../../src/scan/scanner.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';

const ctx = { limits: DEFAULT_LIMITS };

function verdict(path: string, data: Buffer | string): string | undefined {
  return scanBytes(path, Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'), ctx)[0]!.finding?.verdict;
}

test('Java \\uXXXX escapes are decoded before analysis, as javac does', () => {
  const jsp = '<%@ page import="java.io.*" %><% \\u0052untime.get\\u0052untime().\\u0065xec(request.getParameter("cmd")); %>';
  assert.equal(verdict('u.jsp', jsp), 'malicious');
  // any number of u's, and the escapes may spell the whole call
  const all = [...'Runtime.getRuntime().exec'].map((c) => `\\uu${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  assert.equal(verdict('v.jsp', `<%@ page import="java.io.*" %><% ${all}(request.getParameter("c")); %>`), 'malicious');
});

test('PHP after 16 KB of junk in .jpg, .txt and .inc files is found', () => {
  const junk = Buffer.alloc(16 * 1024 + 100, 0x41);
  for (const ext of ['jpg', 'txt', 'inc']) {
    const data = Buffer.concat([junk, Buffer.from('\n<?php system($_GET["c"]); ?>')]);
    assert.equal(verdict(`x.${ext}`, data), 'malicious', ext);
  }
});

test('short open tags and <script language="php"> blocks are read as PHP', () => {
  assert.equal(verdict('a.txt', 'hello\n<? system($_GET["c"]); ?>\n'), 'malicious');
  assert.equal(verdict('b.php', '<? $c = $_POST["c"]; eval($c); ?>'), 'malicious');
  assert.equal(verdict('c.html', '<html><script language="php">system($_GET["c"]);</script></html>'), 'malicious');
  assert.equal(verdict('d.xml', '<?xml version="1.0"?><a>text</a>'), undefined);
});

test('UTF-16 JSP and ASPX pages with a byte-order mark are decoded first', () => {
  const jsp = '<%@ page import="java.io.*" %><% Runtime.getRuntime().exec(request.getParameter("cmd")); %>';
  const aspx = '<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>';
  const le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  const be = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf16le');
    b.swap16();
    return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
  };
  assert.equal(verdict('le.jsp', le(jsp)), 'malicious');
  assert.equal(verdict('be.jsp', be(jsp)), 'malicious');
  assert.equal(verdict('le.aspx', le(aspx)), 'malicious');
});

test('a file name that is not valid UTF-8 is opened by its bytes and reported with the bad byte escaped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-names-'));
  try {
    // "sh\xe9ll.php" in latin1, in a folder named with a stray continuation byte: neither is UTF-8
    const sub = Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0x80])]);
    mkdirSync(sub);
    const name = Buffer.concat([sub, Buffer.from('/sh'), Buffer.from([0xe9]), Buffer.from('ll.php')]);
    writeFileSync(name, '<?php system($_GET["c"]); ?>');
    for (const workers of [0, 1]) {
      const r = await scan([dir], { workers });
      assert.deepEqual(r.problems, []);
      assert.deepEqual(
        r.findings.map((f) => [f.path, f.verdict]),
        [[`${dir}/d\\x80/sh\\xe9ll.php`, 'malicious']],
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
