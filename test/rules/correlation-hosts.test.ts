/**
 * The pack's correlations join events from different log formats on the normalized host
 * (`host`: lower-case short name), end to end through `runHunt` with only the built-in pack:
 * IIS W3C `s-computername` WEB01 + Sysmon `Computer` WEB01.corp.example are one machine;
 * the same events split over two machines must not fire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList, formatProblem } from '../../src/errors.js';
import { runHunt } from '../../src/hunt/collect.js';
import type { Detection } from '../../src/event/detection.js';

const UPLOAD_CHAIN = '8d9ca502-5fa0-48a1-a693-713c0f9a362b';
const CREATED_THEN_SHELL = '29a7cbf3-008d-4d08-a5de-ce006171ea08';
const XP_CMDSHELL_CHAIN = '7d5a1851-8ba7-4aae-bc0b-24fecf8dacf9';

/** One record in the evtx_dump JSON layout Warden reads. */
function evtxJson(
  channel: string,
  provider: string,
  eventId: number | { '#attributes': { Qualifiers: number }; '#text': number },
  time: string,
  computer: string,
  data: Record<string, unknown> | unknown[],
  record: number,
): string {
  const eventData = Array.isArray(data) ? { Data: { '#text': data } } : data;
  return JSON.stringify({
    Event: {
      System: {
        Provider: { '#attributes': { Name: provider } },
        EventID: eventId,
        TimeCreated: { '#attributes': { SystemTime: time } },
        EventRecordID: record,
        Channel: channel,
        Computer: computer,
      },
      EventData: eventData,
    },
  });
}

const SYSMON = ['Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon'] as const;

function sysmonFileCreate(computer: string, time: string, target: string): string {
  return evtxJson(...SYSMON, 11, time, computer, { Image: 'c:\\windows\\system32\\inetsrv\\w3wp.exe', TargetFilename: target, User: 'IIS APPPOOL\\DefaultAppPool' }, 101);
}

const W3C_HEAD = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2024-05-14 11:00:00',
  '#Fields: date time s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
];

function w3c(server: string): string {
  return [
    ...W3C_HEAD,
    `2024-05-14 11:05:58 ${server} 10.1.2.20 POST /portal/Upload.aspx - 443 - 45.134.26.9 Mozilla/5.0 https://www.example.com/portal/Upload.aspx 200 0 0 34`,
    `2024-05-14 11:06:40 ${server} 10.1.2.20 GET /portal/uploads/avatar_3812.aspx - 443 - 45.134.26.9 Mozilla/5.0 - 200 0 0 47`,
    '',
  ].join('\n');
}

async function hunt(files: Record<string, string>): Promise<Detection[]> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-corr-hosts-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const problems = new ProblemList();
    const { detections } = await runHunt({ inputs: [dir], rules: { rulePaths: [], builtin: true }, threads: 1 }, problems);
    assert.deepEqual(problems.problems.map(formatProblem), []);
    return detections;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fired = (ds: Detection[], id: string): Detection[] => ds.filter((d) => d.kind === 'correlation' && d.rule.id === id);

test('upload (W3C POST on WEB01) -> script created (Sysmon 11 on WEB01.corp.example) -> first request fires', async () => {
  const ds = await hunt({
    'u_ex240514.log': w3c('WEB01'),
    'sysmon.jsonl': sysmonFileCreate('WEB01.corp.example', '2024-05-14T11:05:59.010Z', 'C:\\inetpub\\wwwroot\\portal\\uploads\\avatar_3812.aspx') + '\n',
  });
  const hits = fired(ds, UPLOAD_CHAIN);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.event.host, 'web01');
  assert.ok(hits[0]!.rule.tags.includes('attack.t1505.003'));
});

test('the same upload chain split over two hosts does not fire', async () => {
  const ds = await hunt({
    'u_ex240514.log': w3c('WEB01'),
    'sysmon.jsonl': sysmonFileCreate('WEB02.corp.example', '2024-05-14T11:05:59.010Z', 'C:\\inetpub\\wwwroot\\portal\\uploads\\avatar_3812.aspx') + '\n',
  });
  assert.equal(fired(ds, UPLOAD_CHAIN).length, 0);
});

function security4688(computer: string, time: string, record: number): string {
  // Security 4688 has no ParentImage: the parent is ParentProcessName (Windows 10 / Server 2016+).
  return evtxJson(
    'Security',
    'Microsoft-Windows-Security-Auditing',
    4688,
    time,
    computer,
    {
      SubjectUserName: 'WEB01$',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd.exe /c "cd /d "C:\\inetpub\\wwwroot\\portal\\uploads\\"&whoami&echo [S]&cd&echo [E]"',
      ParentProcessName: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
      TokenElevationType: '%%1936',
    },
    record,
  );
}

