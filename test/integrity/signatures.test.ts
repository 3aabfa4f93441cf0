/**
 * Signatures of real files: PE DLLs signed with osslsigncode, JARs signed with jarsigner.
 * Intact, unsigned, and tampered by one byte (reported as signed-modified, never as signed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { checkAuthenticode } from '../../src/integrity/authenticode.js';
import { iis } from '../../src/integrity/collectors/iis.js';
import { jenkins } from '../../src/integrity/collectors/jenkins.js';
import { inventory } from '../../src/integrity/inventory.js';
import { checkJar } from '../../src/integrity/jar-signature.js';
import { fileItem, sorted } from './expect.js';
import { jarToolsMissing, makeJar, makeJarKey, makePe, makeSigner, peToolsMissing, put, settle, signJar, signPe, tempRoot } from './helpers.js';

const peSkip = peToolsMissing();
const jarSkip = jarToolsMissing();

function flip(buf: Buffer, at: number): Buffer {
  const b = Buffer.from(buf);
  b[at] = b[at]! ^ 0x01;
  return b;
}

test('Authenticode: unsigned, signed and intact, one byte changed in code, in the signature, truncated, not a PE', { skip: peSkip }, () => {
  const dir = tempRoot();
  const a = makeSigner(dir, 'Module Vendor A');
  writeFileSync(join(dir, 'm.dll'), makePe('module'));
  signPe(join(dir, 'm.dll'), join(dir, 'm.signed.dll'), a);
  const signed = readFileSync(join(dir, 'm.signed.dll'));
  assert.deepEqual(checkAuthenticode(makePe('module')), { status: 'unsigned' });
  assert.deepEqual(checkAuthenticode(signed), { status: 'signed', signer: a.subject });
  assert.deepEqual(checkAuthenticode(flip(signed, 0x212)), { status: 'signed-modified', signer: a.subject, detail: 'the image digest does not match the signed digest' });
  // a byte of the RSA signature value at the end of the PKCS#7 blob
  const certOff = signed.readUInt32LE(0x80 + 24 + 96 + 32);
  const certLen = signed.readUInt32LE(certOff);
  assert.deepEqual(checkAuthenticode(flip(signed, certOff + certLen - 20)), {
    status: 'signed-modified',
    signer: a.subject,
    detail: 'the signature does not verify with the signer certificate',
  });
  assert.deepEqual(checkAuthenticode(signed.subarray(0, signed.length - 16)), { status: 'signed-modified', detail: 'the certificate table runs past the end of the file' });
  const mz = Buffer.alloc(128);
  mz.write('MZ', 0, 'latin1');
  mz.writeUInt32LE(0x40, 0x3c);
  assert.deepEqual(checkAuthenticode(mz), { status: 'unsigned', detail: 'not a PE file (no PE header)' });
  assert.deepEqual(checkAuthenticode(Buffer.from('hello')), { status: 'unsigned', detail: 'not a PE file' });
  // the checksum field is outside the digest: changing it keeps the signature intact
  const sum = Buffer.from(signed);
  sum.writeUInt32LE(0x12345678, 0x80 + 24 + 64);
  assert.deepEqual(checkAuthenticode(sum), { status: 'signed', signer: a.subject });
});

test('IIS inventory: a signed native module, the same module tampered by one byte, an unsigned one', { skip: peSkip }, async () => {
  const root = tempRoot();
  const keys = tempRoot();
  const a = makeSigner(keys, 'Microsoft Windows Test');
  const raw = join(keys, 'raw.dll');
  writeFileSync(raw, makePe('cachuri'));
  signPe(raw, join(keys, 'signed.dll'), a);
  const signed = readFileSync(join(keys, 'signed.dll'));
  put(root, 'Windows/System32/inetsrv/cachuri.dll', signed);
  put(root, 'Windows/System32/inetsrv/cachfile.dll', flip(signed, 0x220));
  put(root, 'Windows/System32/inetsrv/backdoor.dll', makePe('backdoor'));
  put(
    root,
    'Windows/System32/inetsrv/config/applicationHost.config',
    `<configuration><system.webServer><globalModules>
<add name="UriCacheModule" image="%windir%\\System32\\inetsrv\\cachuri.dll" />
<add name="FileCacheModule" image="%windir%\\System32\\inetsrv\\cachfile.dll" />
<add name="HttpLoggingModule2" image="%windir%\\System32\\inetsrv\\backdoor.dll" />
</globalModules></system.webServer></configuration>`,
  );
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [iis], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const src = '/Windows/System32/inetsrv/config/applicationHost.config';
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'Windows/System32/inetsrv/config/applicationHost.config', 'iis', 'iis-config'),
      fileItem(root, 'Windows/System32/inetsrv/cachuri.dll', 'iis', 'iis-global-module', {
        name: 'UriCacheModule',
        source: src,
        signature: { status: 'signed', signer: a.subject },
      }),
      fileItem(root, 'Windows/System32/inetsrv/cachfile.dll', 'iis', 'iis-global-module', {
        name: 'FileCacheModule',
        source: src,
        signature: { status: 'signed-modified', signer: a.subject, detail: 'the image digest does not match the signed digest' },
      }),
      fileItem(root, 'Windows/System32/inetsrv/backdoor.dll', 'iis', 'iis-global-module', { name: 'HttpLoggingModule2', source: src, signature: { status: 'unsigned' } }),
    ]),
  );
});

test('JAR signatures: unsigned, signed and intact, one byte changed in an entry, an entry added, an entry removed, the .SF edited', { skip: jarSkip }, () => {
  const dir = tempRoot();
  const k = makeJarKey(join(dir, 'keys'), 'Plugin Vendor A');
  const jar = join(dir, 'p.jar');
  makeJar(jar, { 'p/Plugin.class': 'class bytes of the plugin', 'index.jsp': '<% out.println("hello"); %>' }, true);
  assert.deepEqual(checkJar(readFileSync(jar)), { status: 'unsigned' });
  signJar(jar, k, join(dir, 's.jar'));
  const s = readFileSync(join(dir, 's.jar'));
  assert.deepEqual(checkJar(s), { status: 'signed', signer: k.subject });
  const at = s.indexOf('hello');
  assert.deepEqual(checkJar(flip(s, at)), { status: 'signed-modified', signer: k.subject, detail: 'entry index.jsp does not match its signed digest' });
  // entries added or removed after signing (jar/zip rewrite the archive, the signature files stay)
  writeFileSync(join(dir, 'added.jar'), s);
  put(dir, 'extra/shell.jsp', '<% Runtime.getRuntime().exec(request.getParameter("c")); %>');
  const add = spawnSync('jar', ['uf', join(dir, 'added.jar'), '-C', join(dir, 'extra'), 'shell.jsp']);
  assert.equal(add.status, 0, String(add.stderr));
  assert.deepEqual(checkJar(readFileSync(join(dir, 'added.jar'))), { status: 'signed-modified', signer: k.subject, detail: 'entry shell.jsp is not signed' });
  writeFileSync(join(dir, 'removed.jar'), s);
  const del = spawnSync('zip', ['-q', '-d', join(dir, 'removed.jar'), 'index.jsp']);
  assert.equal(del.status, 0, String(del.stderr));
  assert.deepEqual(checkJar(readFileSync(join(dir, 'removed.jar'))), { status: 'signed-modified', signer: k.subject, detail: 'signed entry index.jsp is missing' });
  // the .SF edited (one digest character) and the archive rebuilt around it
  const x = join(dir, 'x');
  assert.equal(spawnSync('unzip', ['-q', join(dir, 's.jar'), '-d', x]).status, 0);
  const sfPath = join(x, 'META-INF/PLUGINVE.SF');
  const sfText = readFileSync(sfPath, 'latin1');
  const at2 = sfText.indexOf('SHA-256-Digest-Manifest: ') + 'SHA-256-Digest-Manifest: '.length;
  writeFileSync(sfPath, sfText.slice(0, at2) + (sfText[at2] === 'A' ? 'B' : 'A') + sfText.slice(at2 + 1), 'latin1');
  assert.equal(spawnSync('zip', ['-q', '-r', join(dir, 'sf.jar'), '.'], { cwd: x }).status, 0);
  assert.deepEqual(checkJar(readFileSync(join(dir, 'sf.jar'))), {
    status: 'signed-modified',
    signer: k.subject,
    detail: 'META-INF/PLUGINVE.RSA: the signed content does not match its messageDigest',
  });
  assert.deepEqual(checkJar(Buffer.from('PK\u0003\u0004 truncated')), {
    status: 'unsigned',
    detail: 'unreadable zip: no end-of-central-directory record (not a zip, or truncated)',
  });
});

test('Jenkins inventory: signed plugin, tampered plugin (compressed entry), unsigned plugin', { skip: jarSkip }, async () => {
  const root = tempRoot();
  const dir = tempRoot();
  const k = makeJarKey(join(dir, 'keys'), 'Jenkins Plugin Vendor');
  makeJar(join(dir, 'git.jar'), { 'hudson/plugins/git/GitSCM.class': 'git scm '.repeat(50), 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\nShort-Name: git\n' });
  signJar(join(dir, 'git.jar'), k, join(dir, 'git.signed.jar'));
  const signed = readFileSync(join(dir, 'git.signed.jar'));
  put(root, 'var/lib/jenkins/config.xml', '<hudson/>');
  put(root, 'var/lib/jenkins/plugins/git.jpi', signed);
  // one byte inside the deflated class entry: the entry no longer inflates to what was signed
  const cls = signed.indexOf('hudson/plugins/git/GitSCM.class') + 'hudson/plugins/git/GitSCM.class'.length + 4;
  put(root, 'var/lib/jenkins/plugins/git-client.jpi', flip(signed, cls));
  makeJar(join(root, 'var/lib/jenkins/plugins/plain.hpi'), { 'p/P.class': 'plain' });
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [jenkins], workers: 0 });
  const d = (plugin: string) => ({ plugin, disabled: 'false', pinned: 'false' });
  const tampered = inv.items.find((i) => i.path.endsWith('git-client.jpi'))!;
  assert.equal(tampered.signature.status, 'signed-modified');
  assert.equal(tampered.signature.signer, k.subject);
  assert.match(
    tampered.signature.detail!,
    /^signed entry hudson\/plugins\/git\/GitSCM\.class is unreadable|^entry hudson\/plugins\/git\/GitSCM\.class does not match its signed digest$/,
  );
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'var/lib/jenkins/plugins/git.jpi', 'jenkins', 'jenkins-plugin', { detail: d('git'), signature: { status: 'signed', signer: k.subject } }),
      fileItem(root, 'var/lib/jenkins/plugins/git-client.jpi', 'jenkins', 'jenkins-plugin', { detail: d('git-client'), signature: tampered.signature }),
      fileItem(root, 'var/lib/jenkins/plugins/plain.hpi', 'jenkins', 'jenkins-plugin', { detail: d('plain'), signature: { status: 'unsigned' } }),
    ]),
  );
});
