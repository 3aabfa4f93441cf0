import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readAll } from '../helpers/events.js';
import { winEventToEvent } from '../../src/input/winevent.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-json-'));
function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const evtxRecord = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '54849625-5478-4994-A5BA-3E3B0328C30D' } },
      EventID: 4688,
      Version: 2,
      Level: 0,
      Task: 13312,
      Opcode: 0,
      Keywords: '0x8020000000000000',
      TimeCreated: { '#attributes': { SystemTime: '2026-03-02T09:16:05.871234Z' } },
      EventRecordID: 88123,
      Correlation: null,
      Execution: { '#attributes': { ProcessID: 4, ThreadID: 7664 } },
      Channel: 'Security',
      Computer: 'WEB01.corp.example',
      Security: null,
    },
    EventData: {
      SubjectUserSid: 'S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd.exe /c whoami',
      ParentProcessName: 'c:\\windows\\system32\\inetsrv\\w3wp.exe',
    },
  },
};

test('EVTX-JSON layout is flattened the way Sigma rules address fields', () => {
  const ev = winEventToEvent(evtxRecord, { file: 'x.json', record: 1, format: 'json' });
  assert.deepEqual(ev, {
    fields: {
      Provider_Name: 'Microsoft-Windows-Security-Auditing',
      Provider_Guid: '54849625-5478-4994-A5BA-3E3B0328C30D',
      EventID: 4688,
      Version: 2,
      Level: 0,
      Task: 13312,
      Opcode: 0,
      Keywords: '0x8020000000000000',
      TimeCreated_SystemTime: '2026-03-02T09:16:05.871234Z',
      EventRecordID: 88123,
      Execution_ProcessID: 4,
      Execution_ThreadID: 7664,
      Channel: 'Security',
      Computer: 'WEB01.corp.example',
      SubjectUserSid: 'S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd.exe /c whoami',
      ParentProcessName: 'c:\\windows\\system32\\inetsrv\\w3wp.exe',
    },
    logsource: { product: 'windows' },
    origin: { file: 'x.json', record: 1, format: 'json' },
    host: 'WEB01.corp.example',
    timestamp: Date.UTC(2026, 2, 2, 9, 16, 5, 871),
  });
});

test('EventID with qualifiers, unnamed Data items and UserData', () => {
  const ev = winEventToEvent(
    {
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'MSSQLSERVER', EventSourceName: 'MSSQLSERVER' } },
          EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 15457 },
          Channel: 'Application',
          Computer: 'SQL01',
          TimeCreated: { '#attributes': { SystemTime: '2026-01-01T00:00:00Z' } },
        },
        EventData: { Data: ['xp_cmdshell', '0', '1'], Binary: '6141000010000000' },
      },
    },
    { file: 'a.json', record: 3, format: 'json' },
  );
  assert.equal(ev.fields.EventID, 15457);
  assert.equal(ev.fields.EventID_Qualifiers, 16384);
  assert.equal(ev.fields.Provider_EventSourceName, 'MSSQLSERVER');
  assert.deepEqual(ev.fields.Data, ['xp_cmdshell', '0', '1']);
  assert.equal(ev.fields.Binary, '6141000010000000');

  const ud = winEventToEvent(
    {
      Event: {
        System: { EventID: 1102, Channel: 'Security', Computer: 'DC1' },
        UserData: {
          LogFileCleared: {
            '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
            SubjectUserSid: 'S-1-5-21-1',
            SubjectUserName: 'admin',
          },
        },
      },
    },
    { file: 'b.json', record: 1, format: 'json' },
  );
  assert.deepEqual(ud.fields, { EventID: 1102, Channel: 'Security', Computer: 'DC1', SubjectUserSid: 'S-1-5-21-1', SubjectUserName: 'admin' });
});

