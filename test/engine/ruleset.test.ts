/** RuleSet: logsource routing, aliases, EventID buckets, and the literal prefilter never losing a match. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../sigma/helpers.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { FieldView } from '../../src/event/fields.js';
import { logSourceMatches } from '../../src/event/logsource.js';
import type { Event } from '../../src/event/event.js';
import { sysmon, security, winEvent, otherEvent } from './helpers.js';

const rule = (title: string, logsource: string, detection: string) =>
  `title: ${title}\nlogsource:\n${logsource
    .trim()
    .split('\n')
    .map((l) => '    ' + l.trim())
    .join('\n')}\ndetection:\n${detection
    .trim()
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n')}\n`;

const RULES = [
  rule('proc whoami', 'product: windows\ncategory: process_creation', `sel:\n    Image|endswith: '\\whoami.exe'\ncondition: sel`),
  rule(
    'proc parent w3wp',
    'product: windows\ncategory: process_creation',
    `sel:\n    ParentImage|endswith: '\\w3wp.exe'\n    Image|endswith:\n        - '\\cmd.exe'\n        - '\\powershell.exe'\ncondition: sel`,
  ),
  rule('security 4688 native', 'product: windows\nservice: security', `sel:\n    EventID: 4688\n    NewProcessName|endswith: '\\whoami.exe'\ncondition: sel`),
  rule('security logon type 10', 'product: windows\nservice: security', `sel:\n    EventID: 4624\n    LogonType: 10\ncondition: sel`),
  rule('registry set run key', 'product: windows\ncategory: registry_set', `sel:\n    TargetObject|contains: '\\CurrentVersion\\Run\\'\ncondition: sel`),
  rule('registry any run key', 'product: windows\ncategory: registry_event', `sel:\n    TargetObject|contains: '\\CurrentVersion\\Run\\'\ncondition: sel`),
  rule('keyword mimikatz', 'product: windows', `keywords:\n    - 'sekurlsa::'\n    - 'kerberos::golden'\ncondition: keywords`),
  rule(
    'not filter only',
    'product: windows\ncategory: process_creation',
    `sel:\n    Image|endswith: '.exe'\nfilter:\n    Image|startswith: 'C:\\Windows\\'\ncondition: sel and not filter`,
  ),
  rule('web shell request', 'category: webserver', `sel:\n    cs-uri-stem|endswith: '.aspx'\n    cs-uri-query|contains: 'cmd='\ncondition: sel`),
  rule('auditd execve', 'product: linux\nservice: auditd', `sel:\n    type: EXECVE\n    a0: whoami\ncondition: sel`),
].join('---\n');

function titles(rs: ReturnType<typeof compileRuleSet>, e: Event): string[] {
  return rs.match(e).map((r) => r.info.title);
}

test('rules run only on events of their logsource; categories get their EventIDs', () => {
  const { col, problems } = loadText(RULES);
  assert.deepEqual(problems.problems, []);
  const rs = compileRuleSet(col.rules);
  assert.deepEqual(titles(rs, sysmon(1, { Image: 'C:\\Windows\\System32\\whoami.exe' })), ['proc whoami']);
  // same fields on a network connection event: no process_creation rule runs
  assert.deepEqual(titles(rs, sysmon(3, { Image: 'C:\\Windows\\System32\\whoami.exe' })), []);
  assert.deepEqual(titles(rs, sysmon(1, { Image: 'D:\\tools\\whoami.exe' })), ['proc whoami', 'not filter only']);
  assert.deepEqual(titles(rs, sysmon(13, { TargetObject: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x' })), ['registry set run key', 'registry any run key']);
  assert.deepEqual(titles(rs, sysmon(12, { EventType: 'CreateKey', TargetObject: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x' })), ['registry any run key']);
  assert.deepEqual(titles(rs, otherEvent({ category: 'webserver' }, { 'cs-uri-stem': '/aspnet_client/x.aspx', 'cs-uri-query': 'cmd=whoami' })), ['web shell request']);
  assert.deepEqual(titles(rs, otherEvent({ product: 'linux', service: 'auditd' }, { type: 'EXECVE', a0: 'whoami' })), ['auditd execve']);
  assert.deepEqual(titles(rs, otherEvent({ product: 'linux', service: 'syslog' }, { type: 'EXECVE', a0: 'whoami' })), []);
});

test('Security 4688 serves process_creation rules through field aliases; native names still work', () => {
  const { col } = loadText(RULES);
  const rs = compileRuleSet(col.rules);
  const e = security(4688, { NewProcessName: 'C:\\Windows\\System32\\whoami.exe', ParentProcessName: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', ProcessId: '0x1f0' });
  assert.deepEqual(titles(rs, e), ['proc whoami', 'security 4688 native']);
  const e2 = security(4688, { NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe' });
  assert.deepEqual(titles(rs, e2), ['proc parent w3wp']);
  assert.deepEqual(titles(rs, security(4624, { LogonType: 10 })), ['security logon type 10']);
  assert.deepEqual(titles(rs, security(4625, { LogonType: 10 })), []);
});

test('keyword rules search every value of the event', () => {
  const { col } = loadText(RULES);
  const rs = compileRuleSet(col.rules);
  assert.deepEqual(titles(rs, winEvent({ Channel: 'Application', EventID: 1000, Data: ['x', 'mimikatz # SEKURLSA::logonpasswords'] })), ['keyword mimikatz']);
  assert.deepEqual(titles(rs, winEvent({ Channel: 'Application', EventID: 1000, Message: 'kerberos::golden /user:x' })), ['keyword mimikatz']);
  assert.deepEqual(titles(rs, winEvent({ Channel: 'Application', EventID: 1000, Message: 'kerberos golden' })), []);
});

test('the prefilter and EventID buckets never lose a match (compared with evaluating every rule)', () => {
  // Many rules sharing fields, so the Aho-Corasick path (more than 3 literals per field) is used.
  const words = [
    'whoami',
    'net.exe',
    'Net1',
    'psexec',
    'RUNDLL32',
    'regsvr32',
    'certutil',
    'bitsadmin',
    'mshta',
    'wscript',
    'cscript',
    'schtasks',
    'at.exe',
    'sc.exe',
    'reg.exe',
    'wmic',
  ];
  const docs: string[] = [];
  words.forEach((w, i) => {
    docs.push(rule(`contains ${w}`, 'product: windows\ncategory: process_creation', `sel:\n    CommandLine|contains: '${w}'\ncondition: sel`));
    docs.push(
      rule(
        `endswith ${w}`,
        'product: windows\ncategory: process_creation',
        `sel:\n    Image|endswith: '\\${w}'\n    CommandLine|contains|all:\n        - '${w.slice(0, 3)}'\n        - '${w.slice(-2)}'\ncondition: sel`,
      ),
    );
    docs.push(rule(`exact ${w}`, 'product: windows\ncategory: process_creation', `sel:\n    OriginalFileName: '${w}'\ncondition: sel`));
    docs.push(rule(`security ${w}`, 'product: windows\nservice: security', `sel:\n    EventID: ${4600 + (i % 4)}\n    TargetUserName|contains: '${w}'\ncondition: sel`));
    docs.push(
      rule(
        `wildcard ${w}`,
        'product: windows\ncategory: process_creation',
        `sel:\n    CommandLine: '*${w.slice(0, 2)}*${w.slice(2)}*'\nfilter:\n    User: 'SYSTEM'\ncondition: sel and not filter`,
      ),
    );
  });
  const { col, problems } = loadText(docs.join('---\n'));
  assert.equal(problems.count, 0);
  const rs = compileRuleSet(col.rules);
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const view = new FieldView();
  let compared = 0;
  let matched = 0;
  for (let i = 0; i < 3000; i++) {
    const w = () => words[rnd(words.length)]!;
    const mix = (s: string) => (rnd(2) ? s.toUpperCase() : s);
    const ev =
      rnd(3) === 0
        ? security(4600 + rnd(5), { TargetUserName: `${mix(w())}_${rnd(100)}` })
        : sysmon(1, {
            Image: `C:\\${rnd(2) ? 'Windows' : 'Tools'}\\${mix(w())}`,
            CommandLine: `${mix(w())} /x ${mix(w())} ${rnd(1000)}`,
            OriginalFileName: rnd(2) ? w() : 'other',
            User: rnd(4) ? 'bob' : 'SYSTEM',
          });
    const got = titles(rs, ev);
    const ls = rs.resolveLogSource(ev);
    const want: string[] = [];
    for (const r of rs.rules) {
      if (!logSourceMatches(r.logsource, ls)) continue;
      view.reset(ev.fields);
      if (r.test(view)) want.push(r.info.title);
    }
    assert.deepEqual(got, want, JSON.stringify(ev.fields));
    compared++;
    matched += want.length;
  }
  assert.equal(compared, 3000);
  assert.ok(matched > 2000, `only ${matched} matches: the workload does not exercise the index`);
});
