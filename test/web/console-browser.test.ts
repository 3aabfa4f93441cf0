/**
 * Check 1 of the console issue against a stand-in service answering with recorded API
 * responses (test/helpers/console-fixture.ts): token login, an incident appearing live, its
 * time line in order, status and note saved through the API, detections filtered by level and
 * host and by a dragged time range, a scanner finding's evidence line, the coverage matrix and
 * source health. Screenshots of each view go to test-artifacts/console/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { artifactsDir, ensureConsoleBuilt, launchChromium, skipWithoutChromium, until, watchPage } from '../helpers/browser.js';
import { assertTimeline } from '../helpers/console-expect.js';
import { recordedExamples, TOKEN } from '../helpers/console-fixture.js';
import { type FakeService, startFakeService } from '../helpers/console-server.js';
import { CONSOLE_CSP } from '../../src/web/console-routes.js';
import { loadRuleCollection } from '../../src/sigma/collection.js';
import { ProblemList } from '../../src/errors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const skip = skipWithoutChromium();
let service: FakeService;
let browser: Browser;

before(async () => {
  if (skip) return;
  ensureConsoleBuilt();
  const data = await recordedExamples();
  service = await startFakeService(data, { hold: data.incidents.map((i) => i.id) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.close();
});

const visibleRows = '.vl-row:not([hidden])';

test('the live console: login, a live incident, its time line, triage, detections, files, coverage, sources', { skip, timeout: 240_000 }, async () => {
  const shots = artifactsDir();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const watch = watchPage(page);
  let navigations = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });

  const first = await page.goto(`${service.url}/`);
  assert.equal(first?.headers()['content-security-policy'], CONSOLE_CSP);

  // a wrong token is refused with the API's reason; the right one opens the console
  await page.fill('input[name="token"]', 'wrong');
  await page.click('form.login button');
  await page.locator('.login-message', { hasText: 'unknown or was revoked' }).waitFor();
  await page.screenshot({ path: join(shots, 'console-login.png') });
  await page.fill('input[name="token"]', TOKEN);
  await page.click('form.login button');
  await page.locator('.view.incidents .status', { hasText: '0 incidents' }).waitFor();
  assert.equal(await page.evaluate('sessionStorage.getItem("warden.token")'), TOKEN);
  assert.equal(await page.evaluate('localStorage.getItem("warden.token")'), null);

  // the incident arrives while the page is open and appears without a reload, announced by the
  // live feed (with the feed up the view is re-read on a timer only every 30 s)
  await page.locator('header .live-state[data-state="live"]').waitFor({ timeout: 15_000 });
  const before = navigations;
  service.release();
  const row = page.locator('tr.incident-row');
  await row.first().waitFor({ timeout: 15_000 });
  assert.equal(navigations, before, 'no reload');
  assert.deepEqual(
    (await row.first().locator('td').allTextContents()).map((s) => s.trim()),
    ['critical', 'WEB01', 'T1059, T1505', '2026-03-02 09:15:39', '2026-03-02 09:17:31.090', '15', 'new'],
  );
  await page.screenshot({ path: join(shots, 'console-incidents.png') });

  // the incident page: time line in time order, lanes by host and source
  await row.first().locator('a.route').click();
  await page.locator('li.member').first().waitFor();
  const summaries = page.locator('li.member summary');
  const got: string[][] = [];
  for (let i = 0; i < (await summaries.count()); i++) {
    const s = summaries.nth(i);
    got.push((await Promise.all(['.time', '.badge', '.kind', '.member-title'].map((c) => s.locator(c).textContent()))) as string[]);
  }
  assertTimeline(got);
  await page.locator('.dot').nth(0).click();
  await page.screenshot({ path: join(shots, 'console-incident.png') });

  // status and note go to the API and come back after a reload (token kept for the session)
  await page.selectOption('select[name="triage"]', 'investigating');
  await page.fill('textarea[name="note"]', 'cmd.exe from w3wp — checking <b>IIS</b> modules');
  await page.click('form.triage button');
  await page.locator('form.triage .status', { hasText: 'saved' }).waitFor();
  const patch = service.requests.find((r) => r.method === 'PATCH');
  assert.deepEqual(JSON.parse(patch?.body ?? '{}'), { triage: 'investigating', note: 'cmd.exe from w3wp — checking <b>IIS</b> modules' });
  await page.reload();
  await page.locator('form.triage').waitFor();
  assert.equal(await page.inputValue('select[name="triage"]'), 'investigating');
  assert.equal(await page.inputValue('textarea[name="note"]'), 'cmd.exe from w3wp — checking <b>IIS</b> modules');

  // closed as a false positive: a Sigma filter suggestion that Warden loads, naming the incident's rules and host
  await page.selectOption('select[name="triage"]', 'false_positive');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.fp-filter')]);
  const dir = mkdtempSync(join(tmpdir(), 'warden-fp-'));
  try {
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^warden-fp-filter-INC-[0-9a-f]+\.yml$/);
    const problems = new ProblemList();
    const col = loadRuleCollection([file], {}, problems);
    assert.deepEqual(problems.problems, []);
    const inc = service.data.incidents[0]!;
    const named = new Set(col.filters.flatMap((f) => (f.rules === 'any' ? [] : f.rules)));
    const ruleMembers = (inc.timeline as { kind: string; rule: string }[]).filter((m) => m.kind === 'rule').map((m) => m.rule);
    assert.deepEqual([...named].sort(), [...new Set(ruleMembers)].sort());
    assert.ok(col.filters.length >= 2, 'one filter per logsource (web log, Windows)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // detections: level and host filters reach the API and the URL (a host matches under any spelling)
  await page.locator('a[data-view="detections"]').click();
  await page.locator(visibleRows).first().waitFor();
  assert.equal(await page.locator(visibleRows).count(), 15);
  await page.selectOption('select[name="level"]', 'high');
  await page.fill('input[name="host"]', 'db01');
  await page.press('input[name="host"]', 'Enter');
  await page.locator('.view.detections .status', { hasText: /^0 detections$/ }).waitFor();
  assert.equal(await page.locator(visibleRows).count(), 0);
  await page.fill('input[name="host"]', 'web01.corp.example');
  await page.press('input[name="host"]', 'Enter');
  const expected = service.data.detections.filter((d) => ['high', 'critical'].includes(d.rule.level));
  assert.equal(expected.length, 12);
  await until(async () => (await page.locator(visibleRows).count()) === expected.length, 'the filtered rows');
  assert.match(page.url(), /#\/detections\?level=high&host=web01\.corp\.example$/);
  assert.ok(service.requests.some((r) => r.url.startsWith('/api/v1/detections?') && r.url.includes('level=high') && r.url.includes('host=web01.corp.example')));
  assert.deepEqual((await page.locator(`${visibleRows} .c-level`).allTextContents()).sort(), expected.map((d) => d.rule.level).sort());
  await page.locator(visibleRows).first().click();
  await page.locator('aside.pane .detail').waitFor();
  // the fields the rule matched on come first, marked (the one-detection API record names them)
  const shownId = await page.locator('aside.pane .detail').getAttribute('data-detection');
  const want = service.data.matched?.[shownId ?? ''] ?? [];
  assert.ok(want.length > 0, `the fixture explains ${shownId}`);
  await page.locator('aside.pane table.fields tr.matched').first().waitFor();
  assert.deepEqual(await page.locator('aside.pane table.fields tr.matched th').allTextContents(), want);
  assert.deepEqual((await page.locator('aside.pane table.fields tr th').allTextContents()).slice(0, want.length), want);
  await page.screenshot({ path: join(shots, 'console-detections.png') });

  // dragging across the histogram asks for that time range
  const box = (await page.locator('canvas.histogram').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + 40, { steps: 5 });
  await page.mouse.up();
  await until(() => /from=\d+&to=\d+/.test(page.url()), 'the range in the URL');
  // the URL changes first and the page's fetch follows it: wait for the request, not only the URL
  await until(() => service.requests.some((r) => /from=\d+&to=\d+/.test(r.url)), 'the range sent to the API');
  const ranged = service.requests.filter((r) => /from=\d+&to=\d+/.test(r.url)).at(-1);
  assert.ok(ranged, 'the range went to the API');

  // files: a finding's evidence line, marked
  await page.locator('a[data-view="files"]').click();
  await page.locator('tr.finding-row').first().click();
  const mark = page.locator('mark.evidence-line').first();
  await mark.waitFor();
  assert.ok(((await mark.textContent()) ?? '').length > 0);
  assert.equal(await page.locator('aside.pane .path').textContent(), '/aspnet_client/system_web/errorEE.aspx');
  await page.screenshot({ path: join(shots, 'console-files.png') });

  // coverage: the T1505 matrix, one row per sub-technique (and plugins)
  await page.locator('a[data-view="coverage"]').click();
  await page.locator('table.matrix').waitFor();
  assert.equal(await page.locator('table.matrix tbody tr').count(), 7);
  // columns fed now are marked; a column last fed two hours ago is not
  assert.deepEqual(await page.locator('table.matrix thead th.fed').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-source'))), ['process_creation']);
  assert.match((await page.locator('table.matrix thead th[data-source="network_content"]').getAttribute('title')) ?? '', /no event since 20\d\d-/);
  assert.ok((await page.locator('table.matrix td.cell.fed').count()) > 0);
  await page.screenshot({ path: join(shots, 'console-coverage.png') });

  // sources: health per source, the failed one marked
  await page.locator('a[data-view="sources"]').click();
  await page.locator('tr.source').first().waitFor();
  assert.equal(await page.locator('tr.source').count(), 3);
  assert.equal(await page.locator('tr.source.state-failed td').first().textContent(), 'webroot');
  await page.screenshot({ path: join(shots, 'console-sources.png') });

  // light theme
  await page.click('button[aria-label="switch theme"]');
  assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'light');

  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(
    watch.consoleErrors.filter((e) => !e.includes('401')),
    [],
  );
  assert.deepEqual(watch.dialogs, []);
  await context.close();
});
