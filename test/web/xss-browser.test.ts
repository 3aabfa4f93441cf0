/**
 * Check 2 of the console issue: values from logs, files and rules that hold markup
 * (`<img src=x onerror=...>`, `</script>`, `javascript:` URLs, a file named
 * `"><svg onload=...>.php`) are shown as literal text in every view of the live console and
 * of the HTML report, and no script of theirs runs: no dialog, no console error (a CSP
 * violation would be one), no element or attribute they carry, no javascript: link.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, ensureConsoleBuilt, launchChromium, skipWithoutChromium, watchPage, type Watch } from '../helpers/browser.js';
import { recordedExamples, TOKEN } from '../helpers/console-fixture.js';
import { type ApiDetection, type ApiIncident, type FakeService, type Recorded, startFakeService } from '../helpers/console-server.js';
import { renderReport, reportData } from '../../src/web/report.js';
import type { Detection, Incident, IncidentMember } from '../../src/event/detection.js';

const skip = skipWithoutChromium();

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(2)</script>';
const JS = 'javascript:alert(3)';
const FILE = '"><svg onload=alert(4)>.php';
const ATTR = '" onmouseover="alert(5)" x="';
/** An http(s) reference with markup but no blank: a link, its markup percent-encoded. */
const REF = 'https://example.org/a"><b>x</b>';

/** The examples' recorded answers with markup put into every string the console shows. */
function hostile(base: Recorded): Recorded {
  const detections: ApiDetection[] = base.detections.map((d, i) => ({
    ...d,
    host: i % 2 ? `WEB01${IMG}` : d.host,
    rule: { ...d.rule, title: `${d.rule.title} ${IMG}`, author: `Mallory ${SCRIPT}`, references: [JS, REF], tags: [...d.rule.tags, IMG] },
    source: { file: `/var/www/${FILE}`, record: 7, format: 'w3c' },
    event: { ...(d.event as object), 'cs-uri-query': `cmd=${SCRIPT}`, TargetFilename: `C:\\inetpub\\${FILE}`, Referer: JS, [IMG]: ATTR },
    raw: `${IMG} ${SCRIPT} ${JS}`,
  }));
  const incidents: ApiIncident[] = base.incidents.map((inc) => ({
    ...inc,
    host: `WEB01${IMG}`,
    users: [`corp\\${SCRIPT}`],
    techniques: [...inc.techniques, IMG],
    note: `note ${SCRIPT}`,
    timeline: (inc.timeline as { title: string; source: object }[]).map((m) => ({
      ...m,
      title: `${m.title} ${IMG}`,
      author: ATTR,
      source: { file: `/var/www/${FILE}`, record: 7, format: FILE },
    })),
  }));
  const findings = (base.findings as { evidence: object[] }[]).map((f) => ({
    ...f,
    path: `/www/${FILE}`,
    family: IMG,
    language: SCRIPT,
    evidence: f.evidence.map((e) => ({ ...e, snippet: `${SCRIPT} ${IMG}`, reason: IMG, analyzer: ATTR })),
  }));
  const sources = (base.sources as object[]).map((s) => ({ ...s, name: `tail ${IMG}`, lastError: SCRIPT }));
  const rules = (base.rules as object[]).map((r) => ({ ...r, description: `desc ${SCRIPT} ${IMG}`, falsepositives: [IMG], references: [JS, REF] }));
  return { ...base, detections, incidents, findings, sources, rules, ruleProblems: [{ file: `/rules/${FILE}`, line: 3, message: IMG }] };
}

/** Nothing the data carried became markup or ran. */
async function assertInert(page: Page, watch: Watch, where: string): Promise<void> {
  const found = (await page.evaluate(`(() => {
    const bad = [];
    for (const e of document.querySelectorAll('*')) {
      if (['IMG', 'SVG', 'svg', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName)) bad.push('element ' + e.tagName);
      for (const a of e.attributes) if (/^on/i.test(a.name) || a.name === 'x') bad.push('attribute ' + a.name + ' on ' + e.tagName);
      if (e.tagName === 'A' && e.getAttribute('href') && /^\\s*javascript:/i.test(e.getAttribute('href'))) bad.push('javascript: link');
    }
    if (document.scripts.length > 2) bad.push(document.scripts.length + ' scripts');
    return bad;
  })()`)) as string[];
  assert.deepEqual(found, [], `${where}: markup from the data`);
  assert.deepEqual(watch.dialogs, [], `${where}: a dialog opened`);
  assert.deepEqual(watch.pageErrors, [], `${where}: page errors`);
  assert.deepEqual(watch.consoleErrors, [], `${where}: console errors`);
}

async function text(page: Page): Promise<string> {
  return (await page.evaluate('document.body.innerText')) as string;
}

let browser: Browser;
let service: FakeService;
let data: Recorded;

before(async () => {
  if (skip) return;
  ensureConsoleBuilt();
  data = hostile(await recordedExamples());
  service = await startFakeService(data);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.close();
});

