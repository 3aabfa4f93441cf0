/**
 * `warden watch`: every kind of change reported exactly once as it happens, nothing on an
 * unchanged tree, nothing again after a restart, and coverage_degraded when folders cannot be
 * watched (their changes are then found by the full pass).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { takeBaseline } from '../../src/integrity/baseline.js';
import { ComponentWatcher, type WatchReport } from '../../src/integrity/watch.js';
import { openStore } from '../../src/store/store.js';
import { repoRoot } from '../helpers/shared.js';
import { jarToolsMissing, peToolsMissing, put, settle, tempRoot } from './helpers.js';
import { changedTree } from './tree.js';

const skip = peToolsMissing() ?? jarToolsMissing();

/** Waits until `cond` holds, checking every 50 ms; fails after `ms` (a hang guard, not a speed requirement). */
async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('watch: each change once as it happens, nothing on an unchanged tree, nothing after a restart', { skip }, async () => {
  const t = changedTree();
  const store = await openStore({ data: tempRoot('warden-data-') });
  try {
    const problems = new ProblemList();
    await takeBaseline(store, { root: t.root, problems, workers: 0 });
    const reports: WatchReport[] = [];
    const w = new ComponentWatcher(store, { root: t.root, problems, workers: 0, report: (r) => reports.push(r) });
    await w.start();
    assert.equal(reports.length, 0);
    const expected = t.mutate();
    await until(() => reports.length >= expected.length);
    // and then nothing more: two further passes (a timer pass included) add nothing
    await w.nextPass();
    await new Promise((r) => setTimeout(r, 300));
    (w as unknown as { trigger(d: number): void }).trigger(0);
    await w.nextPass();
    await w.stop();
    const got = reports.map((r) => (r.type === 'change' ? [r.change.change, r.change.item.path] : [r.type, '']));
    assert.deepEqual(
      got.sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
      expected.sort((a, b) => (a[1] < b[1] ? -1 : 1)),
    );
    // a restarted watcher (same store) has nothing new to say
    const after: WatchReport[] = [];
    const w2 = new ComponentWatcher(store, { root: t.root, problems, workers: 0, report: (r) => after.push(r) });
    await w2.start();
    await w2.stop();
    assert.equal(after.length, 0, JSON.stringify(after));
    // a change made while no watcher ran is reported by the next one, once
    put(t.root, 'var/lib/jenkins/plugins/late.jpi', 'late plugin');
    const w3 = new ComponentWatcher(store, { root: t.root, problems, workers: 0, report: (r) => after.push(r) });
    await w3.start();
    await w3.stop();
    assert.deepEqual(
      after.map((r) => (r.type === 'change' ? [r.change.change, r.change.item.path] : [r.type])),
      [['added', '/var/lib/jenkins/plugins/late.jpi']],
    );
    assert.deepEqual(problems.problems, []);
  } finally {
    await store.close();
  }
});

test('watch: folders over the watch limit are reported as coverage_degraded once and still covered by the full pass', async () => {
  const root = tempRoot();
  put(root, 'opt/tomcat/conf/server.xml', '<Server/>');
  for (const app of ['a', 'b', 'c']) put(root, `opt/tomcat/webapps/${app}/index.jsp`, app);
  settle(root);
  const store = await openStore({ data: tempRoot('warden-data-') });
  try {
    const problems = new ProblemList();
    await takeBaseline(store, { root, problems, workers: 0 });
    const reports: WatchReport[] = [];
    const w = new ComponentWatcher(store, { root, problems, workers: 0, maxWatches: 2, fullPassMs: 500, report: (r) => reports.push(r) });
    await w.start();
    assert.equal(reports.length, 1);
    const d = reports[0]!;
    assert.equal(d.type, 'coverage_degraded');
    // watched in sorted order: conf, webapps; the rest is left to the full pass
    assert.deepEqual(d.type === 'coverage_degraded' ? d.unwatched : [], [`${root}/opt/tomcat/webapps/a`, `${root}/opt/tomcat/webapps/b`, `${root}/opt/tomcat/webapps/c`]);
    writeFileSync(join(root, 'opt/tomcat/webapps/c/shell.jsp'), '<% Runtime.getRuntime().exec(request.getParameter("c")); %>');
    await until(() => reports.length >= 2);
    await w.nextPass();
    await w.stop();
    assert.deepEqual(
      reports.slice(1).map((r) => (r.type === 'change' ? [r.change.change, r.change.item.path] : [r.type])),
      [['added', '/opt/tomcat/webapps/c/shell.jsp']],
    );
  } finally {
    await store.close();
  }
});

