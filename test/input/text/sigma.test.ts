/**
 * SigmaHQ rules fire through the text decoders: webserver rules on W3C and access logs,
 * linux/auditd rules on raw and ENRICHED audit.log, linux process_creation rules on the
 * execve events derived from audit.log. Uses ../shared/sigma (skipped when absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRuleCollection } from '../../../src/sigma/collection.js';
import { compileRuleSet, type RuleSet } from '../../../src/engine/ruleset.js';
import { ProblemList } from '../../../src/errors.js';
import type { LineDecoder } from '../../../src/input/decoder.js';
import { w3cDecoder } from '../../../src/input/text/w3c.js';
import { accessDecoder } from '../../../src/input/text/access.js';
import { auditdDecoder } from '../../../src/input/text/auditd.js';
import { ACCESS, AUDITD, AUDITD_ENRICHED, W3C } from './fixtures.js';
import { decode } from './run-decoder.js';

// dist/test/input/text -> repo root is four levels up.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const sigma = join(repo, '..', 'shared', 'sigma', 'rules');
const skip = existsSync(sigma) ? false : `SigmaHQ rules not found at ${sigma} (../shared is absent)`;

let ruleSet: RuleSet | undefined;
function rules(): RuleSet {
  if (!ruleSet) {
    const problems = new ProblemList();
    const col = loadRuleCollection([join(sigma, 'web', 'webserver_generic'), join(sigma, 'linux', 'auditd'), join(sigma, 'linux', 'process_creation')], {}, problems);
    assert.ok(col.rules.length > 100, `loaded ${col.rules.length} rules`);
    ruleSet = compileRuleSet(col.rules, {});
  }
  return ruleSet;
}

/** Rule ids that fire on each event decoded from `text`, as "record:category-or-service:ruleId". */
function fired(decoder: LineDecoder, text: string): string[] {
  const rs = rules();
  const out: string[] = [];
  for (const e of decode(decoder, text).events) {
    for (const r of rs.match(e)) out.push(`${e.origin.record}:${e.logsource.category ?? e.logsource.service}:${r.info.id}`);
  }
  return out;
}

const WIN_WEBSHELL_STRINGS = '7ff9db12-1b94-4a79-ba68-a2402c5d6729';
const REGEORG = '2ea44a60-cfda-11ea-87d0-0242ac130003';
const WEB_RCE = 'c0d3734d-330f-4a03-aae2-65dacc6a8222';
const USER_DISCOVERY = '9a0d8ca0-2385-4020-b6c6-cb6153ca56f3';
const MKNOD = '710bdbce-495d-491d-9a8f-7d0d88d2b41e';
const AUDIO_CAPTURE = 'a7af2487-9c2f-42e4-9bb9-ff961f0561d5';
const LINUX_WEBSHELL = '818f7b24-0fba-4c49-a073-8b755573b9c7';

test('SigmaHQ webserver rules fire on W3C (IIS) records', { skip }, () => {
  assert.ok(fired(w3cDecoder, W3C).includes(`5:webserver:${WIN_WEBSHELL_STRINGS}`));
});

test('SigmaHQ webserver rules fire on access-log records (keywords and field nulls)', { skip }, () => {
  const text = `${ACCESS}\n10.1.1.2 - - [10/Jan/2024:10:11:18 +0000] "POST /tunnel.jsp?cmd=disconnect HTTP/1.1" 200 0 "-" "-"`;
  const hits = fired(accessDecoder, text);
  assert.ok(hits.includes(`1:webserver:${WIN_WEBSHELL_STRINGS}`), hits.join(' '));
  assert.ok(hits.includes(`7:webserver:${REGEORG}`), hits.join(' '));
});

test('SigmaHQ auditd rules fire on raw records (translated syscall names, EXECVE args)', { skip }, () => {
  const text = [
    AUDITD,
    'type=SYSCALL msg=audit(1704881490.000:400): arch=c000003e syscall=133 success=yes exit=0 a0=7ffd a1=1180 a2=0 a3=0 items=2 ppid=1001 pid=1003 auid=1001 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4 comm="mkfifo" exe="/usr/bin/mkfifo" key=(null)',
    'type=EOE msg=audit(1704881490.000:400): ',
    'type=SYSCALL msg=audit(1704881491.000:401): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1001 pid=1004 auid=1001 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4 comm="whoami" exe="/usr/bin/whoami" key=(null)',
    'type=EXECVE msg=audit(1704881491.000:401): argc=1 a0="whoami"',
    'type=EOE msg=audit(1704881491.000:401): ',
  ].join('\n');
  const hits = fired(auditdDecoder, text);
  assert.ok(hits.includes(`2:auditd:${WEB_RCE}`), hits.join(' '));
  assert.ok(hits.includes(`14:auditd:${MKNOD}`), hits.join(' '));
  assert.ok(hits.includes(`16:auditd:${USER_DISCOVERY}`), hits.join(' '));
});

test('SigmaHQ auditd rules fire on ENRICHED records', { skip }, () => {
  assert.ok(fired(auditdDecoder, AUDITD_ENRICHED).includes(`1:auditd:${AUDIO_CAPTURE}`));
});

test('SigmaHQ linux process_creation rules fire on execve events derived from auditd', { skip }, () => {
  const text = [
    'type=SYSCALL msg=audit(1704881500.000:500): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2000 auid=4294967295 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="apache2" exe="/usr/sbin/apache2" key=(null)',
    'type=EXECVE msg=audit(1704881500.000:500): argc=3 a0="/usr/sbin/apache2" a1="-k" a2="start"',
    'type=EOE msg=audit(1704881500.000:500): ',
    'type=SYSCALL msg=audit(1704881501.000:501): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=2000 pid=2001 auid=4294967295 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="whoami" exe="/usr/bin/whoami" key=(null)',
    'type=EXECVE msg=audit(1704881501.000:501): argc=1 a0="whoami"',
    'type=EOE msg=audit(1704881501.000:501): ',
  ].join('\n');
  const hits = fired(auditdDecoder, text);
  assert.ok(hits.includes(`4:process_creation:${LINUX_WEBSHELL}`), hits.join(' '));
});
