/** Apache, nginx and PHP collectors over synthetic Debian-style trees: exact inventories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { apache } from '../../src/integrity/collectors/apache.js';
import { nginx } from '../../src/integrity/collectors/nginx.js';
import { php } from '../../src/integrity/collectors/php.js';
import { inventory } from '../../src/integrity/inventory.js';
import { declItem, fileItem, missingItem, sorted, verdictsOnly } from './expect.js';
import { put, settle, tempRoot } from './helpers.js';

const SHELL = '<?php eval($_POST["x"]); ?>';

function link(root: string, rel: string, target: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  symlinkSync(target, join(root, rel));
}

test('Apache: included configs through mods-enabled links, modules, handlers, web roots, .htaccess handlers and auto_prepend_file', async () => {
  const root = tempRoot();
  put(
    root,
    'etc/apache2/apache2.conf',
    `# ServerRoot "/etc/apache2"
IncludeOptional mods-enabled/*.load
IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
<FilesMatch ".+\\.ph(?:ar|p|tml)$">
    SetHandler application/x-httpd-php
</FilesMatch>
`,
  );
  put(root, 'etc/apache2/mods-available/php8.2.load', 'LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n');
  put(root, 'etc/apache2/mods-available/backdoor.load', 'LoadModule backdoor_module modules/mod_backdoor.so\nLoadFile /usr/lib/libfoo.so\n');
  put(root, 'etc/apache2/mods-available/unused.load', 'LoadModule unused_module /usr/lib/apache2/modules/mod_unused.so\n');
  link(root, 'etc/apache2/mods-enabled/php8.2.load', '../mods-available/php8.2.load');
  // an absolute link resolves inside the root, never on the inspecting host
  link(root, 'etc/apache2/mods-enabled/backdoor.load', '/etc/apache2/mods-available/backdoor.load');
  put(root, 'etc/apache2/conf-enabled/security.conf', 'ServerTokens Prod\n');
  put(
    root,
    'etc/apache2/sites-enabled/000-default.conf',
    `<VirtualHost *:80>
    DocumentRoot /var/www/html
    ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/
    AddHandler cgi-script .cgi \\
        .pl
    AddType text/html .shtml
</VirtualHost>
`,
  );
  put(root, 'usr/lib/apache2/modules/libphp8.2.so', '\x7fELF php');
  put(root, 'etc/apache2/modules/mod_backdoor.so', '\x7fELF backdoor');
  put(root, 'usr/lib/cgi-bin/status.cgi', '#!/bin/sh\necho ok\n');
  put(root, 'var/www/html/index.php', '<?php echo "hello";\n');
  put(root, 'var/www/html/.htaccess', 'RewriteEngine On\n');
  put(root, 'var/www/html/uploads/.htaccess', 'AddType application/x-httpd-php .jpg .png\nphp_value auto_prepend_file /var/www/html/uploads/avatar.jpg\n');
  put(root, 'var/www/html/uploads/avatar.jpg', SHELL);
  settle(root);
  chmodSync(join(root, 'var/www/html/uploads'), 0o777);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [apache], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const a = 'apache';
  const main = '/etc/apache2/apache2.conf';
  const site = '/etc/apache2/sites-enabled/000-default.conf';
  const up = '/var/www/html/uploads/.htaccess';
  assert.deepEqual(
    verdictsOnly(inv.items),
    sorted([
      fileItem(root, 'etc/apache2/apache2.conf', a, 'apache-config'),
      fileItem(root, 'etc/apache2/conf-enabled/security.conf', a, 'apache-config'),
      fileItem(root, 'etc/apache2/mods-available/backdoor.load', a, 'apache-config'),
      fileItem(root, 'etc/apache2/mods-available/php8.2.load', a, 'apache-config'),
      fileItem(root, 'etc/apache2/sites-enabled/000-default.conf', a, 'apache-config'),
      fileItem(root, 'usr/lib/apache2/modules/libphp8.2.so', a, 'apache-module', { name: 'php_module', source: '/etc/apache2/mods-available/php8.2.load' }),
      fileItem(root, 'etc/apache2/modules/mod_backdoor.so', a, 'apache-module', { name: 'backdoor_module', source: '/etc/apache2/mods-available/backdoor.load' }),
      missingItem('usr/lib/libfoo.so', a, 'apache-library', { source: '/etc/apache2/mods-available/backdoor.load' }),
      declItem('etc/apache2/apache2.conf', a, 'apache-handler', {
        name: '<FilesMatch ".+\\.ph(?:ar|p|tml)$"> SetHandler application/x-httpd-php',
        source: main,
        detail: { directive: 'SetHandler', handler: 'application/x-httpd-php', runs: 'php', files: '<FilesMatch ".+\\.ph(?:ar|p|tml)$">', imageExecutable: 'false' },
      }),
      declItem('etc/apache2/sites-enabled/000-default.conf', a, 'apache-handler', {
        name: 'AddHandler cgi-script .cgi .pl',
        source: site,
        detail: { directive: 'AddHandler', handler: 'cgi-script', runs: 'cgi', extensions: '.cgi .pl', imageExecutable: 'false' },
      }),
      declItem('var/www/html/uploads/.htaccess', a, 'apache-handler', {
        name: 'AddType application/x-httpd-php .jpg .png',
        source: up,
        detail: { directive: 'AddType', handler: 'application/x-httpd-php', runs: 'php', extensions: '.jpg .png', imageExecutable: 'true' },
      }),
      fileItem(root, 'var/www/html/.htaccess', a, 'apache-htaccess'),
      fileItem(root, 'var/www/html/uploads/.htaccess', a, 'apache-htaccess'),
      declItem('usr/lib/cgi-bin', a, 'apache-web-root', { source: site }),
      declItem('var/www/html', a, 'apache-web-root', { source: site }),
      fileItem(root, 'var/www/html/uploads/avatar.jpg', a, 'php-auto-prepend', {
        name: 'auto_prepend_file',
        source: up,
        detail: { value: '/var/www/html/uploads/avatar.jpg', writable: 'true', webRoot: 'true' },
        scan: { verdict: 'malicious' },
      }),
    ]),
  );
  // web roots and config folders are watched (the link targets' folder, not the links')
  for (const w of ['etc/apache2', 'etc/apache2/mods-available', 'etc/apache2/sites-enabled', 'var/www/html/uploads', 'usr/lib/cgi-bin'])
    assert.ok(inv.watch.includes(join(root, w)), `watches ${w}`);
});

test('Apache: SetHandler with no <Files> section in an .htaccess makes every file, images included, run', async () => {
  const root = tempRoot();
  put(root, 'etc/httpd/conf/httpd.conf', 'ServerRoot "/etc/httpd"\nInclude conf.d/*.conf\nDocumentRoot "/srv/web"\n');
  put(root, 'etc/httpd/conf.d/php.conf', '<Files "*.gif">\n  ForceType application/x-httpd-php\n</Files>\n');
  put(root, 'srv/web/img/.htaccess', 'SetHandler php-script\n');
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [apache], workers: 0 });
  const handlers = inv.items.filter((i) => i.kind === 'apache-handler').map((i) => [i.path, i.name, i.detail]);
  assert.deepEqual(handlers, [
    [
      '/etc/httpd/conf.d/php.conf',
      '<Files "*.gif"> ForceType application/x-httpd-php',
      { directive: 'ForceType', handler: 'application/x-httpd-php', runs: 'php', files: '<Files "*.gif">', imageExecutable: 'true' },
    ],
    ['/srv/web/img/.htaccess', 'SetHandler php-script', { directive: 'SetHandler', handler: 'php-script', runs: 'php', scope: 'every file', imageExecutable: 'true' }],
  ]);
});

function nginxTree(root: string): void {
  put(
    root,
    'etc/nginx/nginx.conf',
    `user www-data;
include /etc/nginx/modules-enabled/*.conf;
events { worker_connections 768; }
http {
    include mime.types;
    include /etc/nginx/sites-enabled/*;
}
`,
  );
  put(root, 'usr/share/nginx/modules-available/mod-http-echo.conf', 'load_module modules/ngx_http_echo_module.so;\n');
  link(root, 'etc/nginx/modules-enabled/50-mod-http-echo.conf', '/usr/share/nginx/modules-available/mod-http-echo.conf');
  put(root, 'usr/share/nginx/modules/ngx_http_echo_module.so', '\x7fELF echo');
  put(root, 'etc/nginx/snippets/fastcgi-php.conf', 'fastcgi_index index.php;\n');
  put(
    root,
    'etc/nginx/sites-enabled/default',
    `server {
    listen 80;
    root /srv/site;
    location ~ \\.php$ {
        include snippets/fastcgi-php.conf;
        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
    }
    location ~* \\.(php|jpg)$ { fastcgi_pass 127.0.0.1:9000; }
    location /static/ { alias "/srv/static/"; }
}
`,
  );
  put(root, 'srv/site/index.php', '<?php echo 1;\n');
}

test('nginx: included configs and module links, load_module, script locations (one taking images), web roots', async () => {
  const root = tempRoot();
  nginxTree(root);
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [nginx], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const n = 'nginx';
  const site = '/etc/nginx/sites-enabled/default';
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'etc/nginx/nginx.conf', n, 'nginx-config'),
      fileItem(root, 'etc/nginx/sites-enabled/default', n, 'nginx-config'),
      fileItem(root, 'etc/nginx/snippets/fastcgi-php.conf', n, 'nginx-config'),
      fileItem(root, 'usr/share/nginx/modules-available/mod-http-echo.conf', n, 'nginx-config'),
      fileItem(root, 'usr/share/nginx/modules/ngx_http_echo_module.so', n, 'nginx-module', { source: '/usr/share/nginx/modules-available/mod-http-echo.conf' }),
      declItem('etc/nginx/sites-enabled/default', n, 'nginx-script-location', {
        name: 'location ~ \\.php$',
        source: site,
        detail: { location: '~ \\.php$', runner: 'fastcgi_pass', target: 'unix:/run/php/php8.2-fpm.sock', imageExecutable: 'false' },
      }),
      declItem('etc/nginx/sites-enabled/default', n, 'nginx-script-location', {
        name: 'location ~* \\.(php|jpg)$',
        source: site,
        detail: { location: '~* \\.(php|jpg)$', runner: 'fastcgi_pass', target: '127.0.0.1:9000', imageExecutable: 'true' },
      }),
      declItem('srv/site', n, 'nginx-web-root', { source: '/etc/nginx/nginx.conf' }),
      declItem('srv/static', n, 'nginx-web-root', { source: '/etc/nginx/nginx.conf' }),
    ]),
  );
});

test('nginx: an unclosed block is a problem naming file and line; the directives before it are kept', async () => {
  const root = tempRoot();
  put(root, 'etc/nginx/nginx.conf', 'load_module /usr/lib/nginx/modules/a.so;\nhttp {\n  server { listen 80;\n');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [nginx], workers: 0 });
  assert.deepEqual(
    problems.problems.map((p) => [p.kind, p.file, p.line, p.message]),
    [['input', join(root, 'etc/nginx/nginx.conf'), 4, 'unexpected end of file: a block is not closed']],
  );
  assert.deepEqual(
    inv.items.map((i) => [i.kind, i.path]),
    [
      ['nginx-config', '/etc/nginx/nginx.conf'],
      ['nginx-module', '/usr/lib/nginx/modules/a.so'],
    ],
  );
});

test('PHP: php.ini and conf.d links, FPM pools, .user.ini in web roots; auto_prepend/append targets scanned and judged; extensions', async () => {
  const root = tempRoot();
  nginxTree(root);
  put(root, 'etc/php/8.2/fpm/php.ini', '[PHP]\nextension_dir = "/usr/lib/php/20220829"\nauto_prepend_file = ""\nauto_append_file = none\n');
  put(root, 'etc/php/8.2/mods-available/mysqli.ini', '; priority=20\nextension=mysqli.so\n');
  link(root, 'etc/php/8.2/fpm/conf.d/20-mysqli.ini', '/etc/php/8.2/mods-available/mysqli.ini');
  put(root, 'etc/php/8.2/fpm/conf.d/99-zz.ini', 'auto_prepend_file = /dev/shm/.x.php ; keeps the session\nzend_extension=/opt/x/evil.so\nextension=nope\n');
  put(root, 'etc/php/8.2/fpm/pool.d/www.conf', '[www]\nuser = www-data\nphp_admin_value[auto_append_file] = /srv/site/footer.php\n');
  put(root, 'usr/lib/php/20220829/mysqli.so', '\x7fELF mysqli');
  put(root, 'dev/shm/.x.php', SHELL);
  put(root, 'srv/site/.user.ini', 'auto_prepend_file = track.php\n');
  put(root, 'srv/site/track.php', '<?php error_log("visit");\n');
  put(root, 'srv/site/footer.php', '<?php echo "</body>";\n');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [php], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const p = 'php';
  const zz = '/etc/php/8.2/fpm/conf.d/99-zz.ini';
  assert.deepEqual(
    verdictsOnly(inv.items),
    sorted([
      fileItem(root, 'etc/php/8.2/fpm/php.ini', p, 'php-ini'),
      fileItem(root, 'etc/php/8.2/mods-available/mysqli.ini', p, 'php-ini'),
      fileItem(root, 'etc/php/8.2/fpm/conf.d/99-zz.ini', p, 'php-ini'),
      fileItem(root, 'etc/php/8.2/fpm/pool.d/www.conf', p, 'php-fpm-pool'),
      fileItem(root, 'srv/site/.user.ini', p, 'php-user-ini'),
      fileItem(root, 'usr/lib/php/20220829/mysqli.so', p, 'php-extension', {
        name: 'mysqli.so',
        source: '/etc/php/8.2/mods-available/mysqli.ini',
        detail: { setting: 'extension' },
      }),
      missingItem('opt/x/evil.so', p, 'php-extension', { name: '/opt/x/evil.so', source: zz, detail: { setting: 'zend_extension' } }),
      declItem('etc/php/8.2/fpm/conf.d/99-zz.ini', p, 'php-extension', { name: 'nope', source: zz, detail: { setting: 'extension' } }),
      fileItem(root, 'dev/shm/.x.php', p, 'php-auto-prepend', {
        name: 'auto_prepend_file',
        source: zz,
        detail: { value: '/dev/shm/.x.php', writable: 'true', webRoot: 'false' },
        scan: { verdict: 'malicious' },
      }),
      fileItem(root, 'srv/site/track.php', p, 'php-auto-prepend', {
        name: 'auto_prepend_file',
        source: '/srv/site/.user.ini',
        detail: { value: 'track.php', writable: 'false', webRoot: 'true' },
        scan: { verdict: 'clean' },
      }),
      fileItem(root, 'srv/site/footer.php', p, 'php-auto-append', {
        name: 'auto_append_file',
        source: '/etc/php/8.2/fpm/pool.d/www.conf',
        detail: { value: '/srv/site/footer.php', writable: 'false', webRoot: 'true' },
        scan: { verdict: 'clean' },
      }),
    ]),
  );
});

test('Apache: include loops, link loops and links that climb out of the root stay inside it and end', async () => {
  const root = tempRoot();
  put(root, 'etc/apache2/apache2.conf', 'Include /etc/apache2/apache2.conf\nIncludeOptional loop/*.conf\nIncludeOptional mods-enabled/*.load\nDocumentRoot /srv/www\n');
  link(root, 'etc/apache2/loop/a.conf', 'b.conf');
  link(root, 'etc/apache2/loop/b.conf', 'a.conf');
  // relative and absolute links to the host's files land under the root, where they do not exist
  link(root, 'etc/apache2/mods-enabled/escape.load', '../../../../../../../../etc/hostname');
  link(root, 'etc/apache2/mods-enabled/abs.load', '/etc/hostname');
  link(root, 'srv/www', '/');
  put(root, 'etc/hostname.txt', 'not the host');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [apache], workers: 0 });
  assert.deepEqual(problems.problems, []);
  assert.deepEqual(
    inv.items.map((i) => [i.kind, i.path]),
    [
      ['apache-config', '/etc/apache2/apache2.conf'],
      ['apache-web-root', '/srv/www'],
    ],
  );
});
