/**
 * `warden baseline` then `warden verify` over a tree changed in every way a component can
 * change: each change is reported exactly once with the right kind, nothing when nothing
 * changed, and nothing after the changes are approved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, jarToolsMissing, makeJar, makeJarKey, makePe, makeSigner, peToolsMissing, put, settle, signJar, signPe, tempRoot } from './helpers.js';

const skip = peToolsMissing() ?? jarToolsMissing();

interface ChangeLine {
  change: string;
  id: string;
  item: { path: string; kind: string; sha256: string; mode: string; signature: { status: string; signer?: string } };
  previous?: { path: string; signature: { status: string; signer?: string } };
}

export interface ChangedTree {
  root: string;
  /** Applies add, modify (1 byte), remove, re-sign (PE and JAR), chmod and rename; returns the expected [change, path] pairs. */
  mutate(): [string, string][];
}

/** A Jenkins home and an IIS server with signed components, ready to be changed. */
export function changedTree(): ChangedTree {
  const root = tempRoot();
  const keys = tempRoot();
  const peA = makeSigner(keys, 'Vendor A');
  const peB = makeSigner(keys, 'Vendor B');
  const jarA = makeJarKey(keys, 'Jar Vendor A');
  const jarB = makeJarKey(keys, 'Jar Vendor B');
  writeFileSync(join(keys, 'm.dll'), makePe('module'));
  signPe(join(keys, 'm.dll'), join(keys, 'm.A.dll'), peA);
  signPe(join(keys, 'm.dll'), join(keys, 'm.B.dll'), peB);
  makeJar(join(keys, 'p.jar'), { 'p/P.class': 'plugin class' }, true);
  signJar(join(keys, 'p.jar'), jarA, join(keys, 'p.A.jar'));
  signJar(join(keys, 'p.jar'), jarB, join(keys, 'p.B.jar'));
  const plugins = 'var/lib/jenkins/plugins';
  put(root, 'var/lib/jenkins/config.xml', '<hudson/>');
  // distinct plugins have distinct content (a rename is recognised by content)
  for (const name of ['keep', 'remove', 'chmod', 'rename']) put(root, `${plugins}/${name}.jpi`, `plugin ${name}`);
  for (const name of ['modify', 'resign']) put(root, `${plugins}/${name}.jpi`, readFileSync(join(keys, 'p.A.jar')));
  put(root, 'Windows/System32/inetsrv/mod.dll', readFileSync(join(keys, 'm.A.dll')));
  put(
    root,
    'Windows/System32/inetsrv/config/applicationHost.config',
    '<configuration><system.webServer><globalModules><add name="Mod" image="%windir%\\System32\\inetsrv\\mod.dll" /></globalModules></system.webServer></configuration>',
  );
  settle(root);
  return {
    root,
    mutate() {
      put(root, `${plugins}/added.jpi`, readFileSync(join(keys, 'p.B.jar')));
      const m = readFileSync(join(root, plugins, 'modify.jpi'));
      const at = m.indexOf('plugin class');
      m[at] = m[at]! ^ 1;
      writeFileSync(join(root, plugins, 'modify.jpi'), m);
      rmSync(join(root, plugins, 'remove.jpi'));
      chmodSync(join(root, plugins, 'chmod.jpi'), 0o666);
      renameSync(join(root, plugins, 'rename.jpi'), join(root, plugins, 'renamed.jpi'));
      writeFileSync(join(root, plugins, 'resign.jpi'), readFileSync(join(keys, 'p.B.jar')));
      writeFileSync(join(root, 'Windows/System32/inetsrv/mod.dll'), readFileSync(join(keys, 'm.B.dll')));
      return [
        ['added', `/${plugins}/added.jpi`],
        ['modified', `/${plugins}/modify.jpi`],
        ['removed', `/${plugins}/remove.jpi`],
        ['permissions', `/${plugins}/chmod.jpi`],
        ['renamed', `/${plugins}/renamed.jpi`],
        ['signature', `/${plugins}/resign.jpi`],
        ['signature', '/Windows/System32/inetsrv/mod.dll'],
      ];
    },
  };
}

