/** Which fields made a rule match (issue 13: the console marks them): and/or/not, aliases, keywords, lists. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../sigma/helpers.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { otherEvent, security, sysmon } from './helpers.js';

const RULES = `title: parent w3wp shell
id: 11111111-0000-4000-8000-000000000001
logsource: { product: windows, category: process_creation }
detection:
  sel:
    ParentImage|endswith: '\\w3wp.exe'
  shell_a:
    Image|endswith: '\\cmd.exe'
  shell_b:
    CommandLine|contains: 'powershell'
  filter:
    User|contains: 'SYSTEM'
  condition: sel and 1 of shell_* and not filter
---
title: keywords
id: 11111111-0000-4000-8000-000000000002
logsource: { product: windows }
detection:
  keywords:
    - 'sekurlsa::'
  condition: keywords
---
title: web request
id: 11111111-0000-4000-8000-000000000003
logsource: { category: webserver }
detection:
  sel:
    cs-uri-query|contains: 'cmd='
    sc-status: [200, 302]
  opt:
    cs-method: POST
  condition: sel or opt
`;

test('the fields of the satisfied parts, in event order; negated parts and failed alternatives name none', () => {
  const { col, problems } = loadText(RULES);
  assert.deepEqual(problems.problems, []);
  const rs = compileRuleSet(col.rules);
  const e = sysmon(1, {
    User: 'IIS APPPOOL\\Default',
    CommandLine: 'cmd.exe /c whoami',
    Image: 'C:\\Windows\\System32\\cmd.exe',
    ParentImage: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    ProcessId: 4242,
  });
  assert.deepEqual(rs.explain('11111111-0000-4000-8000-000000000001', e), ['Image', 'ParentImage']);
  // both alternatives hold: both named
  const both = sysmon(1, { CommandLine: 'powershell -enc AA', Image: 'C:\\x\\cmd.exe', ParentImage: 'C:\\w3wp.exe' });
  assert.deepEqual(rs.explain('11111111-0000-4000-8000-000000000001', both), ['CommandLine', 'Image', 'ParentImage']);
  // the filter holds: no match, nothing to explain
  assert.equal(rs.explain('11111111-0000-4000-8000-000000000001', sysmon(1, { User: 'NT AUTHORITY\\SYSTEM', Image: 'C:\\cmd.exe', ParentImage: 'C:\\w3wp.exe' })), undefined);
  assert.equal(rs.explain('no-such-rule', e), undefined);
});

test("field aliases name the event's own field (Security 4688 NewProcessName for Image); keywords name the fields holding them", () => {
  const { col } = loadText(RULES);
  const rs = compileRuleSet(col.rules);
  const e = security(4688, { NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', SubjectUserName: 'web' });
  assert.deepEqual(rs.explain('11111111-0000-4000-8000-000000000001', e), ['NewProcessName', 'ParentProcessName']);
  const k = security(4688, { CommandLine: 'mimikatz sekurlsa::logonpasswords', ParentProcessName: 'x' });
  assert.deepEqual(rs.explain('11111111-0000-4000-8000-000000000002', k), ['CommandLine']);
  const w = otherEvent({ category: 'webserver' }, { 'cs-method': 'GET', 'cs-uri-query': 'cmd=id', 'sc-status': 200 });
  assert.deepEqual(rs.explain('11111111-0000-4000-8000-000000000003', w), ['cs-uri-query', 'sc-status']);
});
