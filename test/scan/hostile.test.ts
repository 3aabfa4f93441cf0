/**
 * Hostile files for the scanner (issue #16), each built here: inputs that used to crash the
 * scan (a regex overflowing the stack), hang it (analysis passes that grew faster than the
 * file) or lose the file (an error in one analyzer). Each test asserts that the shell in the
 * file is still reported and what problem, if any, is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceCollector } from '../../src/scan/evidence.js';
import { scanBytes } from '../../src/scan/scan-bytes.js';
import { scan } from '../../src/scan/scanner.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';
import { makeZip, reasons, scanText } from './helpers.js';

const SHELL = '<?php $c = $_POST["c"]; eval($c); ?>\n';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'warden-hostile-'));
}

test('8 MB of chr(97). after a shell: no stack overflow, the shell and the chr() string are reported, in-thread and in a worker', async () => {
  const text = `${SHELL}<?php $x = ${'chr(97).'.repeat((8 << 20) / 8 - 8)}"";`;
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'big.php'), text, 'latin1');
    writeFileSync(join(dir, 'other.php'), '<?php system($_GET["x"]);');
    for (const workers of [0, 1]) {
      // a generous time cap: the machine may be busy; the old failure was a crash, and a quadratic pass would take minutes
      const r = await scan([dir], { workers, limits: { maxFileBytes: 9 << 20, maxMillisPerFile: 60_000 } });
      assert.deepEqual(
        r.problems.map((p) => p.message),
        [],
        `workers ${workers}`,
      );
      assert.deepEqual(r.findings.map((f) => [f.path.slice(dir.length + 1), f.verdict]).sort(), [
        ['big.php', 'malicious'],
        ['other.php', 'malicious'],
      ]);
      const big = r.findings.find((f) => f.path.endsWith('big.php'));
      assert.ok(reasons(big).includes('string built from character codes'), reasons(big).join('; '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('1 MB PHP string concatenation after a shell: analyzed within a time cap it used to exceed many times over, shell reported', () => {
  for (const piece of ['"a".', "'a'.", '"\\x61".', '#x\n', '/*x*/', '<<<E\nx\n']) {
    const text = `${SHELL}<?php $x = ${piece.repeat((1 << 20) / piece.length)}"";`;
    // before: 512 KB took 3 s and 1 MB over 100 s (faster than quadratic); a busy machine gets 60 s
    const [o] = scanText('concat.php', text, { maxMillisPerFile: 60_000 });
    assert.equal(o!.finding?.verdict, 'malicious', piece);
    assert.deepEqual(
      o!.problems.map((p) => p.message),
      [],
      piece,
    );
  }
});

test('many small JSP regions (no backslash anywhere): comment stripping stays linear, shell reported', () => {
  const region = '<% Process p = Runtime.getRa.io.*" %>';
  const text = `<%@ page import="java.io.*" %>${region.repeat(100000)}<% Process p = Runtime.getRuntime().exec(request.getParameter("cmd")); %>`;
  const [o] = scanText('regions.jsp', text, { maxMillisPerFile: 60_000 });
  assert.equal(o!.finding?.verdict, 'malicious');
  assert.deepEqual(o!.problems, []);
});

test('a 1.5 KB WAR holding a 1 MB JSP concatenation after a shell: the entry is analyzed and reported', () => {
  const jsp = `<%@ page import="java.io.*" %><% Runtime.getRuntime().exec(request.getParameter("cmd")); String s = ${'"a" + '.repeat((1 << 20) / 6)}""; %>`;
  const war = makeZip([{ name: 'x.jsp', data: jsp }]);
  assert.ok(war.length < 4096, `war is ${war.length} bytes`);
  const outs = scanBytes('app.war', war, { limits: { ...DEFAULT_LIMITS, maxMillisPerFile: 60_000 } });
  const entry = outs.find((o) => o.path === 'app.war!/x.jsp');
  assert.equal(entry?.finding?.verdict, 'malicious');
  assert.deepEqual(
    outs.flatMap((o) => o.problems),
    [],
  );
});

