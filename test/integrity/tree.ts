/** A component tree with signed PE and JAR files, and the full set of changes to apply to it. */
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeJar, makeJarKey, makePe, makeSigner, put, settle, signJar, signPe, tempRoot } from './helpers.js';

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
