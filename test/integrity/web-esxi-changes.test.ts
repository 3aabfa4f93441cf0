/**
 * End to end over the Apache/PHP/WordPress/ESXi collectors: `warden baseline`, the changes an
 * intruder makes (an .htaccess that runs pictures, a one-byte change to the auto_prepend
 * file, a new mu-plugin shell, a CommunitySupported VIB, an edited local.sh), `warden verify`
 * reporting each once, and `warden hunt` over its events raising the pack's component rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, put, settle, tempRoot } from './helpers.js';

const LIST_HEAD = `Name                  Version   Vendor  Acceptance Level    Install Date
--------------------  --------  ------  ------------------  ------------
esx-base              7.0.3-0   VMware  VMwareCertified     2023-09-28
`;

function tree(root: string): void {
  put(root, 'etc/apache2/apache2.conf', 'DocumentRoot /var/www/html\n');
  put(root, 'etc/php/8.2/fpm/php.ini', '[PHP]\nauto_prepend_file = /var/www/html/inc/boot.php\n');
  put(root, 'var/www/html/inc/boot.php', '<?php date_default_timezone_set("UTC");\n');
  put(root, 'var/www/html/wp-config.php', "<?php define('DB_NAME', 'wp');\n");
  put(root, 'var/www/html/wp-content/plugins/hello.php', '<?php\n/* Plugin Name: Hello Dolly\nVersion: 1.7.2 */\n');
  put(root, 'var/www/html/wp-content/uploads/2024/cat.jpg', 'JPEG');
  put(root, 'warden-collect/esxi/vib-list.txt', LIST_HEAD);
  put(root, 'etc/rc.local.d/local.sh', '#!/bin/sh\nexit 0\n');
}

test('verify reports each web/ESXi component change once, and hunt raises the component rules on its events', () => {
  const root = tempRoot();
  tree(root);
  settle(root);
  const data = tempRoot('warden-data-');
  const base = cli(['baseline', '--root', root, '--data', data, '--by', 'tester']);
  assert.equal(base.status, 0, base.stderr);
  const clean = cli(['verify', '--root', root, '--data', data, '--format', 'jsonl']);
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(clean.stdout, '');

  put(root, 'var/www/html/wp-content/uploads/.htaccess', 'AddType application/x-httpd-php .jpg\n');
  const boot = join(root, 'var/www/html/inc/boot.php');
  const b = readFileSync(boot);
  b[b.length - 3] = b[b.length - 3]! ^ 1;
  writeFileSync(boot, b);
  put(root, 'var/www/html/wp-content/mu-plugins/cache.php', '<?php eval($_POST["x"]); ?>');
  appendFileSync(join(root, 'warden-collect/esxi/vib-list.txt'), 'esx-sysupdate         1.0.0-1   VMW     CommunitySupported  2024-01-10\n');
  appendFileSync(join(root, 'etc/rc.local.d/local.sh'), '/tmp/.x &\n');

  const r = cli(['verify', '--root', root, '--data', data, '--format', 'jsonl']);
  assert.equal(r.status, 3, r.stderr);
  const changes = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { change: string; item: { kind: string; path: string; name?: string } })
    .map((c) => [c.change, c.item.kind, c.item.path, c.item.name ?? '']);
  assert.deepEqual(changes, [
    ['modified', 'esxi-local-sh', '/etc/rc.local.d/local.sh', ''],
    // the prepended file is one component seen by two collectors' configs: PHP's ini names it
    ['modified', 'php-auto-prepend', '/var/www/html/inc/boot.php', 'auto_prepend_file'],
    ['added', 'wordpress-mu-plugin', '/var/www/html/wp-content/mu-plugins/cache.php', ''],
    ['added', 'apache-handler', '/var/www/html/wp-content/uploads/.htaccess', 'AddType application/x-httpd-php .jpg'],
    ['added', 'apache-htaccess', '/var/www/html/wp-content/uploads/.htaccess', ''],
    ['added', 'esxi-vib', '/warden-collect/esxi/vib-list.txt', 'esx-sysupdate'],
  ]);

  const ev = cli(['verify', '--root', root, '--data', data, '--format', 'events']);
  const events = join(data, 'changes.jsonl');
  writeFileSync(events, ev.stdout);
  const h = cli(['hunt', events, '--format', 'jsonl']);
  assert.ok(h.status === 0 || h.status === 3, h.stderr);
  const fired = h.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { rule?: { title?: string } })
    .map((d) => d.rule?.title ?? '')
    .sort();
  // one detection per rule, and nothing else in the pack fires on these events
  assert.deepEqual(fired, [
    'ESXi Boot Script in rc.local.d Added or Changed',
    'ESXi VIB with CommunitySupported Acceptance or Without a Valid Signature',
    'PHP auto_prepend_file or auto_append_file Runs a File From a Writable Folder or Web Root',
    'Server Component Script the Content Scanner Calls Malicious',
    'Web Server Handler Makes Image Files Run as Scripts',
    'WordPress Must-Use Plugin or Drop-In Added or Changed',
  ]);

  // the table shows the scanner's verdict next to the signature, and a VIB's acceptance level
  const table = cli(['inventory', '--root', root]);
  assert.equal(table.status, 0, table.stderr);
  const row = (path: string, name = ''): string => table.stdout.split('\n').find((l) => l.endsWith(path) && l.includes(name))!;
  assert.match(row('/var/www/html/wp-content/mu-plugins/cache.php'), /\s- \[scanner: malicious\]\s/);
  assert.match(row('/warden-collect/esxi/vib-list.txt', 'esx-base'), /\sVMwareCertified\s/);
  assert.match(row('/warden-collect/esxi/vib-list.txt', 'esx-sysupdate'), /\sunsigned\s/);
});