test('when the time budget runs out mid-analysis, the evidence found before it is kept and the time cap is named', () => {
  const realNow = Date.now;
  const realAdd = EvidenceCollector.prototype.add;
  let first: string | undefined;
  let skew = 0;
  // the clock jumps an hour the moment the first evidence is found: every later budget check fails
  Date.now = () => realNow() + skew;
  EvidenceCollector.prototype.add = function (this: EvidenceCollector, ...args: Parameters<EvidenceCollector['add']>) {
    realAdd.apply(this, args);
    if (first === undefined) {
      first = args[1];
      skew = 3_600_000;
    }
  };
  let outs: ReturnType<typeof scanText>;
  try {
    outs = scanText('late.php', `${SHELL}<?php ${'$a = strrev("metsys"); $a($_GET[1]);\n'.repeat(2000)}`);
  } finally {
    Date.now = realNow;
    EvidenceCollector.prototype.add = realAdd;
  }
  const o = outs[0]!;
  assert.ok(first, 'some evidence was found');
  assert.ok(reasons(o.finding).includes(first!), `finding keeps "${first}": ${reasons(o.finding).join('; ')}`);
  assert.deepEqual(
    o.problems.map((p) => p.message),
    [`time cap of ${DEFAULT_LIMITS.maxMillisPerFile} ms hit; analysis may be incomplete`],
  );
});

test("an extra matcher that throws is a problem for that file; the analyzers' evidence and verdict stand", () => {
  const outs = scanBytes('x.php', Buffer.from(SHELL), {
    limits: DEFAULT_LIMITS,
    extra: () => {
      throw new RangeError('Maximum call stack size exceeded');
    },
  });
  assert.equal(outs[0]!.finding?.verdict, 'malicious');
  assert.deepEqual(
    outs[0]!.problems.map((p) => p.message),
    ['extra matcher failed: Maximum call stack size exceeded; the evidence of the analyzers is kept'],
  );
});

test('thousands of assignments without a `;` (fuzz: 1.2 MB took 45 s under a 3 s budget): the budget holds', () => {
  const text = `<?php ${'$c =p '.repeat(100_000)}`;
  const started = Date.now();
  const [o] = scanText('noend.php', text, { maxMillisPerFile: 1000 });
  const took = Date.now() - started;
  // constant folding once read this quadratically (40 s uncapped) and always hit the cap; it now
  // reads each assignment site once (0.2 s), so the cap is hit only on a slow or loaded machine
  const messages = o!.problems.map((p) => p.message);
  assert.ok(messages.length === 0 || (messages.length === 1 && messages[0] === 'time cap of 1000 ms hit; analysis may be incomplete'), messages.join('; '));
  // a pass may overrun the budget by one step; a quadratic pass overran it forty-fold
  assert.ok(took < 20_000, `took ${took} ms`);
});

// One working shell per language the scanner reads, to put before and after hostile padding.
const SHELLS: Record<string, string> = {
  'x.php': '<?php $c = $_POST["c"]; if (isset($c)) { eval(base64_decode($c)); } ?>',
  'x.jsp': '<%@ page import="java.io.*" %><% Process p = Runtime.getRuntime().exec(request.getParameter("cmd")); %>',
  'x.asp': '<% Set o = Server.CreateObject("WScript.Shell") : o.Exec(Request("c")) %>',
  'x.aspx': '<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>',
  'x.cfm': '<cfset c = url.cmd><cfexecute name="cmd.exe" arguments="/c #c#" timeout="5"></cfexecute>',
  'x.sh': '#!/bin/sh\necho "Content-type: text/plain"\necho\nc=$(echo "$QUERY_STRING" | cut -d= -f2)\neval "$c"\n',
  'x.pl': '#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $c = $q->param("c");\nsystem($c);\n',
};

test('600 KB of blank lines (CRLF, LF, CR-only, spaces) before or after a shell, every language: no time cap, shell reported', () => {
  // fuzz (seed 2026): an ASP shell and 500 KB of CRLFs took 61 CPU-s, because the ASP assignment
  // regex's `\s*` after a line break ran from each line to the end of the run; the CFML one had
  // the same shape and the shell-script one (`^\s*` with /m, where a CR also starts a line) took
  // 32 CPU-s on 200 KB of CRs. Before the fix these cases ran for minutes past the 60 s cap.
  for (const [name, shell] of Object.entries(SHELLS))
    for (const pad of ['\r\n', '\n', '\r', ' \t', ':\n', ';\r\n'])
      for (const after of [true, false]) {
        const blob = pad.repeat((600 << 10) / pad.length);
        const text = after ? `${shell}\n${blob}` : `${blob}\n${shell}`;
        const [o] = scanText(name, text, { maxMillisPerFile: 60_000 });
        const label = `${name} ${JSON.stringify(pad)} ${after ? 'after' : 'before'} the shell`;
        assert.equal(o!.finding?.verdict, 'malicious', label);
        assert.deepEqual(
          o!.problems.map((p) => p.message),
          [],
          label,
        );
      }
});
