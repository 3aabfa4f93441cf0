/** WordPress and ESXi collectors over synthetic trees: exact inventories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { esxi } from '../../src/integrity/collectors/esxi.js';
import { wordpress } from '../../src/integrity/collectors/wordpress.js';
import { inventory } from '../../src/integrity/inventory.js';
import { declItem, fileItem, sorted, verdictsOnly } from './expect.js';
import { put, settle, tempRoot } from './helpers.js';

const SHELL = '<?php eval($_POST["x"]); ?>';
const CLEAN = { verdict: 'clean' } as const;
const BAD = { verdict: 'malicious' } as const;

test('WordPress: plugins with their header, plugin files, mu-plugins, drop-ins, theme and upload scripts, wp-config; all scanned', async () => {
  const root = tempRoot();
  const wp = 'var/www/html/blog';
  put(root, `${wp}/wp-config.php`, "<?php define('DB_NAME', 'wp');\n");
  put(root, `${wp}/wp-includes/version.php`, "<?php $wp_version = '6.5';\n");
  put(root, `${wp}/wp-content/plugins/akismet/akismet.php`, '<?php\n/*\nPlugin Name: Akismet Anti-spam\nVersion: 5.3\n*/\nrequire __DIR__ . "/class.akismet.php";\n');
  put(root, `${wp}/wp-content/plugins/akismet/class.akismet.php`, '<?php class Akismet {}\n');
  put(root, `${wp}/wp-content/plugins/akismet/readme.txt`, 'readme');
  put(root, `${wp}/wp-content/plugins/hello.php`, '<?php\n/**\n * Plugin Name: Hello Dolly\n * Version: 1.7.2\n */\nfunction hello_dolly() {}\n');
  put(root, `${wp}/wp-content/plugins/index.php`, '<?php // Silence is golden.\n');
  put(root, `${wp}/wp-content/mu-plugins/cache-helper.php`, `<?php\n/* Plugin Name: WP Cache Helper */\n${SHELL.slice(6)}\n`);
  put(root, `${wp}/wp-content/mu-plugins/lib/util.php`, '<?php function util() {}\n');
  put(root, `${wp}/wp-content/object-cache.php`, '<?php // object cache drop-in\n');
  put(root, `${wp}/wp-content/themes/twentytwentyfour/functions.php`, '<?php add_theme_support("title-tag");\n');
  put(root, `${wp}/wp-content/themes/twentytwentyfour/style.css`, '/* Theme Name: Twenty Twenty-Four */');
  put(root, `${wp}/wp-content/uploads/2024/05/cat.jpg`, 'JPEG');
  put(root, `${wp}/wp-content/uploads/2024/05/shell.php`, SHELL);
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [wordpress], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const w = 'wordpress';
  const c = `${wp}/wp-content`;
  assert.deepEqual(
    verdictsOnly(inv.items),
    sorted([
      fileItem(root, `${wp}/wp-config.php`, w, 'wordpress-config', { scan: CLEAN }),
      fileItem(root, `${c}/object-cache.php`, w, 'wordpress-dropin', { name: 'object-cache.php', scan: CLEAN }),
      fileItem(root, `${c}/plugins/akismet/akismet.php`, w, 'wordpress-plugin', { name: 'akismet', detail: { plugin: 'Akismet Anti-spam', version: '5.3' }, scan: CLEAN }),
      fileItem(root, `${c}/plugins/hello.php`, w, 'wordpress-plugin', { name: 'hello', detail: { plugin: 'Hello Dolly', version: '1.7.2' }, scan: CLEAN }),
      fileItem(root, `${c}/plugins/akismet/class.akismet.php`, w, 'wordpress-plugin-file', { detail: { plugin: 'akismet' }, scan: CLEAN }),
      fileItem(root, `${c}/plugins/index.php`, w, 'wordpress-plugin-file', { scan: CLEAN }),
      fileItem(root, `${c}/mu-plugins/lib/util.php`, w, 'wordpress-plugin-file', { detail: { plugin: 'mu-plugins' }, scan: CLEAN }),
      fileItem(root, `${c}/mu-plugins/cache-helper.php`, w, 'wordpress-mu-plugin', { detail: { plugin: 'WP Cache Helper' }, scan: BAD }),
      fileItem(root, `${c}/themes/twentytwentyfour/functions.php`, w, 'wordpress-theme-file', { scan: CLEAN }),
      fileItem(root, `${c}/uploads/2024/05/shell.php`, w, 'wordpress-upload-script', { scan: BAD }),
    ]),
  );
  assert.ok(inv.watch.includes(join(root, c, 'mu-plugins')));
  assert.ok(inv.watch.includes(join(root, c)), 'wp-content is watched (a new drop-in appears there)');
});