function sortPairs(p: [string, string][]): [string, string][] {
  return p.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

test('verify reports add, 1-byte modify, remove, chmod, rename, re-sign (PE and JAR) once each; nothing before or after approval', { skip }, () => {
  const t = changedTree();
  const data = tempRoot('warden-data-');
  const base = cli(['baseline', '--root', t.root, '--data', data, '--by', 'tester']);
  assert.equal(base.status, 0, base.stderr);
  assert.match(base.stdout, /^baseline 1 of components:.*: 8 items, approved by tester, in .*warden\.db\n$/);
  const clean = cli(['verify', '--root', t.root, '--data', data, '--format', 'jsonl']);
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(clean.stdout, '');

  const expected = t.mutate();
  const r = cli(['verify', '--root', t.root, '--data', data, '--format', 'jsonl']);
  assert.equal(r.status, 3, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ChangeLine);
  assert.deepEqual(sortPairs(lines.map((l) => [l.change, l.item.path])), sortPairs(expected));
  const by = new Map(lines.map((l) => [l.item.path, l]));
  const p = '/var/lib/jenkins/plugins';
  // a tampered signed JAR is modified and signed-modified, never "signed"
  assert.equal(by.get(`${p}/modify.jpi`)!.item.signature.status, 'signed-modified');
  assert.equal(by.get(`${p}/modify.jpi`)!.item.signature.signer, 'O=Warden Tests, CN=Jar Vendor A');
  assert.deepEqual(by.get(`${p}/resign.jpi`)!.previous!.signature, { status: 'signed', signer: 'O=Warden Tests, CN=Jar Vendor A' });
  assert.deepEqual(by.get(`${p}/resign.jpi`)!.item.signature, { status: 'signed', signer: 'O=Warden Tests, CN=Jar Vendor B' });
  assert.deepEqual(by.get('/Windows/System32/inetsrv/mod.dll')!.item.signature, { status: 'signed', signer: 'CN=Vendor B, O=Warden Tests' });
  assert.equal(by.get(`${p}/renamed.jpi`)!.previous!.path, `${p}/rename.jpi`);
  assert.equal(by.get(`${p}/chmod.jpi`)!.item.mode, '666');

  // the same again: verify is a pure comparison, it reports the same set
  const again = cli(['verify', '--root', t.root, '--data', data, '--format', 'jsonl']);
  assert.equal(again.stdout, r.stdout);
  // events carry the documented fields for Sigma
  const ev = cli(['verify', '--root', t.root, '--data', data, '--format', 'events']);
  const events = ev.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { logsource: Record<string, string>; fields: Record<string, unknown> });
  assert.equal(events.length, expected.length);
  assert.deepEqual(events[0]!.logsource, { product: 'warden', category: 'component_change' });
  const resign = events.find((e) => e.fields['TargetFilename'] === `${p}/resign.jpi`)!;
  assert.equal(resign.fields['Change'], 'signature');
  assert.equal(resign.fields['PreviousSigner'], 'O=Warden Tests, CN=Jar Vendor A');
  assert.equal(resign.fields['Signer'], 'O=Warden Tests, CN=Jar Vendor B');
  assert.equal(resign.fields['Kind'], 'jenkins-plugin');

  const one = cli(['baseline', 'approve', `${p}/chmod.jpi`, '--root', t.root, '--data', data]);
  assert.equal(one.stdout, 'approved 1 change\n', one.stderr);
  const rest = cli(['verify', '--root', t.root, '--data', data, '--format', 'jsonl']);
  assert.equal(rest.stdout.trim().split('\n').length, expected.length - 1);
  const all = cli(['baseline', 'approve', '--all', '--root', t.root, '--data', data]);
  assert.equal(all.stdout, `approved ${expected.length - 1} changes\n`, all.stderr);
  const done = cli(['verify', '--root', t.root, '--data', data]);
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /^no changes since baseline 1 \(8 items, approved by /);
});

test('verify without a baseline says so and exits 1', () => {
  const root = tempRoot();
  const r = cli(['verify', '--root', root, '--data', tempRoot('warden-data-')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no baseline for .* run `warden baseline` first/);
});
