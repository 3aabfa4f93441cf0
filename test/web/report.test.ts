/**
 * The HTML report as text: data embedded as JSON that no value can break out of, one CSP that
 * allows only the report's own inline script and styles, and the JSON read back unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, reportData, scriptSafeJson } from '../../src/web/report.js';
import type { Detection } from '../../src/event/detection.js';
import { ensureConsoleBuilt } from '../helpers/browser.js';

ensureConsoleBuilt();

export const HOSTILE = {
  img: '<img src=x onerror=alert(1)>',
  js: 'javascript:alert(2)',
  close: '</script><script>alert(3)</script>',
  file: '"><svg onload=alert(4)>.php',
  comment: '<!-- <script>alert(5)</script>',
  sep: 'line\u2028separator\u2029end',
};

function hostileDetection(): Detection {
  return {
    id: 'd-hostile',
    kind: 'rule',
    rule: {
      id: 'r-hostile',
      title: `Title ${HOSTILE.img}`,
      level: 'high',
      status: 'test',
      author: `Author ${HOSTILE.close}`,
      tags: ['attack.t1505.003', HOSTILE.img],
      references: [HOSTILE.js, 'https://example.org/ref'],
      description: `Description ${HOSTILE.comment}`,
    },
    timestamp: Date.UTC(2026, 2, 2, 9, 15, 39),
    host: HOSTILE.img,
    origin: { file: `/var/www/${HOSTILE.file}`, record: 7, format: 'w3c' },
    logsource: { category: 'webserver' },
    event: { 'cs-uri-query': HOSTILE.close, TargetFilename: HOSTILE.file, Referer: HOSTILE.js, odd: HOSTILE.sep },
    raw: `${HOSTILE.img} ${HOSTILE.close}`,
  };
}

test('scriptSafeJson: no <, >, &, U+2028/2029 left; JSON.parse gives the value back', () => {
  const v = { a: HOSTILE.close, b: HOSTILE.comment, c: HOSTILE.sep, d: 'a & b > c' };
  const s = scriptSafeJson(v);
  assert.doesNotMatch(s, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(s), v);
});

test('the report embeds the data once, escaped, and a strict CSP; no hostile markup appears raw', () => {
  const data = reportData([hostileDetection()], [], { title: `Case ${HOSTILE.close}`, now: new Date(Date.UTC(2026, 2, 3)) });
  const html = renderReport(data);
  // exactly three script-ish elements: the data block, the code, and the title escaped
  assert.equal(html.match(/<script\b/g)?.length, 2);
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  for (const s of Object.values(HOSTILE)) if (s !== HOSTILE.js && s !== HOSTILE.sep) assert.ok(!html.includes(s), `raw in the page: ${s}`);
  assert.ok(!html.includes('<svg'));
  assert.ok(!html.includes('<img'));
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replaceAll('&#39;', "'");
  assert.ok(csp);
  assert.match(csp, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; base-uri 'none'; form-action 'none'$/);
  const json = /<script id="warden-data" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  assert.ok(json);
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)));
  assert.equal(data.rules[0]!.description, `Description ${HOSTILE.comment}`);
  assert.equal(data.detections[0]!.source.file, `/var/www/${HOSTILE.file}`);
});

export { hostileDetection };

test('the report names, on each rule detection, the event fields its rule matched on (correlations name none)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { repoRoot } = await import('../helpers/shared.js');
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'warden-report-matched-'));
  try {
    const out = join(dir, 'report.html');
    execFileSync(
      process.execPath,
      [join(root, 'dist/src/cli/main.js'), 'hunt', 'examples/logs', '--rules', 'examples/rules', '--format', 'html', '-o', out, '--no-progress', '--summary', 'off'],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const json = /<script id="warden-data" type="application\/json">(.*?)<\/script>/s.exec(readFileSync(out, 'utf8'))?.[1];
    assert.ok(json, 'the report embeds its data');
    const data = JSON.parse(json) as { detections: { kind: string; rule: { title: string }; matched?: string[] }[] };
    const by = (title: string) => data.detections.find((d) => d.rule.title === title);
    assert.deepEqual(by('Web Server Process Spawns a Shell or Reconnaissance Tool (Windows)')?.matched, ['Image', 'OriginalFileName', 'ParentImage']);
    assert.deepEqual(by('Operating-System Command in a Web Request Query String')?.matched, ['cs-uri-query']);
    assert.deepEqual(by('Server-Side Script Requested from an Upload or Static-Content Folder')?.matched, ['cs-uri-stem', 'sc-status']);
    const rules = data.detections.filter((d) => d.kind === 'rule');
    assert.equal(rules.length, 13);
    assert.ok(
      rules.every((d) => (d.matched?.length ?? 0) > 0),
      'every rule detection names what it matched',
    );
    assert.ok(
      data.detections.filter((d) => d.kind === 'correlation').every((d) => d.matched === undefined),
      'a correlation matched group-by values, not event fields',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