const VIB_LIST = `Name                           Version                            Vendor  Acceptance Level    Install Date
-----------------------------  ---------------------------------  ------  ------------------  ------------
esx-base                       7.0.3-0.105.22348816               VMware  VMwareCertified     2023-09-28
lsi-msgpt3                     17.00.12.00-1OEM.700.1.0.15843807  BCM     PartnerSupported    2023-09-28
vmware-esx-sysupdate           1.0.0-1                            VMW     CommunitySupported  2024-01-10
vmkusb-nic-fling               1.12-1vmw.703.0.50.20036589        VMW     PartnerSupported    2024-01-11
`;

const VIB_VERIFY = `Name                           Version                            Vendor  Acceptance Level    Signature Verification
-----------------------------  ---------------------------------  ------  ------------------  ----------------------
esx-base                       7.0.3-0.105.22348816               VMware  VMwareCertified     Succeeded
vmware-esx-sysupdate           1.0.0-1                            VMW     CommunitySupported  Not signed
vmkusb-nic-fling               1.12-1vmw.703.0.50.20036589        VMW     PartnerSupported    Failed: signature does not match
`;

function descriptor(name: string, level: string): string {
  return `<vib version="5.0">
  <type>bootbank</type>
  <name>${name}</name>
  <version>1.0.0-1</version>
  <vendor>VMW</vendor>
  <summary>${name}</summary>
  <acceptance-level>${level}</acceptance-level>
</vib>
`;
}

test('ESXi: VIBs from esxcli list and signature-verify output merged, CSV form, image descriptors, rc.local.d scripts', async () => {
  const root = tempRoot();
  put(root, 'warden-collect/esxi/vib-list.txt', VIB_LIST);
  put(root, 'warden-collect/esxi/vib-verify.txt', VIB_VERIFY);
  put(
    root,
    'warden-collect/esxi/extra.csv',
    'AcceptanceLevel,CreationDate,ID,InstallDate,Name,Platforms,Status,Vendor,Version,\nVMwareAccepted,2023-01-01,VMW_bootbank_nvme,2023-09-28,nvme-pcie,host,,VMW,"1.2.4-1vmw",\n',
  );
  put(root, 'var/db/esximg/vibs/esx-base-1.xml', descriptor('esx-base', 'certified'));
  put(root, 'var/db/esximg/vibs/sysupdate-2.xml', descriptor('vmware-esx-sysupdate', 'community'));
  put(root, 'etc/rc.local.d/local.sh', '#!/bin/sh ++group=host/vim/vmvisor/boot\n/bin/vmtoolsd &\nexit 0\n');
  put(root, 'etc/rc.local.d/90-custom.sh', '#!/bin/sh\necho ok\n');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [esxi], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const e = 'esxi';
  const list = 'warden-collect/esxi/vib-list.txt';
  const vib = (rel: string, name: string, detail: Record<string, string>, signature: { status: 'signed' | 'unsigned' | 'signed-modified' | 'n/a'; detail: string }) =>
    declItem(rel, e, 'esxi-vib', { name, detail, signature });
  assert.deepEqual(
    verdictsOnly(inv.items),
    sorted([
      vib(
        list,
        'esx-base',
        { acceptance: 'VMwareCertified', vendor: 'VMware', version: '7.0.3-0.105.22348816', installDate: '2023-09-28', signatureVerification: 'Succeeded' },
        { status: 'signed', detail: 'VMwareCertified' },
      ),
      vib(
        list,
        'lsi-msgpt3',
        { acceptance: 'PartnerSupported', vendor: 'BCM', version: '17.00.12.00-1OEM.700.1.0.15843807', installDate: '2023-09-28' },
        { status: 'n/a', detail: 'PartnerSupported' },
      ),
      vib(
        list,
        'vmware-esx-sysupdate',
        { acceptance: 'CommunitySupported', vendor: 'VMW', version: '1.0.0-1', installDate: '2024-01-10', signatureVerification: 'Not signed' },
        { status: 'unsigned', detail: 'CommunitySupported' },
      ),
      vib(
        list,
        'vmkusb-nic-fling',
        {
          acceptance: 'PartnerSupported',
          vendor: 'VMW',
          version: '1.12-1vmw.703.0.50.20036589',
          installDate: '2024-01-11',
          signatureVerification: 'Failed: signature does not match',
        },
        { status: 'signed-modified', detail: 'PartnerSupported; verification: Failed: signature does not match' },
      ),
      vib(
        'warden-collect/esxi/extra.csv',
        'nvme-pcie',
        { acceptance: 'VMwareAccepted', vendor: 'VMW', version: '1.2.4-1vmw', installDate: '2023-09-28' },
        { status: 'n/a', detail: 'VMwareAccepted' },
      ),
      fileItem(root, 'var/db/esximg/vibs/esx-base-1.xml', e, 'esxi-vib', {
        name: 'esx-base',
        detail: { acceptance: 'VMwareCertified', vendor: 'VMW', version: '1.0.0-1' },
        signature: { status: 'n/a', detail: 'VMwareCertified' },
      }),
      fileItem(root, 'var/db/esximg/vibs/sysupdate-2.xml', e, 'esxi-vib', {
        name: 'vmware-esx-sysupdate',
        detail: { acceptance: 'CommunitySupported', vendor: 'VMW', version: '1.0.0-1' },
        signature: { status: 'unsigned', detail: 'CommunitySupported' },
      }),
      fileItem(root, 'etc/rc.local.d/local.sh', e, 'esxi-local-sh', { scan: CLEAN }),
      fileItem(root, 'etc/rc.local.d/90-custom.sh', e, 'esxi-startup-script', { scan: CLEAN }),
    ]),
  );
  assert.deepEqual(inv.watch, [join(root, 'etc/rc.local.d'), join(root, 'var/db/esximg/vibs'), join(root, 'warden-collect/esxi')]);
});

