/**
 * Check 1 of the console issue against the real service: `warden serve --demo` replays the
 * bundled examples live and drops the web shell into a watched web root. The console logs in
 * with the demo's token, sees the demo incident appear and grow without a reload, opens it
 * (its members in time order, the scanner finding and the web-root change among the logs),
 * filters detections by level and host (the rows the API gives for the same filter), and opens
 * the scanner finding's evidence line. Screenshots go to test-artifacts/console/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { artifactsDir, ensureConsoleBuilt, launchChromium, skipWithoutChromium, until, watchPage } from '../helpers/browser.js';
import { EXPECTED_TIMELINE } from '../helpers/console-expect.js';
import { repoRoot } from '../helpers/shared.js';

const skip = skipWithoutChromium();

/** Starts the demo on a free port; resolves with its URL and read token once it printed them. */
function startDemo(): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), 'serve', '--demo', '--listen', '127.0.0.1:0'], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`warden serve --demo printed no URL and token in 60 s:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const token = /read token: (\S+)/.exec(out)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ child, url, token });
      }
    });
    child.on('exit', (code) => reject(new Error(`warden serve --demo exited (${code}):\n${out}\n${err}`)));
  });
}

test('warden serve --demo: login, the incident arrives live, its time line, detection filters, the finding evidence', { skip, timeout: 240_000 }, async () => {
  ensureConsoleBuilt();
  const shots = artifactsDir();
  const demo = await startDemo();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const watch = watchPage(page);
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.goto(`${demo.url}/`);
    await page.fill('input[name="token"]', demo.token);
    await page.click('form.login button');
    await page
      .locator('.view.incidents .status')
      .filter({ hasText: /incidents?$/ })
      .waitFor();
    // updates come over the live feed (server-sent events read with the token), not a timer
    await page.locator('header .live-state[data-state="live"]').waitFor({ timeout: 30_000 });
    const afterLogin = navigations;

    // the demo's feed keeps adding members: the row's count reaches all 17 without a reload
    const row = page.locator('tr.incident-row').first();
    await row.waitFor({ timeout: 60_000 });
    await until(async () => (await row.locator('td').nth(5).textContent()) === '17', 'the incident to reach 17 detections', 90_000);
    assert.equal(navigations, afterLogin, 'no reload');
    const cells = (await row.locator('td').allTextContents()).map((s) => s.trim());
    assert.deepEqual([cells[0], cells[1], cells[2], cells[6]], ['critical', 'WEB01', 'T1059, T1505', 'new']);
    await page.screenshot({ path: join(shots, 'demo-incidents.png') });

    await row.locator('a.route').click();
    await page.locator('li.member').first().waitFor();
    const summaries = page.locator('li.member summary');
    const times: string[] = [];
    const titles: string[] = [];
    for (let i = 0; i < (await summaries.count()); i++) {
      times.push((await summaries.nth(i).locator('.time').textContent()) ?? '');
      titles.push((await summaries.nth(i).locator('.member-title').textContent()) ?? '');
    }
    assert.deepEqual([...times].sort(), times, 'members in time order');
    assert.deepEqual([...titles].sort(), [...EXPECTED_TIMELINE.map((r) => r[3]!), 'Warden Scanner Found a Web Shell', 'Script Created or Changed in a Watched Web Root'].sort());
    const lanes = await page.locator('.lane-name').allTextContents();
    for (const source of ['w3c', 'json', 'webshell_scan', 'webroot', 'correlation'])
      assert.ok(
        lanes.some((l) => l.endsWith(` · ${source}`)),
        `a lane for ${source}: ${lanes.join(' | ')}`,
      );
    await page.screenshot({ path: join(shots, 'demo-incident.png') });

    // detections filtered by level and host: the rows the API gives for the same filter
    const api = await fetch(`${demo.url}/api/v1/detections?level=high&host=web01&limit=1000`, { headers: { authorization: `Bearer ${demo.token}` } });
    const expected = ((await api.json()) as { items: { id: string }[] }).items.length;
    assert.ok(expected >= 12, `the API has ${expected} high+ detections on web01`);
    await page.locator('a[data-view="detections"]').click();
    await page.locator('.vl-row:not([hidden])').first().waitFor();
    await page.selectOption('select[name="level"]', 'high');
    await page.fill('input[name="host"]', 'web01');
    await page.press('input[name="host"]', 'Enter');
    await until(async () => (await page.locator('.vl-row:not([hidden])').count()) === expected, `${expected} rows`);
    assert.deepEqual(new Set(await page.locator('.vl-row:not([hidden]) .c-level').allTextContents()), new Set(['high', 'critical']));
    await page.locator('.vl-row:not([hidden])').first().click();
    await page.locator('aside.pane .detail').waitFor();
    await page.screenshot({ path: join(shots, 'demo-detections.png') });

    // the scanner finding and its evidence line
    await page.locator('a[data-view="files"]').click();
    await page.locator('tr.finding-row').first().click();
    const mark = page.locator('mark.evidence-line').first();
    await mark.waitFor();
    assert.match((await mark.textContent()) ?? '', /StartInfo/);
    assert.match((await page.locator('aside.pane .path').textContent()) ?? '', /aspnet_client\/system_web\/errorEE\.aspx$/);
    await page.screenshot({ path: join(shots, 'demo-files.png') });

    await page.locator('a[data-view="sources"]').click();
    await page.locator('tr.source').first().waitFor();
    await page.screenshot({ path: join(shots, 'demo-sources.png') });

    // the coverage of the service's own rules, with the sources it receives now
    await page.locator('a[data-view="coverage"]').click();
    await page.locator('table.matrix').waitFor();
    assert.equal(await page.locator('table.matrix tbody tr').count(), 7);
    await page.screenshot({ path: join(shots, 'demo-coverage.png') });

    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.consoleErrors, []);
  } finally {
    await browser.close();
    demo.child.kill('SIGTERM');
  }
});
