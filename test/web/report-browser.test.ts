/**
 * Check 3 of the console issue: the report of `warden hunt examples/logs --rules examples/rules
 * --format html` opens in Chromium from file:// with no network and shows the incident the
 * console table shows: one critical incident on WEB01 with its 15 detections in time order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifactsDir, ensureConsoleBuilt, launchChromium, skipWithoutChromium, until, watchPage } from '../helpers/browser.js';
import { repoRoot } from '../helpers/shared.js';
import { assertTimeline } from '../helpers/console-expect.js';

const skip = skipWithoutChromium();

test('the hunt report of the examples opens from file:// offline and shows the incident, its time line and the detections', { skip, timeout: 180_000 }, async () => {
  ensureConsoleBuilt();
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'warden-report-'));
  const out = join(dir, 'report.html');
  execFileSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'hunt', 'examples/logs', '--rules', 'examples/rules', '--format', 'html', '-o', out, '--no-progress'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
  const shots = artifactsDir();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, offline: true });
    const offsite: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(pathToFileURL(out).href);

    const row = page.locator('tr.incident-row');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.deepEqual(
      (await row.locator('td').allTextContents()).map((s) => s.trim()),
      ['critical', 'WEB01', 'T1059, T1505', '2026-03-02 09:15:39', '2026-03-02 09:17:31.090', '15', 'closed'],
    );
    await page.screenshot({ path: join(shots, 'report-incidents.png') });

    await row.locator('a.route').click();
    await page.locator('li.member').first().waitFor();
    const members = page.locator('li.member summary');
    const got: string[][] = [];
    for (let i = 0; i < (await members.count()); i++) {
      const s = members.nth(i);
      got.push([
        await s.locator('.time').textContent(),
        await s.locator('.badge').textContent(),
        await s.locator('.kind').textContent(),
        await s.locator('.member-title').textContent(),
      ] as string[]);
    }
    assertTimeline(got);
    // lanes: both host spellings, each with its sources
    assert.deepEqual(await page.locator('.lane-name').allTextContents(), ['WEB01 · correlation', 'WEB01 · w3c', 'WEB01.corp.example · correlation', 'WEB01.corp.example · json']);
    // a member opens to its event, origin and rule
    await members.nth(12).click();
    const detail = page.locator('li.member').nth(12).locator('.detail');
    await detail.waitFor();
    assert.equal(await detail.locator('.origin').first().textContent(), 'examples/logs/web01-sysmon.jsonl#3 (json)');
    assert.equal(await detail.locator('.rule-author').textContent(), 'Warden');
    assert.ok((await detail.locator('.chain li').count()) >= 2, 'a correlation lists the detections it joined');
    await page.screenshot({ path: join(shots, 'report-incident.png'), fullPage: true });

    await page.locator('a[data-view="detections"]').click();
    await page.locator('.vl-row:not([hidden])').first().waitFor();
    assert.equal(await page.locator('.vl-row:not([hidden])').count(), 15);
    await page.selectOption('select[name="level"]', 'critical');
    await until(async () => (await page.locator('.vl-row:not([hidden])').count()) === 1, 'one critical row');
    assert.match(page.url(), /#\/detections\?level=critical$/);
    await page.locator('.vl-row:not([hidden])').first().click();
    const pane = page.locator('aside.pane .detail');
    await pane.waitFor();
    assert.equal(await pane.locator('.rule-title').textContent(), 'New Script in the Web Root, then the Web Server Spawns a Shell');
    assert.ok(((await pane.locator('.rule-description').textContent()) ?? '').length > 20, 'the rule description is shown');
    assert.ok((await pane.locator('.attack .technique').allTextContents()).includes('T1505.003'));
    await page.screenshot({ path: join(shots, 'report-detections.png') });

    assert.deepEqual(offsite, [], 'the report asked for nothing outside its file');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.consoleErrors, []);
    assert.deepEqual(watch.dialogs, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
