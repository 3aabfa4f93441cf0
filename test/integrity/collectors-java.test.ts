/** Tomcat, Jenkins, TeamCity, Confluence/Jira collectors over synthetic trees, and `warden inventory` itself. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProblemList } from '../../src/errors.js';
import { atlassian } from '../../src/integrity/collectors/atlassian.js';
import { jenkins } from '../../src/integrity/collectors/jenkins.js';
import { teamcity } from '../../src/integrity/collectors/teamcity.js';
import { tomcat } from '../../src/integrity/collectors/tomcat.js';
import { inventory } from '../../src/integrity/inventory.js';
import { declItem, fileItem, sorted } from './expect.js';
import { cli, put, settle, tempRoot } from './helpers.js';

function tomcatTree(root: string): void {
  put(
    root,
    'opt/tomcat9/conf/server.xml',
    `<Server port="8005" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
  <Service name="Catalina"><Engine name="Catalina" defaultHost="localhost">
    <Host name="localhost" appBase="webapps">
      <Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs" />
      <Valve className="com.evil.ShellValve" />
    </Host>
  </Engine></Service>
</Server>`,
  );
  put(root, 'opt/tomcat9/conf/context.xml', '<Context><WatchedResource>WEB-INF/web.xml</WatchedResource></Context>');
  put(root, 'opt/tomcat9/lib/evil-valve.jar', 'not really a zip');
  put(root, 'opt/tomcat9/webapps/ROOT/index.jsp', '<html/>');
  put(root, 'opt/tomcat9/webapps/ROOT/WEB-INF/web.xml', '<web-app/>');
  put(root, 'opt/tomcat9/webapps/manager.war', 'war bytes');
}

test('Tomcat: config, valves and listeners, lib jars, webapps and their files', async () => {
  const root = tempRoot();
  tomcatTree(root);
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [tomcat], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const srv = '/opt/tomcat9/conf/server.xml';
  const t = 'tomcat';
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'opt/tomcat9/conf/server.xml', t, 'tomcat-config'),
      fileItem(root, 'opt/tomcat9/conf/context.xml', t, 'tomcat-config'),
      declItem('opt/tomcat9/conf/server.xml', t, 'tomcat-listener', {
        name: 'org.apache.catalina.startup.VersionLoggerListener',
        source: srv,
        detail: { className: 'org.apache.catalina.startup.VersionLoggerListener' },
      }),
      declItem('opt/tomcat9/conf/server.xml', t, 'tomcat-valve', {
        name: 'org.apache.catalina.valves.AccessLogValve',
        source: srv,
        detail: { className: 'org.apache.catalina.valves.AccessLogValve' },
      }),
      declItem('opt/tomcat9/conf/server.xml', t, 'tomcat-valve', { name: 'com.evil.ShellValve', source: srv, detail: { className: 'com.evil.ShellValve' } }),
      fileItem(root, 'opt/tomcat9/lib/evil-valve.jar', t, 'tomcat-lib', { signature: { status: 'unsigned', detail: 'not a zip archive' } }),
      declItem('opt/tomcat9/webapps/ROOT', t, 'tomcat-webapp'),
      fileItem(root, 'opt/tomcat9/webapps/manager.war', t, 'tomcat-webapp', { signature: { status: 'unsigned', detail: 'not a zip archive' } }),
      fileItem(root, 'opt/tomcat9/webapps/ROOT/WEB-INF/web.xml', t, 'tomcat-webapp-file'),
      fileItem(root, 'opt/tomcat9/webapps/ROOT/index.jsp', t, 'tomcat-webapp-file'),
    ]),
  );
});

test('Jenkins: plugins with disabled and pinned markers', async () => {
  const root = tempRoot();
  put(root, 'var/lib/jenkins/config.xml', '<hudson/>');
  put(root, 'var/lib/jenkins/plugins/git.jpi', 'PK');
  put(root, 'var/lib/jenkins/plugins/git.jpi.pinned', '');
  put(root, 'var/lib/jenkins/plugins/old.hpi', 'PK');
  put(root, 'var/lib/jenkins/plugins/old.hpi.disabled', '');
  put(root, 'var/lib/jenkins/plugins/git/META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n');
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [jenkins], workers: 0 });
  const sig = { status: 'unsigned', detail: 'not a zip archive' } as const;
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'var/lib/jenkins/plugins/git.jpi', 'jenkins', 'jenkins-plugin', { detail: { plugin: 'git', disabled: 'false', pinned: 'true' }, signature: sig }),
      fileItem(root, 'var/lib/jenkins/plugins/old.hpi', 'jenkins', 'jenkins-plugin', { detail: { plugin: 'old', disabled: 'true', pinned: 'false' }, signature: sig }),
    ]),
  );
  assert.deepEqual(inv.watch, [`${root}/var/lib/jenkins/plugins`]);
});

test('TeamCity: external plugins, what was unpacked from them, bundled plugins', async () => {
  const root = tempRoot();
  put(root, 'root/.BuildServer/config/main-config.xml', '<server/>');
  put(root, 'root/.BuildServer/plugins/slack.zip', 'zip');
  put(root, 'root/.BuildServer/plugins/.unpacked/slack/server/slack.jar', 'jar');
  put(root, 'opt/teamcity/webapps/ROOT/WEB-INF/plugins/svn.zip', 'zip');
  put(root, 'opt/teamcity/webapps/ROOT/WEB-INF/plugins/git/teamcity-plugin.xml', '<teamcity-plugin/>');
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [teamcity], workers: 0 });
  const sig = { status: 'unsigned', detail: 'not a zip archive' } as const;
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'root/.BuildServer/plugins/slack.zip', 'teamcity', 'teamcity-plugin', { signature: sig }),
      fileItem(root, 'root/.BuildServer/plugins/.unpacked/slack/server/slack.jar', 'teamcity', 'teamcity-unpacked-file', { signature: sig }),
      fileItem(root, 'opt/teamcity/webapps/ROOT/WEB-INF/plugins/svn.zip', 'teamcity', 'teamcity-bundled-plugin', { signature: sig }),
      fileItem(root, 'opt/teamcity/webapps/ROOT/WEB-INF/plugins/git/teamcity-plugin.xml', 'teamcity', 'teamcity-bundled-plugin'),
    ]),
  );
});

test('Confluence and Jira: installed, cached and bundled apps, told apart by the home marker', async () => {
  const root = tempRoot();
  put(root, 'var/atlassian/application-data/confluence/confluence.cfg.xml', '<confluence-configuration/>');
  put(root, 'var/atlassian/application-data/confluence/plugins-cache/app.jar', 'jar');
  put(root, 'var/atlassian/application-data/jira/dbconfig.xml', '<jira-database-config/>');
  put(root, 'var/atlassian/application-data/jira/plugins/installed-plugins/tool.jar', 'jar');
  put(root, 'var/atlassian/application-data/jira/plugins/installed-plugins/readme.txt', 'x');
  settle(root);
  const inv = await inventory({ root, problems: new ProblemList(), collectors: [atlassian], workers: 0 });
  const sig = { status: 'unsigned', detail: 'not a zip archive' } as const;
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'var/atlassian/application-data/confluence/plugins-cache/app.jar', 'confluence', 'confluence-cached-plugin', { signature: sig }),
      fileItem(root, 'var/atlassian/application-data/jira/plugins/installed-plugins/tool.jar', 'jira', 'jira-plugin', { signature: sig }),
    ]),
  );
});

test('warden inventory --root --format jsonl prints every item once, in order; table has a header and one line per item', () => {
  const root = tempRoot();
  tomcatTree(root);
  settle(root);
  const r = cli(['inventory', '--root', root, '--format', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 10);
  const kinds = lines.map((l) => (JSON.parse(l) as { kind: string; path: string }).kind);
  assert.deepEqual(kinds, [
    'tomcat-config',
    'tomcat-config',
    'tomcat-lib',
    'tomcat-listener',
    'tomcat-valve',
    'tomcat-valve',
    'tomcat-webapp-file',
    'tomcat-webapp-file',
    'tomcat-webapp',
    'tomcat-webapp',
  ]);
  const t = cli(['inventory', '--root', root]);
  assert.equal(t.status, 0, t.stderr);
  const rows = t.stdout.trim().split('\n');
  assert.match(rows[0]!, /^SERVER\s+KIND\s+NAME\s+SHA256\s+SIGNATURE\s+PATH$/);
  assert.equal(rows.length, 11);
});