test('warden watch (the command): reports a dropped file as a JSON line and stops cleanly on SIGTERM', async () => {
  const root = tempRoot();
  put(root, 'var/lib/jenkins/config.xml', '<hudson/>');
  put(root, 'var/lib/jenkins/plugins/a.jpi', 'a');
  settle(root);
  const data = tempRoot('warden-data-');
  const cliPath = join(repoRoot(), 'dist/src/cli/main.js');
  const { spawnSync } = await import('node:child_process');
  assert.equal(spawnSync(process.execPath, [cliPath, 'baseline', '--root', root, '--data', data]).status, 0);
  const child = spawn(process.execPath, [cliPath, 'watch', '--root', root, '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  await until(() => err.includes('watching'));
  put(root, 'var/lib/jenkins/plugins/b.jpi', 'b');
  await until(() => out.includes('\n'));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 0, err);
  const line = JSON.parse(out.trim()) as { change: string; item: { path: string; kind: string } };
  assert.equal(line.change, 'added');
  assert.equal(line.item.path, '/var/lib/jenkins/plugins/b.jpi');
  assert.equal(line.item.kind, 'jenkins-plugin');
});

test('watch: folders listed from memory between events still show each later change, once', async () => {
  const root = tempRoot();
  put(root, 'opt/tomcat/conf/server.xml', '<Server/>');
  for (let a = 0; a < 3; a++) for (let d = 0; d < 3; d++) put(root, `opt/tomcat/webapps/app${a}/d${d}/index.jsp`, `app ${a} ${d}`);
  settle(root);
  const store = await openStore({ data: tempRoot('warden-data-') });
  try {
    const problems = new ProblemList();
    await takeBaseline(store, { root, problems, workers: 0 });
    const reports: WatchReport[] = [];
    const w = new ComponentWatcher(store, { root, problems, workers: 0, report: (r) => reports.push(r) });
    await w.start();
    const web = join(root, 'opt/tomcat/webapps');
    // one change at a time, each waited for, so the passes between them list quiet folders from memory
    const steps: [() => void, string, string][] = [
      [() => writeFileSync(join(web, 'app1/d2/new.jsp'), 'new'), 'added', '/opt/tomcat/webapps/app1/d2/new.jsp'],
      [() => writeFileSync(join(web, 'app1/d2/second.jsp'), 'second'), 'added', '/opt/tomcat/webapps/app1/d2/second.jsp'],
      [() => put(root, 'opt/tomcat/webapps/app2/d0/sub/deep.jsp', 'deep'), 'added', '/opt/tomcat/webapps/app2/d0/sub/deep.jsp'],
      [() => writeFileSync(join(web, 'app2/d0/sub/deeper.jsp'), 'deeper'), 'added', '/opt/tomcat/webapps/app2/d0/sub/deeper.jsp'],
      [() => rmSync(join(web, 'app0/d1/index.jsp')), 'removed', '/opt/tomcat/webapps/app0/d1/index.jsp'],
      [() => writeFileSync(join(web, 'app0/d0/index.jsp'), 'changed'), 'modified', '/opt/tomcat/webapps/app0/d0/index.jsp'],
    ];
    const expected: string[][] = [];
    for (const [act, change, path] of steps) {
      act();
      expected.push([change, path]);
      await until(() => reports.length >= expected.length);
    }
    (w as unknown as { trigger(d: number): void }).trigger(0);
    await w.nextPass();
    await w.stop();
    assert.deepEqual(
      reports.map((r) => (r.type === 'change' ? [r.change.change, r.change.item.path] : [r.type, ''])),
      expected,
    );
    assert.deepEqual(problems.problems, []);
  } finally {
    await store.close();
  }
});
