/**
 * The site allow-list for the "web tier started a program outside the allow-list" rules
 * (MaxPatrol PT-CR-651 analog) is a Sigma filter that references the rule by name, exactly
 * as rules/README.md documents it: the allow-listed helper goes silent, everything else the
 * web tier starts still fires.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList, formatProblem } from '../../src/errors.js';
import { loadRuleCollection } from '../../src/sigma/collection.js';
import { compileRuleSet } from '../../src/engine/ruleset.js';
import { readEvents } from '../../src/input/read.js';
import { RULES_DIR, fixturePath } from './pack-harness.js';

const SITE_FILTER = `title: Site allow-list - programs our IIS applications start
id: 4d0f4a4e-3f7c-4d35-a3b3-2b6f9f0c3d11
status: experimental
description: The portal renders invoices with wkhtmltopdf and resizes images with magick.
author: Site SOC
date: 2026-11-26
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - warden_win_web_tier_unexpected_child
    allowed:
        Image|endswith:
            - '\\wkhtmltopdf.exe'
            - '\\magick.exe'
    condition: allowed
`;

const EVENTS = `{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WEB02.corp.example.com","TimeCreated":{"#attributes":{"SystemTime":"2024-05-14T11:00:00.000Z"}}},"EventData":{"Image":"C:\\\\Program Files\\\\wkhtmltopdf\\\\bin\\\\wkhtmltopdf.exe","CommandLine":"wkhtmltopdf.exe --quiet C:\\\\inetpub\\\\temp\\\\inv-4411.html C:\\\\inetpub\\\\temp\\\\inv-4411.pdf","ParentImage":"c:\\\\windows\\\\system32\\\\inetsrv\\\\w3wp.exe"}}}
`;

test('a site filter extends the web-tier allow-list', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-allowlist-'));
  try {
    writeFileSync(join(dir, 'site-allowlist.yml'), SITE_FILTER);
    writeFileSync(join(dir, 'events.jsonl'), EVENTS);
    const problems = new ProblemList();
    const pack = loadRuleCollection([RULES_DIR], {}, problems);
    const filters = loadRuleCollection([join(dir, 'site-allowlist.yml')], {}, problems).filters;
    assert.equal(filters.length, 1);
    const rule = pack.rules.find((r) => r.info.name === 'warden_win_web_tier_unexpected_child')!;
    const plain = compileRuleSet([rule], {});
    const filtered = compileRuleSet([rule], { filters });
    const count = async (set: ReturnType<typeof compileRuleSet>, files: string[]): Promise<number> => {
      let n = 0;
      for await (const ev of readEvents(files, {}, problems)) if (set.match(ev).length) n++;
      return n;
    };
    const allowed = [join(dir, 'events.jsonl')];
    const unknownChild = [fixturePath('t1505.003-web-shell/proc_win_web_server_unexpected_child/positive.jsonl')];
    assert.equal(await count(plain, allowed), 1);
    assert.equal(await count(filtered, allowed), 0);
    assert.equal(await count(filtered, unknownChild), 1);
    assert.deepEqual(problems.problems.map(formatProblem), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
