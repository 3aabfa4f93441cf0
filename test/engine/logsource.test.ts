/** Windows logsource classification, non-Windows logsources, and the user logsource map. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LogSourceResolver, loadLogSourceMap, logSourceMatches, resolveLogSource } from '../../src/event/logsource.js';
import { sysmon, security, winEvent, otherEvent } from './helpers.js';

const brief = (e: Parameters<typeof resolveLogSource>[0]) => {
  const r = resolveLogSource(e);
  return { product: r.product, services: [...r.services], categories: [...r.categories].sort(), eventId: r.eventId };
};

test('Sysmon events: service sysmon and the category of their EventID', () => {
  assert.deepEqual(brief(sysmon(1, {})), { product: 'windows', services: ['sysmon'], categories: ['process_creation'], eventId: '1' });
  assert.deepEqual(brief(sysmon(13, { EventType: 'SetValue' })).categories, ['registry_event', 'registry_set']);
  assert.deepEqual(brief(sysmon(12, { EventType: 'CreateKey' })).categories, ['registry_add', 'registry_event']);
  assert.deepEqual(brief(sysmon(12, { EventType: 'DeleteValue' })).categories, ['registry_delete', 'registry_event']);
  assert.deepEqual(brief(sysmon(14, {})).categories, ['registry_event', 'registry_rename']);
  assert.deepEqual(brief(sysmon(17, {})).categories, ['pipe_created']);
  assert.deepEqual(brief(sysmon(18, {})).categories, ['pipe_created']);
  assert.deepEqual(brief(sysmon(22, {})).categories, ['dns_query']);
  assert.deepEqual(brief(sysmon(23, {})).categories, ['file_delete']);
  assert.deepEqual(brief(sysmon(26, {})).categories, ['file_delete', 'file_delete_detected']);
  assert.deepEqual(brief(sysmon(20, {})).categories, ['wmi_event']);
  assert.deepEqual(brief(sysmon(3, {})).categories, ['network_connection']);
  assert.deepEqual(brief(sysmon(7, {})).categories, ['image_load']);
  assert.deepEqual(brief(sysmon(99, {})).categories, []);
});

test('Security 4688 is process_creation with field aliases; other channels map to services', () => {
  const r = resolveLogSource(security(4688, {}));
  assert.deepEqual([...r.services], ['security']);
  assert.deepEqual([...r.categories], ['process_creation']);
  assert.equal(r.aliases.get('process_creation')?.['Image'], 'NewProcessName');
  assert.equal(r.aliases.get('process_creation')?.['ParentImage'], 'ParentProcessName');
  assert.deepEqual(brief(winEvent({ Channel: 'Microsoft-Windows-PowerShell/Operational', EventID: 4104 })), {
    product: 'windows',
    services: ['powershell'],
    categories: ['ps_script'],
    eventId: '4104',
  });
  assert.deepEqual(brief(winEvent({ Channel: 'PowerShellCore/Operational', EventID: 4103 })).categories, ['ps_module']);
  assert.deepEqual(brief(winEvent({ Channel: 'Windows PowerShell', EventID: 400 })), {
    product: 'windows',
    services: ['powershell-classic'],
    categories: ['ps_classic_start'],
    eventId: '400',
  });
  assert.deepEqual(brief(winEvent({ Channel: 'Microsoft-Windows-Windows Defender/Operational', EventID: 1116 })), {
    product: 'windows',
    services: ['windefend'],
    categories: ['antivirus'],
    eventId: '1116',
  });
  assert.deepEqual(brief(winEvent({ Channel: 'MSExchange Management', EventID: 1 })).services, ['msexchange-management']);
  assert.deepEqual(brief(winEvent({ Channel: 'Microsoft-IIS-Configuration/Operational', EventID: 29 })).services, ['iis-configuration']);
  assert.deepEqual(brief(winEvent({ Channel: 'system', EventID: 7045 })).services, ['system']);
  assert.deepEqual(brief(winEvent({ Channel: 'Microsoft-Windows-AppLocker/EXE and DLL', EventID: 8004 })).services, ['applocker']);
});

test('non-Windows events keep the logsource their decoder set', () => {
  assert.deepEqual(brief(otherEvent({ category: 'webserver' }, {})), { product: undefined, services: [], categories: ['webserver'], eventId: undefined });
  const linux = resolveLogSource(otherEvent({ product: 'linux', service: 'auditd' }, {}));
  assert.equal(logSourceMatches({ product: 'linux', service: 'auditd' }, linux), true);
  assert.equal(logSourceMatches({ product: 'linux' }, linux), true);
  assert.equal(logSourceMatches({ product: 'linux', category: 'process_creation' }, linux), false);
  assert.equal(logSourceMatches({ product: 'windows', service: 'auditd' }, linux), false);
  assert.equal(logSourceMatches({ category: 'webserver' }, resolveLogSource(otherEvent({ category: 'webserver', product: 'apache' }, {}))), true);
});

test('every windows service SigmaHQ rules use has channels', () => {
  const resolver = new LogSourceResolver();
  for (const [svc, channel] of [
    ['taskscheduler', 'Microsoft-Windows-TaskScheduler/Operational'],
    ['wmi', 'Microsoft-Windows-WMI-Activity/Operational'],
    ['dns-server', 'DNS Server'],
    ['ntlm', 'Microsoft-Windows-NTLM/Operational'],
    ['bits-client', 'Microsoft-Windows-Bits-Client/Operational'],
    ['codeintegrity-operational', 'Microsoft-Windows-CodeIntegrity/Operational'],
    ['firewall-as', 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
    ['appxdeployment-server', 'Microsoft-Windows-AppXDeploymentServer/Operational'],
    ['dns-client', 'Microsoft-Windows-DNS Client Events/Operational'],
    ['security-mitigations', 'Microsoft-Windows-Security-Mitigations/Kernel Mode'],
    ['microsoft-servicebus-client', 'Microsoft-ServiceBus-Client/Operational'],
    ['terminalservices-localsessionmanager', 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  ]) {
    assert.ok(resolver.resolve(winEvent({ Channel: channel!, EventID: 1 })).services.includes(svc!), String(svc));
  }
});

test('a user logsource map adds services, categories and field aliases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-lsmap-'));
  try {
    const file = join(dir, 'map.yml');
    writeFileSync(
      file,
      `services:
    my-app: ['MyApp/Operational']
categories:
    - category: process_creation
      providers: ['Microsoft-Windows-Kernel-Process']
      eventids: [1]
      fields: {Image: ImageName}
`,
    );
    const resolver = new LogSourceResolver(loadLogSourceMap(file));
    const app = resolver.resolve(winEvent({ Channel: 'MyApp/Operational', EventID: 5 }));
    assert.deepEqual([...app.services], ['my-app']);
    const kp = resolver.resolve(winEvent({ Channel: 'Microsoft-Windows-Kernel-Process/Analytic', Provider_Name: 'Microsoft-Windows-Kernel-Process', EventID: 1 }));
    assert.deepEqual([...kp.categories], ['process_creation']);
    assert.equal(kp.aliases.get('process_creation')?.['Image'], 'ImageName');
    // built-in tables are still there
    assert.deepEqual([...resolver.resolve(sysmon(1, {})).categories], ['process_creation']);
    writeFileSync(file, 'categories: {oops: 1}\n');
    assert.throws(() => loadLogSourceMap(file), /'categories' must be a list/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a resolver reused across events of changing channels, providers and ids classifies each as a fresh one does', () => {
  const events = [
    sysmon(1, { Image: 'a' }),
    sysmon(13, { EventType: 'SetValue' }),
    sysmon(13, { EventType: 'DeleteKey' }),
    sysmon(1, {}),
    security(4688, {}),
    security(4624, {}),
    winEvent({ Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Other', EventID: 1 }),
    winEvent({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 }),
    sysmon(3, {}),
    winEvent({ Channel: 'Application', Provider_Name: 'Microsoft-Windows-Sysmon', EventID: 3 }),
    otherEvent({ product: 'linux', service: 'auditd' }, { type: 'EXECVE' }),
    otherEvent({ product: 'linux', service: 'syslog' }, { type: 'EXECVE' }),
    sysmon(1, {}),
  ];
  const shared = new LogSourceResolver();
  for (let round = 0; round < 3; round++) {
    for (const e of events) {
      const got = shared.resolve(e);
      const want = new LogSourceResolver().resolve(e);
      assert.deepEqual([got.key, got.categories, got.services], [want.key, want.categories, want.services]);
    }
  }
});