test('script created (Sysmon, FQDN) then w3wp spawns cmd (Security 4688, upper-case short name) fires on one host only', async () => {
  const create = sysmonFileCreate('WEB01.corp.example', '2024-05-14T11:05:59.010Z', 'C:\\inetpub\\wwwroot\\portal\\uploads\\avatar_3812.aspx');
  const same = await hunt({ 'sysmon.jsonl': create + '\n', 'security.jsonl': security4688('WEB01', '2024-05-14T11:07:00.000Z', 7) + '\n' });
  assert.equal(fired(same, CREATED_THEN_SHELL).length, 1);
  const other = await hunt({ 'sysmon.jsonl': create + '\n', 'security.jsonl': security4688('APP07', '2024-05-14T11:07:00.000Z', 7) + '\n' });
  assert.equal(fired(other, CREATED_THEN_SHELL).length, 0);
  // The shell itself is reported on its own either way.
  assert.ok(other.some((d) => d.rule.id !== CREATED_THEN_SHELL && d.rule.tags.includes('attack.t1505.003')));
});

function mssql15457(computer: string, time: string, option: string, from: string, to: string, record: number): string {
  // SQL Server writes sp_configure changes as unnamed Data items: option, old value, new value.
  // Classic event sources write EventID with Qualifiers, as evtx_dump shows them.
  return evtxJson('Application', 'MSSQLSERVER', { '#attributes': { Qualifiers: 16384 }, '#text': 15457 }, time, computer, [option, from, to], record);
}

function mssql33205(computer: string, time: string, record: number): string {
  return evtxJson(
    'Application',
    'MSSQL$SQLEXPRESS',
    { '#attributes': { Qualifiers: 16384 }, '#text': 33205 },
    time,
    computer,
    [
      'audit_schema_version:1\nevent_time:2024-05-14 11:12:00.1234567\nsequence_number:1\naction_id:EX  \nsucceeded:true\n' +
        'session_server_principal_name:sa\nserver_instance_name:SQL01\ndatabase_name:master\nschema_name:sys\nobject_name:xp_cmdshell\n' +
        "statement:EXEC xp_cmdshell 'whoami'\nadditional_information:\n",
    ],
    record,
  );
}

test('xp_cmdshell chain: 15457 show advanced options, 15457 xp_cmdshell 0 -> 1, 33205 EXEC xp_cmdshell on one host', async () => {
  const lines = [
    mssql15457('SQL01.corp.example', '2024-05-14T11:10:00.000Z', 'show advanced options', '0', '1', 1),
    mssql15457('SQL01.corp.example', '2024-05-14T11:10:05.000Z', 'xp_cmdshell', '0', '1', 2),
    mssql33205('SQL01.corp.example', '2024-05-14T11:12:00.000Z', 3),
  ];
  const ds = await hunt({ 'application.jsonl': lines.join('\n') + '\n' });
  assert.equal(fired(ds, XP_CMDSHELL_CHAIN).length, 1);
  const moved = [lines[0], lines[1], mssql33205('SQL02.corp.example', '2024-05-14T11:12:00.000Z', 3)];
  assert.equal(fired(await hunt({ 'application.jsonl': moved.join('\n') + '\n' }), XP_CMDSHELL_CHAIN).length, 0);
});

/** One Sysmon for Linux record as rsyslog forwards it (RFC 5424 header, `<Event>` XML message). */
function sysmonLinux(syslogHost: string, computer: string, time: string, eventId: number, data: Record<string, string>, record: number): string {
  const items = Object.entries(data)
    .map(([k, v]) => `<Data Name="${k}">${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</Data>`)
    .join('');
  return (
    `<14>1 ${time.replace('Z', '+00:00')} ${syslogHost} sysmon - - - <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>` +
    `<EventID>${eventId}</EventID><Version>5</Version><Level>4</Level><Task>${eventId}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
    `<TimeCreated SystemTime="${time}"/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/>` +
    `<Channel>Linux-Sysmon/Operational</Channel><Computer>${computer}</Computer><Security UserId="0"/></System><EventData>${items}</EventData></Event>`
  );
}

test('Linux: php-fpm writes a .php into uploads, then php-fpm spawns a shell, on one host (Sysmon for Linux)', async () => {
  const write = (host: string): string =>
    sysmonLinux(
      host,
      host,
      '2024-05-14T11:29:55.120Z',
      11,
      { Image: '/usr/sbin/php-fpm8.1', TargetFilename: '/var/www/html/wp-content/uploads/2024/05/cache.php', User: 'www-data' },
      1,
    );
  const shell = (host: string): string =>
    sysmonLinux(
      host,
      host,
      '2024-05-14T11:31:02.500Z',
      1,
      {
        Image: '/usr/bin/dash',
        CommandLine: 'sh -c uname -a;id;cat /etc/passwd',
        CurrentDirectory: '/var/www/html/wp-content/uploads/2024/05',
        User: 'www-data',
        ParentImage: '/usr/sbin/php-fpm8.1',
        ParentCommandLine: 'php-fpm: pool www',
      },
      2,
    );
  const same = await hunt({ syslog: [write('web03'), shell('WEB03.corp.example')].join('\n') + '\n' });
  const hits = fired(same, CREATED_THEN_SHELL);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.event.host, 'web03');
  const other = await hunt({ syslog: [write('web03'), shell('web04')].join('\n') + '\n' });
  assert.equal(fired(other, CREATED_THEN_SHELL).length, 0);
});