test('ESXi: a file that is not esxcli output and a broken descriptor are problems naming them; the rest is read', async () => {
  const root = tempRoot();
  put(root, 'warden-collect/esxi/a-notes.txt', 'collected on monday\n');
  put(root, 'warden-collect/esxi/b-list.txt', VIB_LIST);
  put(root, 'var/db/esximg/vibs/bad.xml', '<vib><name>x</vib>');
  put(root, 'var/db/esximg/vibs/noname.xml', '<vib><vendor>x</vendor></vib>');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [esxi], workers: 0 });
  assert.deepEqual(
    problems.problems.map((p) => [p.file.slice(root.length), p.line, p.message.replace(/^(not well-formed XML:).*?;/, '$1;')]),
    [
      ['/warden-collect/esxi/a-notes.txt', 1, 'not esxcli software vib list output: no header with a line of dashes, nor a CSV header with Name'],
      ['/var/db/esximg/vibs/bad.xml', 1, 'not well-formed XML:; skipped'],
      ['/var/db/esximg/vibs/noname.xml', undefined, 'not a VIB descriptor: no <vib> with a <name>; skipped'],
    ],
  );
  assert.equal(inv.items.filter((i) => i.kind === 'esxi-vib').length, 4);
});

test('WordPress: installations are looked for below every web root Apache serves, not only the outermost', async () => {
  const root = tempRoot();
  put(root, 'etc/apache2/apache2.conf', 'DocumentRoot /var/www/html\n');
  // three levels below /var/www, two below the DocumentRoot
  put(root, 'var/www/html/sites/shop/wp-config.php', '<?php\n');
  put(root, 'var/www/html/sites/shop/wp-content/object-cache.php', '<?php\n');
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [wordpress], workers: 0 });
  assert.deepEqual(
    inv.items.map((i) => [i.kind, i.path, i.name]),
    [
      ['wordpress-config', '/var/www/html/sites/shop/wp-config.php', undefined],
      ['wordpress-dropin', '/var/www/html/sites/shop/wp-content/object-cache.php', 'object-cache.php'],
    ],
  );
});

test('WordPress: hashing threads load the scanner and give the same inventory, verdicts included, as the main thread', async () => {
  const root = tempRoot();
  const c = 'var/www/html/wp-content';
  put(root, 'var/www/html/wp-config.php', '<?php\n');
  // over 64 files: the pool starts threads
  for (let i = 0; i < 80; i++) put(root, `${c}/plugins/big/inc/f${i}.php`, i % 20 === 7 ? SHELL : `<?php function f${i}() { return ${i}; }\n`);
  settle(root);
  const threads = await inventory({ root, problems: new ProblemList(), collectors: [wordpress], workers: 2 });
  const main = await inventory({ root, problems: new ProblemList(), collectors: [wordpress], workers: 0 });
  assert.equal(threads.items.length, 81);
  assert.deepEqual(threads.items, main.items);
  assert.deepEqual(
    threads.items.filter((i) => i.scan?.verdict === 'malicious').map((i) => i.path.slice(i.path.lastIndexOf('/') + 1)),
    ['f27.php', 'f47.php', 'f67.php', 'f7.php'],
  );
});
