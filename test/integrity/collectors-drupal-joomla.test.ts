/** Drupal and Joomla collectors over synthetic installations written by the tests: exact inventories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProblemList } from '../../src/errors.js';
import { drupal, infoFields } from '../../src/integrity/collectors/drupal.js';
import { joomla } from '../../src/integrity/collectors/joomla.js';
import { inventory } from '../../src/integrity/inventory.js';
import { fileItem, sorted, verdictsOnly } from './expect.js';
import { put, settle, tempRoot } from './helpers.js';

const SHELL = '<?php eval($_POST["x"]); ?>';
const CLEAN = { verdict: 'clean' } as const;
const BAD = { verdict: 'malicious' } as const;

test('Drupal info files: name, version and type from YAML (8+) and INI (7), quotes dropped, nested keys ignored', () => {
  assert.deepEqual(
    infoFields("name: 'Pathauto'\ntype: module\ndescription: x\ncore_version_requirement: ^9 || ^10\ndependencies:\n  - drupal:path\n  name: nested\nversion: '8.x-1.12'\n"),
    {
      name: 'Pathauto',
      type: 'module',
      core_version_requirement: '^9 || ^10',
      version: '8.x-1.12',
    },
  );
  assert.deepEqual(infoFields('name = Views\r\ncore = 7.x\r\nversion = "7.x-3.29"\r\n'), { name: 'Views', core: '7.x', version: '7.x-3.29' });
});

test('Drupal 10: contrib/custom modules and themes with their info, their PHP files, settings.php, upload scripts, compiled Twig, the files .htaccess; core left out', async () => {
  const root = tempRoot();
  const d = 'var/www/html/drupal';
  put(root, `${d}/core/lib/Drupal.php`, "<?php\nclass Drupal { const VERSION = '10.2.5'; }\n");
  put(root, `${d}/core/modules/node/node.module`, '<?php function node_help() {}\n');
  put(root, `${d}/core/modules/node/node.info.yml`, 'name: Node\ntype: module\n');
  put(root, `${d}/modules/contrib/pathauto/pathauto.info.yml`, "name: 'Pathauto'\ntype: module\nversion: '8.x-1.12'\n");
  put(root, `${d}/modules/contrib/pathauto/pathauto.module`, '<?php function pathauto_help() { return "help"; }\n');
  put(root, `${d}/modules/contrib/pathauto/src/AliasCleaner.php`, '<?php namespace Drupal\\pathauto; class AliasCleaner {}\n');
  put(root, `${d}/modules/contrib/pathauto/README.md`, '# Pathauto');
  put(root, `${d}/modules/custom/site_tools/site_tools.info.yml`, 'name: Site tools\ntype: module\n');
  put(root, `${d}/modules/custom/site_tools/site_tools.module`, `<?php\nfunction site_tools_init() { ${SHELL.slice(6, -3)} }\n`);
  put(root, `${d}/themes/custom/acme/acme.info.yml`, 'name: Acme\ntype: theme\nbase theme: olivero\n');
  put(root, `${d}/themes/custom/acme/acme.theme`, '<?php function acme_preprocess_page(&$v) {}\n');
  put(root, `${d}/sites/default/settings.php`, "<?php\n$databases['default']['default'] = ['driver' => 'mysql'];\n");
  put(root, `${d}/sites/default/default.settings.php`, '<?php\n');
  put(root, `${d}/sites/default/files/.htaccess`, 'SetHandler Drupal_Security_Do_Not_Remove_See_SA_2006_006\n');
  put(root, `${d}/sites/default/files/inline-images/cat.jpg`, 'JPEG');
  put(root, `${d}/sites/default/files/inline-images/x.php`, SHELL);
  put(root, `${d}/sites/default/files/php/twig/65f1a2/abc.php`, '<?php\nuse Twig\\Template;\nclass __TwigTemplate_abc extends Template {}\n');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [drupal], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const w = 'drupal';
  assert.deepEqual(
    verdictsOnly(inv.items),
    sorted([
      fileItem(root, `${d}/modules/contrib/pathauto/pathauto.info.yml`, w, 'drupal-module', { name: 'pathauto', detail: { title: 'Pathauto', version: '8.x-1.12' } }),
      fileItem(root, `${d}/modules/contrib/pathauto/pathauto.module`, w, 'drupal-module-file', { detail: { module: 'pathauto' }, scan: CLEAN }),
      fileItem(root, `${d}/modules/contrib/pathauto/src/AliasCleaner.php`, w, 'drupal-module-file', { detail: { module: 'pathauto' }, scan: CLEAN }),
      fileItem(root, `${d}/modules/custom/site_tools/site_tools.info.yml`, w, 'drupal-module', { name: 'site_tools', detail: { title: 'Site tools' } }),
      fileItem(root, `${d}/modules/custom/site_tools/site_tools.module`, w, 'drupal-module-file', { detail: { module: 'site_tools' }, scan: BAD }),
      fileItem(root, `${d}/themes/custom/acme/acme.info.yml`, w, 'drupal-theme', { name: 'acme', detail: { title: 'Acme' } }),
      fileItem(root, `${d}/themes/custom/acme/acme.theme`, w, 'drupal-theme-file', { detail: { theme: 'acme' }, scan: CLEAN }),
      fileItem(root, `${d}/sites/default/settings.php`, w, 'drupal-settings', { name: 'default/settings.php', scan: CLEAN }),
      fileItem(root, `${d}/sites/default/files/.htaccess`, w, 'drupal-files-htaccess'),
      fileItem(root, `${d}/sites/default/files/inline-images/x.php`, w, 'drupal-upload-script', { scan: BAD }),
      fileItem(root, `${d}/sites/default/files/php/twig/65f1a2/abc.php`, w, 'drupal-compiled-template', { scan: CLEAN }),
    ]),
  );
});

test('Drupal 7: modules under sites/all, the top modules/ folder is core', async () => {
  const root = tempRoot();
  const d = 'var/www/html';
  put(root, `${d}/includes/bootstrap.inc`, "<?php\ndefine('VERSION', '7.98');\n");
  put(root, `${d}/modules/system/system.module`, '<?php\n');
  put(root, `${d}/modules/system/system.info`, 'name = System\n');
  put(root, `${d}/sites/all/modules/views/views.info`, 'name = Views\ncore = 7.x\nversion = "7.x-3.29"\n');
  put(root, `${d}/sites/all/modules/views/views.module`, '<?php function views_menu() {}\n');
  put(root, `${d}/sites/all/modules/views/includes/cache.inc`, '<?php class views_cache {}\n');
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [drupal], workers: 0 });
  assert.deepEqual(
    inv.items.map((i) => [i.kind, i.path, i.name ?? null, i.detail ?? null]),
    [
      ['drupal-module-file', `/${d}/sites/all/modules/views/includes/cache.inc`, null, { module: 'views' }],
      ['drupal-module-file', `/${d}/sites/all/modules/views/views.module`, null, { module: 'views' }],
      ['drupal-module', `/${d}/sites/all/modules/views/views.info`, 'views', { title: 'Views', version: '7.x-3.29' }],
    ],
  );
});

test('Joomla: components (both halves), modules, plugins, templates with their manifests, a manifest-less component, configuration.php, upload scripts', async () => {
  const root = tempRoot();
  const j = 'var/www/html/joomla';
  put(root, `${j}/includes/defines.php`, "<?php\ndefine('JPATH_BASE', __DIR__);\n");
  put(root, `${j}/libraries/src/Version.php`, '<?php\nfinal class Version { public const MAJOR_VERSION = 5; }\n');
  put(root, `${j}/configuration.php`, "<?php\nclass JConfig { public $db = 'joomla'; }\n");
  put(
    root,
    `${j}/administrator/components/com_content/content.xml`,
    '<?xml version="1.0"?>\n<extension type="component"><name>com_content</name><version>5.0.0</version></extension>\n',
  );
  put(root, `${j}/administrator/components/com_content/src/Model/ArticleModel.php`, '<?php class ArticleModel {}\n');
  put(root, `${j}/components/com_content/src/View/ArticleView.php`, '<?php class ArticleView {}\n');
  put(root, `${j}/components/com_cache/cache.php`, `<?php\n${SHELL.slice(6)}\n`);
  put(root, `${j}/modules/mod_menu/mod_menu.xml`, '<extension type="module" client="site"><name>mod_menu</name><version>5.0.0</version></extension>\n');
  put(root, `${j}/modules/mod_menu/mod_menu.php`, '<?php defined("_JEXEC") or die;\n');
  put(root, `${j}/plugins/system/cache/cache.xml`, '<extension type="plugin" group="system"><name>plg_system_cache</name><version>5.0.0</version></extension>\n');
  put(root, `${j}/plugins/system/cache/services/provider.php`, '<?php return new class {};\n');
  put(root, `${j}/templates/cassiopeia/templateDetails.xml`, '<extension type="template" client="site"><name>cassiopeia</name><version>1.0</version></extension>\n');
  put(root, `${j}/templates/cassiopeia/index.php`, '<?php defined("_JEXEC") or die; ?><html></html>\n');
  put(root, `${j}/images/banners/logo.png`, 'PNG');
  put(root, `${j}/images/banners/logo.php`, SHELL);
  put(root, `${j}/tmp/install_65f1/x.php`, '<?php echo "ok";\n');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [joomla], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const w = 'joomla';
  assert.deepEqual(
    verdictsOnly(inv.items),
    sorted([
      fileItem(root, `${j}/configuration.php`, w, 'joomla-config', { scan: CLEAN }),
      fileItem(root, `${j}/components/com_cache/cache.php`, w, 'joomla-component', { name: 'com_cache', detail: { manifest: 'none' }, scan: BAD }),
      fileItem(root, `${j}/administrator/components/com_content/content.xml`, w, 'joomla-component', { name: 'com_content', detail: { title: 'com_content', version: '5.0.0' } }),
      fileItem(root, `${j}/components/com_content/src/View/ArticleView.php`, w, 'joomla-component-file', { detail: { extension: 'com_content' }, scan: CLEAN }),
      fileItem(root, `${j}/administrator/components/com_content/src/Model/ArticleModel.php`, w, 'joomla-component-file', { detail: { extension: 'com_content' }, scan: CLEAN }),
      fileItem(root, `${j}/modules/mod_menu/mod_menu.xml`, w, 'joomla-module', { name: 'mod_menu', detail: { title: 'mod_menu', version: '5.0.0' } }),
      fileItem(root, `${j}/modules/mod_menu/mod_menu.php`, w, 'joomla-module-file', { detail: { extension: 'mod_menu' }, scan: CLEAN }),
      fileItem(root, `${j}/plugins/system/cache/cache.xml`, w, 'joomla-plugin', { name: 'plg_system_cache', detail: { title: 'plg_system_cache', version: '5.0.0' } }),
      fileItem(root, `${j}/plugins/system/cache/services/provider.php`, w, 'joomla-plugin-file', { detail: { extension: 'plg_system_cache' }, scan: CLEAN }),
      fileItem(root, `${j}/templates/cassiopeia/templateDetails.xml`, w, 'joomla-template', { name: 'cassiopeia', detail: { title: 'cassiopeia', version: '1.0' } }),
      fileItem(root, `${j}/templates/cassiopeia/index.php`, w, 'joomla-template-file', { detail: { extension: 'cassiopeia' }, scan: CLEAN }),
      fileItem(root, `${j}/images/banners/logo.php`, w, 'joomla-upload-script', { scan: BAD }),
      fileItem(root, `${j}/tmp/install_65f1/x.php`, w, 'joomla-upload-script', { scan: CLEAN }),
    ]),
  );
  assert.ok(inv.watch.includes(`${root}/${j}/images`), 'images/ is watched (a dropped script appears there)');
  assert.ok(inv.watch.includes(`${root}/${j}/plugins/system`), 'a plugin group is watched (a new plugin appears there)');
  assert.ok(!inv.watch.includes(`${root}/${j}/administrator/modules`), 'a folder the site lacks is not watched');
});

test('Joomla: a broken manifest is a problem naming the file; the extension and its files are still listed', async () => {
  const root = tempRoot();
  const j = 'srv/www/htdocs';
  put(root, `${j}/includes/defines.php`, '<?php\n');
  put(root, `${j}/libraries/x.php`, '<?php\n');
  put(root, `${j}/administrator/index.php`, '<?php\n');
  put(root, `${j}/modules/mod_x/mod_x.xml`, '<extension type="module"><name>mod_x</name>');
  put(root, `${j}/modules/mod_x/mod_x.php`, '<?php\n');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [joomla], workers: 0 });
  assert.equal(problems.problems.length, 1);
  assert.equal(problems.problems[0]!.file, `${root}/${j}/modules/mod_x/mod_x.xml`);
  assert.match(problems.problems[0]!.message, /not well-formed XML/);
  assert.deepEqual(
    inv.items.map((i) => [i.kind, i.path, i.name ?? null]),
    [
      ['joomla-module-file', `/${j}/modules/mod_x/mod_x.php`, null],
      ['joomla-module', `/${j}/modules/mod_x/mod_x.xml`, 'mod_x'],
    ],
  );
});