test('Winlogbeat and flat SIEM layouts', () => {
  const wl = winEventToEvent(
    {
      '@timestamp': '2026-03-02T09:16:05.871Z',
      message: 'A new process has been created.',
      winlog: {
        channel: 'Security',
        event_id: '4688',
        computer_name: 'WEB01',
        provider_name: 'Microsoft-Windows-Security-Auditing',
        event_data: { NewProcessName: 'C:\\Windows\\System32\\cmd.exe' },
      },
    },
    { file: 'w.json', record: 1, format: 'json' },
  );
  assert.equal(wl.fields.Channel, 'Security');
  assert.equal(wl.fields.EventID, 4688);
  assert.equal(wl.fields.Computer, 'WEB01');
  assert.equal(wl.fields.NewProcessName, 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(wl.fields.Message, 'A new process has been created.');
  assert.equal(wl.fields['winlog.event_data.NewProcessName'], 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(wl.timestamp, Date.UTC(2026, 2, 2, 9, 16, 5, 871));
  assert.deepEqual(wl.logsource, { product: 'windows' });

  const flat = winEventToEvent({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\x.exe', Computer: 'H' }, { file: 'f.json', record: 2, format: 'json' });
  assert.deepEqual(flat.fields, { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\x.exe', Computer: 'H' });
  assert.equal(flat.host, 'H');

  const other = winEventToEvent({ user: { name: 'bob' }, action: 'login' }, { file: 'o.json', record: 1, format: 'json' });
  assert.deepEqual(other.fields, { 'user.name': 'bob', action: 'login' });
  assert.deepEqual(other.logsource, {});
});

const a = { Channel: 'Security', EventID: 4624, Computer: 'A' };
const b = { Channel: 'Security', EventID: 4625, Computer: 'B' };

test('JSON Lines, array, single object, and concatenated pretty objects give the same events', async () => {
  const shapes: Record<string, string> = {
    'lines.jsonl': `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`,
    'array.json': JSON.stringify([a, b]),
    'array-pretty.json': JSON.stringify([a, b], null, 2),
    'concat.json': `${JSON.stringify(a, null, 2)}\n${JSON.stringify(b, null, 2)}\n`,
    'crlf.jsonl': `${JSON.stringify(a)}\r\n${JSON.stringify(b)}\r\n`,
  };
  for (const [name, content] of Object.entries(shapes)) {
    const { events, problems } = await readAll([file(name, content)]);
    assert.equal(problems.count, 0, `${name}: ${JSON.stringify(problems.problems)}`);
    assert.deepEqual(
      events.map((e) => e.fields),
      [a, b],
      name,
    );
  }
  const single = await readAll([file('single.json', JSON.stringify(a, null, 4))]);
  assert.deepEqual(
    single.events.map((e) => e.fields),
    [a],
  );
  assert.equal(single.events[0]!.origin.record, 1);
});

test('record numbers are the line where each object starts', async () => {
  const p = file('lines2.json', `${JSON.stringify(a, null, 2)}\n${JSON.stringify(b, null, 2)}\n`);
  const { events } = await readAll([p]);
  assert.deepEqual(
    events.map((e) => e.origin.record),
    [1, 6],
  );
});

test('malformed records are reported with file and line and the rest is read', async () => {
  const p = file('bad.jsonl', `${JSON.stringify(a)}\n{"Channel": "Security", "EventID": \n${JSON.stringify(b)}\nnot json at all\n"a string"\n`);
  const { events, problems } = await readAll([p]);
  assert.deepEqual(
    events.map((e) => e.fields.EventID),
    [4624, 4625],
  );
  // line 2 opens an object that swallows line 3 until it fails to parse
  assert.ok(problems.problems.every((x) => x.file === p));
  assert.ok(
    problems.problems.some((x) => x.line === 4),
    JSON.stringify(problems.problems),
  );
  assert.ok(problems.count >= 2);
});

test('a malformed line never swallows later good records', async () => {
  const p = file('bad2.jsonl', `${JSON.stringify(a)}\n{"broken": tru}\n${JSON.stringify(b)}\n`);
  const { events, problems } = await readAll([p]);
  assert.deepEqual(
    events.map((e) => e.fields.EventID),
    [4624, 4625],
  );
  assert.deepEqual(
    problems.problems.map((x) => [x.line, x.message.startsWith('malformed JSON record')]),
    [[2, true]],
  );
});

test('truncated input is reported at the line where the object starts', async () => {
  const p = file('trunc.json', `${JSON.stringify(a)}\n{"Channel": "Security",\n "EventID": 1`);
  const { events, problems } = await readAll([p]);
  assert.equal(events.length, 1);
  assert.equal(problems.count, 1);
  assert.equal(problems.problems[0]!.line, 2);
  assert.match(problems.problems[0]!.message, /truncated/);
});

test('gzip, UTF-8 BOM and UTF-16 files are decoded transparently', async () => {
  const text = `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`;
  const gz = file('z.jsonl.gz', gzipSync(Buffer.from(text)));
  const bom = file('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
  const u16 = file('u16.jsonl', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const u16nobom = file('u16n.jsonl', Buffer.from(text, 'utf16le'));
  const be = Buffer.from(text, 'utf16le');
  be.swap16();
  const u16be = file('u16be.jsonl', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
  for (const p of [gz, bom, u16, u16nobom, u16be]) {
    const { events, problems } = await readAll([p]);
    assert.equal(problems.count, 0, p);
    assert.deepEqual(
      events.map((e) => e.fields),
      [a, b],
      p,
    );
  }
});

test('folders are walked in order; unrecognized files in folders are skipped quietly, named ones are errors', async () => {
  const sub = join(dir, 'walk');
  mkdirSync(join(sub, 'inner'), { recursive: true });
  writeFileSync(join(sub, 'b.jsonl'), JSON.stringify(b) + '\n');
  writeFileSync(join(sub, 'inner', 'a.jsonl'), JSON.stringify(a) + '\n');
  writeFileSync(join(sub, 'notes.bin'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7]));
  const skipped: string[] = [];
  const res = await readAll([sub], { onSkip: (p) => skipped.push(p) });
  assert.deepEqual(
    res.events.map((e) => e.fields.Computer),
    ['B', 'A'],
  );
  assert.equal(res.problems.count, 0);
  assert.deepEqual(skipped, [join(sub, 'notes.bin')]);
  const named = await readAll([join(sub, 'notes.bin'), join(dir, 'does-not-exist.json')]);
  assert.equal(named.problems.count, 2);
});

test('lines longer than the cap are reported and skipped', async () => {
  const long = '{"x":"' + 'A'.repeat(3000) + '"}';
  const p = file('long.jsonl', `${JSON.stringify(a)}\n${long}\n${JSON.stringify(b)}\n`);
  const { events, problems } = await readAll([p], { maxLineChars: 1000 });
  assert.deepEqual(
    events.map((e) => e.fields.EventID),
    [4624, 4625],
  );
  assert.equal(problems.count, 1);
  assert.equal(problems.problems[0]!.line, 2);
});
