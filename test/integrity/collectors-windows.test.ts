/** IIS, Exchange, SQL Server and service-DLL collectors over synthetic trees: exact inventories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProblemList } from '../../src/errors.js';
import { exchange } from '../../src/integrity/collectors/exchange.js';
import { iis } from '../../src/integrity/collectors/iis.js';
import { sqlserver } from '../../src/integrity/collectors/sqlserver.js';
import { termservice } from '../../src/integrity/collectors/termservice.js';
import { inventory } from '../../src/integrity/inventory.js';
import { declItem, fileItem, missingItem, sorted } from './expect.js';
import { makePe, put, settle, tempRoot } from './helpers.js';

const APPHOST = 'Windows/System32/inetsrv/config/applicationHost.config';

test('IIS: global modules, managed modules, ISAPI filters, handlers, web roots and their web.config, bin and scripts', async () => {
  const root = tempRoot();
  put(
    root,
    APPHOST,
    `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <!-- sites -->
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/" applicationPool="DefaultAppPool">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
        </application>
        <application path="/api">
          <virtualDirectory path="/" physicalPath="D:\\apps\\api" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
      <add name="UriCacheModule" image="%windir%\\System32\\inetsrv\\cachuri.dll" />
      <add name="EvilModule" image="C:\\Windows\\Temp\\evil.dll" preCondition="bitness64" />
    </globalModules>
    <isapiFilters>
      <filter name="ASP.Net_4.0_64bit" path="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_filter.dll" enabled="true" />
    </isapiFilters>
    <modules>
      <add name="UriCacheModule" />
      <add name="Backdoor" type="Evil.Module, Evil" preCondition="managedHandler" />
    </modules>
    <handlers>
      <add name="ISAPI-dll" path="*.dll" verb="*" modules="IsapiModule" scriptProcessor="%WINDIR%\\SYSTEM32\\INETSRV\\ISAPI.DLL" />
      <add name="PageHandlerFactory-Integrated" path="*.aspx" verb="GET,HEAD,POST" type="System.Web.UI.PageHandlerFactory" />
    </handlers>
  </system.webServer>
</configuration>`,
  );
  put(root, 'Windows/System32/inetsrv/cachuri.dll', makePe('cachuri'));
  put(root, 'Windows/System32/inetsrv/isapi.dll', makePe('isapi'));
  put(root, 'Windows/Microsoft.NET/Framework64/v4.0.30319/aspnet_filter.dll', makePe('filter'));
  put(root, 'inetpub/wwwroot/default.aspx', '<%@ Page Language="C#" %>hello');
  put(root, 'inetpub/wwwroot/logo.png', 'PNG');
  put(root, 'inetpub/wwwroot/web.config', '<configuration><system.webServer><modules><add name="SiteMod" type="Site.Mod, Site" /></modules></system.webServer></configuration>');
  put(root, 'inetpub/wwwroot/bin/Site.dll', makePe('site'));
  put(root, 'apps/api/api.ashx', '<%@ WebHandler Language="C#" Class="H" %>');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [iis], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const src = `/${APPHOST}`;
  const unsigned = { status: 'unsigned' } as const;
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, APPHOST, 'iis', 'iis-config'),
      fileItem(root, 'Windows/System32/inetsrv/cachuri.dll', 'iis', 'iis-global-module', { name: 'UriCacheModule', source: src, signature: unsigned }),
      missingItem('Windows/Temp/evil.dll', 'iis', 'iis-global-module', { name: 'EvilModule', source: src, detail: { preCondition: 'bitness64' } }),
      fileItem(root, 'Windows/Microsoft.NET/Framework64/v4.0.30319/aspnet_filter.dll', 'iis', 'iis-isapi-filter', {
        name: 'ASP.Net_4.0_64bit',
        source: src,
        detail: { enabled: 'true' },
        signature: unsigned,
      }),
      declItem(APPHOST, 'iis', 'iis-managed-module', { name: 'Backdoor', source: src, detail: { type: 'Evil.Module, Evil', preCondition: 'managedHandler' } }),
      fileItem(root, 'Windows/System32/inetsrv/isapi.dll', 'iis', 'iis-handler', {
        name: 'ISAPI-dll',
        source: src,
        detail: { path: '*.dll', verb: '*', modules: 'IsapiModule' },
        signature: unsigned,
      }),
      declItem(APPHOST, 'iis', 'iis-handler', {
        name: 'PageHandlerFactory-Integrated',
        source: src,
        detail: { path: '*.aspx', verb: 'GET,HEAD,POST', type: 'System.Web.UI.PageHandlerFactory' },
      }),
      declItem('inetpub/wwwroot', 'iis', 'iis-web-root', { name: 'Default Web Site/', source: src, detail: { site: 'Default Web Site', application: '/', virtualDirectory: '/' } }),
      declItem('apps/api', 'iis', 'iis-web-root', { name: 'Default Web Site/api', source: src, detail: { site: 'Default Web Site', application: '/api', virtualDirectory: '/' } }),
      declItem('inetpub/wwwroot/web.config', 'iis', 'iis-managed-module', { name: 'SiteMod', source: '/inetpub/wwwroot/web.config', detail: { type: 'Site.Mod, Site' } }),
      fileItem(root, 'inetpub/wwwroot/bin/Site.dll', 'iis', 'iis-bin-assembly', { signature: unsigned }),
      fileItem(root, 'inetpub/wwwroot/default.aspx', 'iis', 'iis-webroot-script'),
      fileItem(root, 'inetpub/wwwroot/web.config', 'iis', 'iis-webroot-script'),
      fileItem(root, 'apps/api/api.ashx', 'iis', 'iis-webroot-script'),
    ]),
  );
});

test('IIS: a broken applicationHost.config is a problem naming file and line; nothing else is lost', async () => {
  const root = tempRoot();
  put(root, APPHOST, '<configuration>\n<system.webServer>\n<globalModules><add name="x" image="a.dll"></globalModules>\n</configuration>');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [iis], workers: 0 });
  assert.deepEqual(
    inv.items.map((i) => i.kind),
    ['iis-config'],
  );
  assert.equal(problems.problems.length, 1);
  assert.equal(problems.problems[0]!.file, `${root}/${APPHOST}`);
  assert.equal(problems.problems[0]!.line, 3);
  assert.match(problems.problems[0]!.message, /not well-formed XML/);
});

test('Exchange: transport agents from agents.config, OWA/ECP auth and aspnet_client scripts', async () => {
  const root = tempRoot();
  const v15 = 'Program Files/Microsoft/Exchange Server/V15';
  put(
    root,
    `${v15}/TransportRoles/Shared/agents.config`,
    `<?xml version="1.0" encoding="utf-8"?>
<configuration><mexRuntime><monitoring/><agentList>
  <agent name="Transport Rule Agent" baseType="Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory" classFactory="Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.TransportRuleAgentFactory" assemblyPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\agents\\Rule\\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll" enabled="true" />
  <agent name="Connectivity" baseType="Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory" classFactory="Security.Interop.Connectivity" assemblyPath="C:\\Windows\\serviceprofiles\\networkservice\\appdata\\Roaming\\Microsoft\\Windows\\msfte.dll" enabled="true" />
</agentList></mexRuntime></configuration>`,
  );
  put(root, `${v15}/TransportRoles/agents/Rule/Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll`, makePe('rule'));
  put(root, 'Windows/ServiceProfiles/NetworkService/AppData/Roaming/Microsoft/Windows/msfte.dll', makePe('lightneuron'));
  put(root, `${v15}/FrontEnd/HttpProxy/owa/auth/logon.aspx`, 'logon');
  put(root, `${v15}/FrontEnd/HttpProxy/owa/auth/errorFE.aspx`, 'shell');
  put(root, `${v15}/FrontEnd/HttpProxy/owa/auth/img/a.gif`, 'GIF');
  put(root, 'inetpub/wwwroot/aspnet_client/system_web/x.aspx', 'shell');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [exchange], workers: 0 });
  assert.deepEqual(problems.problems, []);
  const cfg = `${v15}/TransportRoles/Shared/agents.config`;
  const base = 'Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory';
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, cfg, 'exchange', 'exchange-agents-config'),
      fileItem(root, `${v15}/TransportRoles/agents/Rule/Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll`, 'exchange', 'exchange-transport-agent', {
        name: 'Transport Rule Agent',
        source: `/${cfg}`,
        detail: { baseType: base, classFactory: 'Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.TransportRuleAgentFactory', enabled: 'true' },
        signature: { status: 'unsigned' },
      }),
      fileItem(root, 'Windows/ServiceProfiles/NetworkService/AppData/Roaming/Microsoft/Windows/msfte.dll', 'exchange', 'exchange-transport-agent', {
        name: 'Connectivity',
        source: `/${cfg}`,
        detail: { baseType: base, classFactory: 'Security.Interop.Connectivity', enabled: 'true' },
        signature: { status: 'unsigned' },
      }),
      fileItem(root, `${v15}/FrontEnd/HttpProxy/owa/auth/errorFE.aspx`, 'exchange', 'exchange-web-file'),
      fileItem(root, `${v15}/FrontEnd/HttpProxy/owa/auth/logon.aspx`, 'exchange', 'exchange-web-file'),
      fileItem(root, 'inetpub/wwwroot/aspnet_client/system_web/x.aspx', 'exchange', 'exchange-web-file'),
    ]),
  );
});

test('SQL Server: assemblies with permission sets, startup and extended procedures, risky settings from the documented export', async () => {
  const root = tempRoot();
  const exp = 'warden-collect/sqlserver/MSSQLSERVER.json';
  put(
    root,
    exp,
    JSON.stringify({
      instance: 'MSSQLSERVER',
      assemblies: [
        { database: 'master', name: 'Helper', permission_set: 'UNSAFE_ACCESS', clr_name: 'helper, version=1.0.0.0' },
        { database: 'app', name: 'Utils', permission_set: 'SAFE_ACCESS', clr_name: 'utils, version=2.0.0.0' },
      ],
      startup_procedures: [{ name: 'dbo.sp_persist' }],
      extended_procedures: [{ name: 'xp_evil', dll: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\xpevil.dll' }],
      configurations: [
        { name: 'xp_cmdshell', value_in_use: 1 },
        { name: 'clr enabled', value_in_use: 1 },
        { name: 'max server memory (MB)', value_in_use: 2048 },
      ],
    }),
  );
  put(root, 'warden-collect/sqlserver/broken.json', '{"instance": ');
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [sqlserver], workers: 0 });
  assert.equal(problems.problems.length, 1);
  assert.equal(problems.problems[0]!.file, `${root}/warden-collect/sqlserver/broken.json`);
  const src = `/${exp}`;
  const i = 'MSSQLSERVER';
  assert.deepEqual(
    inv.items,
    sorted([
      declItem(exp, 'sqlserver', 'sqlserver-assembly', {
        name: `${i}/master/Helper`,
        source: src,
        detail: { instance: i, permission_set: 'UNSAFE_ACCESS', clr_name: 'helper, version=1.0.0.0', risky: 'true' },
      }),
      declItem(exp, 'sqlserver', 'sqlserver-assembly', {
        name: `${i}/app/Utils`,
        source: src,
        detail: { instance: i, permission_set: 'SAFE_ACCESS', clr_name: 'utils, version=2.0.0.0' },
      }),
      declItem(exp, 'sqlserver', 'sqlserver-startup-procedure', { name: `${i}/dbo.sp_persist`, source: src, detail: { instance: i } }),
      missingItem('Program Files/Microsoft SQL Server/MSSQL15.MSSQLSERVER/MSSQL/Binn/xpevil.dll', 'sqlserver', 'sqlserver-extended-procedure', {
        name: `${i}/xp_evil`,
        source: src,
        detail: { instance: i, dll: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\xpevil.dll' },
      }),
      declItem(exp, 'sqlserver', 'sqlserver-setting', { name: `${i}/xp_cmdshell`, source: src, detail: { instance: i, value_in_use: '1' } }),
      declItem(exp, 'sqlserver', 'sqlserver-setting', { name: `${i}/clr enabled`, source: src, detail: { instance: i, value_in_use: '1' } }),
    ]),
  );
});

test('service DLLs from a UTF-16 .reg export: TermService replaced, expandable strings decoded, bad lines reported', async () => {
  const root = tempRoot();
  const hex2 = (s: string): string =>
    [...Buffer.from(s + '\0', 'utf16le')]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(',')
      .replace(/((?:[0-9a-f]{2},){24})/g, '$1\\\r\n  ');
  const reg = [
    'Windows Registry Editor Version 5.00',
    '',
    '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters]',
    `"ServiceDll"=hex(2):${hex2('%SystemRoot%\\System32\\rdpcorets.dll')}`,
    '"ServiceDllUnloadOnStop"=dword:00000001',
    '',
    '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters]',
    '"ServiceDll"="C:\\\\Windows\\\\System32\\\\w32time.dll"',
    'garbage line',
    '',
  ].join('\r\n');
  put(root, 'warden-collect/registry/services.reg', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(reg, 'utf16le')]));
  put(root, 'Windows/System32/rdpcorets.dll', makePe('rdp'));
  put(root, 'Windows/System32/w32time.dll', makePe('time'));
  settle(root);
  const problems = new ProblemList();
  const inv = await inventory({ root, problems, collectors: [termservice], workers: 0 });
  assert.deepEqual(
    problems.problems.map((p) => [p.line, p.message]),
    [[11, 'value name is not a quoted string']],
  );
  const src = '/warden-collect/registry/services.reg';
  assert.deepEqual(
    inv.items,
    sorted([
      fileItem(root, 'Windows/System32/rdpcorets.dll', 'windows-services', 'windows-service-dll', {
        name: 'TermService',
        source: src,
        detail: {
          service: 'TermService',
          value: '%SystemRoot%\\System32\\rdpcorets.dll',
          key: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters',
          expected: 'termsrv.dll',
          unexpected: 'true',
        },
        signature: { status: 'unsigned' },
      }),
      fileItem(root, 'Windows/System32/w32time.dll', 'windows-services', 'windows-service-dll', {
        name: 'W32Time',
        source: src,
        detail: { service: 'W32Time', value: 'C:\\Windows\\System32\\w32time.dll', key: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters' },
        signature: { status: 'unsigned' },
      }),
    ]),
  );
});
