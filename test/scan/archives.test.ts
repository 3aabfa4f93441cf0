/**
 * Archives: .war/.jar/.zip/.jpi bundles built in the test with our own small ZIP writer;
 * entries are scanned with archive paths (`a.war!/x.jsp`), plugin-level findings, and the
 * zip-bomb, nesting and corruption guards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { makeZip } from './helpers.js';
import { scanBytes } from '../../src/scan/scan-bytes.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';
import { readCentralDirectory, readEntry } from '../../src/scan/zip.js';

const SHELL_JSP = '<%@ page import="java.io.*" %><% String c = request.getParameter("c"); Process p = Runtime.getRuntime().exec(c); %>';
const BENIGN_JSP = '<%@ page contentType="text/html" pageEncoding="UTF-8" %><html><body>Hello</body></html>';
const ctx = { limits: DEFAULT_LIMITS };

test('zip reader: stored and deflated entries round-trip', () => {
  const z = makeZip([
    { name: 'a.txt', data: 'alpha', store: true },
    { name: 'dir/b.txt', data: 'bravo'.repeat(100) },
  ]);
  const entries = readCentralDirectory(z, 100);
  assert.deepEqual(
    entries.map((e) => [e.name, e.size, e.method]),
    [
      ['a.txt', 5, 0],
      ['dir/b.txt', 500, 8],
    ],
  );
  const budget = { remaining: 10000 };
  assert.equal(readEntry(z, entries[1]!, { maxEntries: 100, inflatedBudget: budget, maxEntryBytes: 1000 }).toString(), 'bravo'.repeat(100));
  assert.equal(budget.remaining, 9500);
});

test('war: the shell entry is a finding under archive!/path, the benign page is not', () => {
  const war = makeZip([
    { name: 'index.jsp', data: BENIGN_JSP },
    { name: 'WEB-INF/web.xml', data: '<?xml version="1.0"?><web-app></web-app>' },
    { name: 'img/logo.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
    { name: 'admin/cmd.jsp', data: SHELL_JSP },
  ]);
  const outs = scanBytes('app.war', war, ctx);
  const findings = outs.filter((o) => o.finding).map((o) => [o.path, o.finding!.verdict, o.finding!.language]);
  assert.deepEqual(findings, [['app.war!/admin/cmd.jsp', 'malicious', 'jsp']]);
  assert.equal(outs[0]!.problems.length, 0);
});

test('jenkins .jpi shipping a JSP is itself a finding; nested jar inside war is opened', () => {
  const jpi = makeZip([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\nPlugin-Class: x.Y\n' },
    { name: 'WEB-INF/lib/helper.jar', data: makeZip([{ name: 'res/page.jsp', data: BENIGN_JSP }]) },
  ]);
  const outs = scanBytes('evil.jpi', jpi, ctx);
  const self = outs[0]!;
  assert.equal(self.finding?.verdict, 'suspicious');
  assert.equal(self.finding?.evidence[0]?.reason, 'plugin bundle ships a JSP page (WEB-INF/lib/helper.jar!/res/page.jsp)');
  assert.ok(outs.some((o) => o.path === 'evil.jpi!/WEB-INF/lib/helper.jar!/res/page.jsp' && o.analyzed));
});

test('atlassian plugin jar whose Spring context starts a process on load is malicious', () => {
  const springXml = `<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans">
  <bean id="boot" class="java.lang.ProcessBuilder" init-method="start">
    <constructor-arg><list><value>/bin/sh</value><value>-c</value><value>id</value></list></constructor-arg>
  </bean>
</beans>`;
  const jar = makeZip([
    { name: 'atlassian-plugin.xml', data: '<atlassian-plugin key="x" name="x"><plugin-info><version>1</version></plugin-info></atlassian-plugin>' },
    { name: 'META-INF/spring/plugin-context.xml', data: springXml },
  ]);
  const outs = scanBytes('helper-plugin.jar', jar, ctx);
  const entry = outs.find((o) => o.path === 'helper-plugin.jar!/META-INF/spring/plugin-context.xml');
  assert.equal(entry?.finding?.verdict, 'malicious');
  assert.equal(entry?.finding?.evidence[0]?.reason, 'Spring bean definition creates a java.lang process when the context loads');
  assert.equal(outs[0]!.finding?.verdict, 'malicious');
  assert.ok(outs[0]!.finding!.evidence.some((e) => e.reason === 'plugin descriptor META-INF/spring/plugin-context.xml runs a process on load'));
  const clean = makeZip([
    { name: 'META-INF/spring/ctx.xml', data: '<beans><bean id="a" class="com.example.Service"/></beans>' },
    { name: 'atlassian-plugin.xml', data: '<atlassian-plugin key="y"/>' },
  ]);
  assert.ok(scanBytes('ok.jar', clean, ctx).every((o) => !o.finding));
});

test('zip bomb: inflated bytes are capped per entry and in total, the scan goes on', () => {
  const zeros = Buffer.alloc(20 * 1024 * 1024); // deflates to ~20 KB
  const bomb = makeZip([
    { name: 'a.php', data: zeros, declaredSize: 100 }, // lies about its size
    { name: 'b.php', data: '<?php system($_GET["x"]); ?>' },
  ]);
  const before = process.memoryUsage().rss;
  const outs = scanBytes('bomb.zip', bomb, { limits: { ...DEFAULT_LIMITS, maxFileBytes: 1024 * 1024 } });
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
  assert.deepEqual(
    outs[0]!.problems.map((p) => p.message),
    [`a.php: inflates past the cap of ${1024 * 1024} bytes (zip bomb guard)`],
  );
  assert.equal(outs.find((o) => o.path === 'bomb.zip!/b.php')?.finding?.verdict, 'malicious');
  // total budget: many entries, each under the per-entry cap
  const many = makeZip(Array.from({ length: 8 }, (_, i) => ({ name: `f${i}.php`, data: Buffer.alloc(600 * 1024, 0x20) })));
  const o2 = scanBytes('many.zip', many, { limits: { ...DEFAULT_LIMITS, maxArchiveInflatedBytes: 2 * 1024 * 1024 } });
  assert.ok(o2[0]!.problems.some((p) => /zip bomb guard/.test(p.message)));
});

test('entry-count cap, nesting depth and corrupt archives are problems, not crashes', () => {
  const many = makeZip(Array.from({ length: 30 }, (_, i) => ({ name: `x${i}.txt`, data: 'x' })));
  const o1 = scanBytes('many.zip', many, { limits: { ...DEFAULT_LIMITS, maxArchiveEntries: 10 } });
  assert.deepEqual(
    o1[0]!.problems.map((p) => p.message),
    ['archive declares 30 entries; the first 10 were scanned, 20 were not (entry cap)'],
  );
  assert.equal(o1.length, 11);
  let nested = makeZip([{ name: 'deep.php', data: '<?php system($_GET["x"]); ?>' }]);
  for (let i = 0; i < 3; i++) nested = makeZip([{ name: `n${i}.zip`, data: nested }]);
  const o2 = scanBytes('nest.zip', nested, ctx);
  assert.ok(o2.some((o) => /archive nested deeper than 2/.test(o.skipped ?? '')));
  assert.deepEqual(
    o2.flatMap((o) => o.problems.map((p) => `${p.file}: ${p.message}`)),
    ['nest.zip!/n2.zip!/n1.zip!/n0.zip: archive nested deeper than 2; its entries were not scanned'],
  );
  const broken = makeZip([{ name: 'a.php', data: '<?php echo 1; ?>' }]).subarray(0, 40);
  const o3 = scanBytes('broken.war', Buffer.concat([broken, Buffer.from('PK')]), ctx);
  assert.match(o3[0]!.problems[0]!.message, /^bad archive: no end-of-central-directory record/);
});

const JSP_SHELL = '<%@ page import="java.io.*" %><% Runtime.getRuntime().exec(request.getParameter("cmd")); %>';
const PHP_SHELL = '<?php system($_GET["c"]); ?>';

function entryVerdicts(outs: ReturnType<typeof scanBytes>): string[] {
  return outs.filter((o) => o.finding).map((o) => `${o.path} ${o.finding!.verdict}`);
}

test('a WAR with a shell-script prefix is found by its end record and its entries scanned', () => {
  const war = makeZip([{ name: 'cmd.jsp', data: JSP_SHELL }]);
  const prefixed = Buffer.concat([Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n'), war]);
  const outs = scanBytes('app.war', prefixed, ctx);
  assert.deepEqual(entryVerdicts(outs), ['app.war!/cmd.jsp malicious']);
  assert.deepEqual(
    outs.flatMap((o) => o.problems),
    [],
  );
});

test('an entry whose local header and central directory disagree about its name is scanned under both', () => {
  const zip = makeZip([{ name: 'shell.jsp', data: JSP_SHELL, store: true }]);
  // the central directory (after the data) says style.css; the local header keeps shell.jsp
  const cen = zip.lastIndexOf(Buffer.from('shell.jsp'));
  zip.write('style.css', cen, 'latin1');
  const outs = scanBytes('app.war', zip, ctx);
  assert.deepEqual(entryVerdicts(outs), ['app.war!/style.css malicious', 'app.war!/shell.jsp malicious']);
});

test('entries with static extensions are judged by content (web.xml may map *.css to JSP)', () => {
  const war = makeZip([
    { name: 'WEB-INF/web.xml', data: '<web-app><servlet-mapping><servlet-name>jsp</servlet-name><url-pattern>*.css</url-pattern></servlet-mapping></web-app>' },
    { name: 'static/site.css', data: JSP_SHELL },
    { name: 'notes.md', data: PHP_SHELL },
    { name: 'real.css', data: 'body { color: red }' },
  ]);
  assert.deepEqual(entryVerdicts(scanBytes('app.war', war, ctx)), ['app.war!/static/site.css malicious', 'app.war!/notes.md malicious']);
});

test('zip-format .phar, .tar.gz, .tgz, .tar and .gz of one script are opened like other archives', () => {
  const phar = makeZip([{ name: 'index.php', data: PHP_SHELL }]);
  assert.deepEqual(entryVerdicts(scanBytes('tool.phar', phar, ctx)), ['tool.phar!/index.php malicious']);
  const tar = tarOf([
    { name: 'site/readme.txt', data: 'hello' },
    { name: 'site/x.php', data: PHP_SHELL },
  ]);
  assert.deepEqual(entryVerdicts(scanBytes('site.tar', tar, ctx)), ['site.tar!/site/x.php malicious']);
  assert.deepEqual(entryVerdicts(scanBytes('site.tar.gz', gzipSync(tar), ctx)), ['site.tar.gz!/site.tar!/site/x.php malicious']);
  assert.deepEqual(entryVerdicts(scanBytes('site.tgz', gzipSync(tar), ctx)), ['site.tgz!/site.tar!/site/x.php malicious']);
  assert.deepEqual(entryVerdicts(scanBytes('x.php.gz', gzipSync(PHP_SHELL), ctx)), ['x.php.gz!/x.php malicious']);
});

test('tar magic: a tar under another name is opened when its header checksum holds; text holding "ustar" at 257 is text', () => {
  const tar = tarOf([{ name: 'x.php', data: PHP_SHELL }]);
  assert.deepEqual(entryVerdicts(scanBytes('backup.dat', tar, ctx)), ['backup.dat!/x.php malicious']);
  // a script whose constants happen to put 'ustar' at offset 257 (tar-stream's headers.js does)
  const js = `var Z = '${'0'.repeat(248)}ustar\\x2000';\nmodule.exports = Z;\n// ${'padding of the module text past one tar block '.repeat(8)}\n`;
  assert.equal(Buffer.from(js).toString('latin1', 257, 262), 'ustar');
  const [o] = scanBytes('lib/headers.js', Buffer.from(js), ctx);
  assert.deepEqual(o!.problems, []);
  assert.notEqual(o!.skipped, undefined);
  // a .tar whose header checksum is off is still read as one (by its name)
  const bad = Buffer.from(tar);
  bad[148] = 0x37;
  assert.deepEqual(entryVerdicts(scanBytes('site.tar', bad, ctx)), ['site.tar!/x.php malicious']);
  assert.deepEqual(entryVerdicts(scanBytes('site.dat', bad, ctx)), []);
});

/** A minimal ustar archive. */
function tarOf(files: Array<{ name: string; data: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 'latin1');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${f.data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\x0000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const body = Buffer.alloc(Math.ceil(f.data.length / 512) * 512);
    body.write(f.data, 'latin1');
    parts.push(h, body);
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