test('live console: markup in events, rules, files, sources is literal text in every view; nothing runs', { skip, timeout: 240_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const watch = watchPage(page);
  await page.goto(`${service.url}/`);
  await page.fill('input[name="token"]', TOKEN);
  await page.click('form.login button');
  await page.locator('tr.incident-row').first().waitFor();
  assert.ok((await text(page)).includes(`WEB01${IMG}`));
  await assertInert(page, watch, 'incidents');

  await page.locator('tr.incident-row a.route').first().click();
  await page.locator('li.member').first().waitFor();
  for (const m of await page.locator('li.member details').all()) await m.locator('summary').click();
  await page.locator('li.member .detail').first().waitFor();
  const t = await text(page);
  for (const s of [IMG, SCRIPT, `/var/www/${FILE}#7`, JS, `corp\\${SCRIPT}`]) assert.ok(t.includes(s), `incident page shows ${s}`);
  assert.equal(await page.inputValue('textarea[name="note"]'), `note ${SCRIPT}`);
  await page.locator('.dot').first().hover();
  await assertInert(page, watch, 'incident');
  await page.screenshot({ path: join(artifactsDir(), 'xss-incident.png') });

  await page.locator('a[data-view="detections"]').click();
  await page.locator('.vl-row:not([hidden])').first().click();
  await page.locator('aside.pane .detail').waitFor();
  const d = await text(page);
  for (const s of [IMG, SCRIPT, JS, `desc ${SCRIPT} ${IMG}`, ATTR]) assert.ok(d.includes(s), `detections view shows ${s}`);
  // the javascript: reference is text, the https one a link
  assert.equal(await page.locator('aside.pane .refs .unsafe-url').textContent(), JS);
  assert.equal(await page.locator('aside.pane .refs a').getAttribute('href'), new URL(REF).href);
  assert.equal(await page.locator('aside.pane .refs a').textContent(), REF);
  await page.fill('input[name="text"]', IMG);
  await page.press('input[name="text"]', 'Enter');
  await assertInert(page, watch, 'detections');

  await page.locator('a[data-view="files"]').click();
  await page.locator('tr.finding-row').first().click();
  await page.locator('mark.evidence-line').first().waitFor();
  assert.equal(await page.locator('mark.evidence-line').first().textContent(), `${SCRIPT} ${IMG}`);
  assert.equal(await page.locator('aside.pane .path').textContent(), `/www/${FILE}`);
  await assertInert(page, watch, 'files');

  await page.locator('a[data-view="sources"]').click();
  await page.locator('tr.source').first().waitFor();
  await page.locator('ul.problems li', { hasText: IMG }).waitFor();
  assert.ok((await text(page)).includes(`tail ${IMG}`));
  await assertInert(page, watch, 'sources');

  await page.locator('a[data-view="coverage"]').click();
  await page.locator('table.matrix').waitFor();
  await assertInert(page, watch, 'coverage');
  await page.close();
});

test('HTML report: the same markup is literal text, nothing runs, nothing is fetched', { skip, timeout: 120_000 }, async () => {
  const member = (id: string, title: string): IncidentMember => ({
    id,
    kind: 'rule',
    timestamp: Date.UTC(2026, 2, 2, 9, 15, 39),
    ruleId: 'r1',
    title,
    level: 'high',
    author: ATTR,
    origin: { file: `/var/www/${FILE}`, record: 7, format: 'w3c' },
  });
  const det: Detection = {
    id: 'd1',
    kind: 'rule',
    rule: {
      id: 'r1',
      title: `Shell ${IMG}`,
      level: 'high',
      status: 'test',
      author: `Mallory ${SCRIPT}`,
      tags: ['attack.t1505.003', IMG],
      references: [JS],
      description: `desc ${SCRIPT}`,
    },
    timestamp: Date.UTC(2026, 2, 2, 9, 15, 39),
    host: `WEB01${IMG}`,
    origin: { file: `/var/www/${FILE}`, record: 7, format: 'w3c' },
    logsource: { category: 'webserver' },
    event: { q: SCRIPT, f: FILE, r: JS, [IMG]: ATTR },
    raw: `${IMG} ${SCRIPT}`,
  };
  const inc: Incident = {
    id: `INC-${IMG}`,
    status: 'closed',
    host: `WEB01${IMG}`,
    hostKey: 'web01',
    start: det.timestamp,
    end: det.timestamp,
    severity: 'high',
    maxLevel: 'high',
    techniques: ['T1505', IMG],
    users: [SCRIPT],
    memberCount: 1,
    evidence: [det.origin],
    evidenceCount: 1,
  };
  const dir = mkdtempSync(join(tmpdir(), 'warden-xss-'));
  const file = join(dir, `report.html`);
  writeFileSync(file, renderReport(reportData([det], [{ incident: inc, members: [member('d1', `Shell ${IMG}`)] }], { title: `Case ${SCRIPT}` })));
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, offline: true });
  const page = await context.newPage();
  const watch = watchPage(page);
  try {
    await page.goto(pathToFileURL(file).href);
    await page.locator('tr.incident-row').waitFor();
    assert.equal(await page.title(), `Case ${SCRIPT}`);
    await assertInert(page, watch, 'report incidents');
    await page.locator('tr.incident-row a.route').click();
    await page.locator('li.member summary').click();
    await page.locator('li.member .detail').waitFor();
    const t = await text(page);
    for (const s of [IMG, SCRIPT, JS, `/var/www/${FILE}#7`, ATTR, `INC-${IMG}`]) assert.ok(t.includes(s), `report shows ${s}`);
    await assertInert(page, watch, 'report incident');
    await page.locator('a[data-view="detections"]').click();
    await page.locator('.vl-row:not([hidden])').first().click();
    await page.locator('aside.pane .detail').waitFor();
    await assertInert(page, watch, 'report detections');
    assert.deepEqual(
      watch.requests.filter((u) => !u.startsWith('file:')),
      [],
    );
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
