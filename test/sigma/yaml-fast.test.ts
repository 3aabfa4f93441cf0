/** The fast reader of plain rule YAML: the library's exact result where it answers, undefined elsewhere. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSigmaYaml } from '../../src/sigma/yaml-fast.js';
import { keyPos, parseYamlWithLibrary, posOf, type YamlDoc, type YamlMap, type YamlValue } from '../../src/sigma/yaml.js';
import { sharedDir, skipWithoutShared } from '../helpers/shared.js';

/** Every position of a value, as text, in depth-first order (keys in their order). */
function positions(v: YamlValue, out: string[] = []): string[] {
  if (v === null || typeof v !== 'object') return out;
  const p = posOf(v);
  out.push(`self ${p?.line}:${p?.column}`);
  if (Array.isArray(v)) {
    for (const x of v) positions(x, out);
  } else {
    for (const k of Object.keys(v)) {
      const kp = keyPos(v, k);
      out.push(`${JSON.stringify(k)} ${kp?.line}:${kp?.column}`);
      positions((v as YamlMap)[k]!, out);
    }
  }
  return out;
}

function describe(docs: YamlDoc[]): unknown[] {
  return docs.map((d) => ({ value: d.value, pos: d.pos, error: d.error, positions: positions(d.value) }));
}

/** The fast result for `text`, which must exist and equal the library's. */
function same(text: string): YamlValue {
  const fast = parseSigmaYaml(text);
  assert.ok(fast, `the fast reader declined:\n${text}`);
  assert.deepEqual(describe(fast), describe(parseYamlWithLibrary(text)), text);
  return fast[0]!.value;
}

const RULE = `title: Whoami by a web server # trailing comment
id: 8f0b3c4e-0000-4000-8000-000000000001
status: test
description: |
    Detects whoami.
      Indented line kept as written.

    After an empty line: "quotes" and # not a comment.
references:
    - https://example.com/a#frag
    - 'it''s quoted'
author: A. Person, B. Person
date: 2024-01-10
tags:
- attack.t1505.003
- attack.persistence
logsource:
    category: process_creation
    product: windows
detection:
    selection_parent:
        ParentImage|endswith:
            - '\\w3wp.exe'
            - "\\\\httpd.exe"
    selection_img:
        - Image|endswith: '\\whoami.exe'
          OriginalFileName: 'whoami.exe'
        -   CommandLine|contains|all:
              - ' /all'
              - "tab\\tand \\"quote\\""
    filter:
        EventID: 4688
        Level: 1.5
        Code: 0x17
        Zero: 0123
        Exp: 1e3
        Neg: -5
        Flag: true
        Off: False
        Nothing: null
        Tilde: ~
        Empty:
        Quoted: '5'
        'Quoted key': x
        "dq key": y
    condition: all of selection_* and not filter
falsepositives:
    - Unknown
level: high
`;

test('a rule in the plain subset reads exactly as the library reads it', () => {
  const v = same(RULE) as YamlMap;
  assert.equal(v['description'], 'Detects whoami.\n  Indented line kept as written.\n\nAfter an empty line: "quotes" and # not a comment.\n');
  const f = (v['detection'] as YamlMap)['filter'] as YamlMap;
  assert.deepEqual(
    { ...f },
    {
      EventID: 4688,
      Level: 1.5,
      Code: '0x17',
      Zero: '0123',
      Exp: '1e3',
      Neg: -5,
      Flag: true,
      Off: false,
      Nothing: null,
      Tilde: null,
      Empty: null,
      Quoted: '5',
      'Quoted key': 'x',
      'dq key': 'y',
    },
  );
  assert.deepEqual(v['references'], ['https://example.com/a#frag', "it's quoted"]);
});

test('edge cases of the subset match the library', () => {
  same('a: |-\n  no final newline\n  two\nb: 1\n');
  same('a: |\n  x\n\n\nb: 2\n');
  same('a:\n  - |\n    in a list\n  - z\n');
  same('# leading comment\n\n  # indented comment\ntop:\n  k: v   \n');
  same('list:\n- a\n- b: 1\n  c: 2\n- d\nnext: x\n');
  same('k: "a\\\\b \\/ \\0"\n');
  same("k: 'a # not a comment'\n");
  same('k: a#b\n');
  same('k: C:\\Windows\\x.exe\n');
  same('a:\n    b:\n        c: 1\n    d: 2\ne: 3\n');
  same('k: [not a flow at the start]x\n'.replace('[not a flow at the start]', 'x[y]'));
  same('k: v\n# trailing comment only');
  same('k: v');
  same('neg: -x\nnum: -1.5\n');
});

test('text outside the subset is left to the library', () => {
  for (const text of [
    'a: [1, 2]\n',
    'a: {b: 1}\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: >\n  folded\n',
    'a: |+\n  keep\n',
    'a: |2\n  explicit\n',
    'a: plain\n  continued\n',
    'a: "open\n  close"\n',
    "a: 'open\n  close'\n",
    'a: 1\na: 2\n',
    'a: 1\n---\nb: 2\n',
    '---\na: 1\n',
    '%YAML 1.2\n---\na: 1\n',
    'a:\tb\n',
    'a: b\r\n',
    '\ufeffa: b\n',
    'a: b: c\n',
    '1: x\n',
    'true: x\n',
    'null: x\n',
    '1.0: x\n',
    '- - nested\n',
    'a: -\n',
    'a: "\\x41"\n',
    'a:\n  b: 1\n c: 2\n',
    'a: |\n\n  leading empty line\n',
    'a: |\n  ends the file without a newline',
    '',
    '# only a comment\n',
    '  indented: top\n',
    'just a scalar\n',
    'a: 1\n  b: 2\n',
    '? complex\n: key\n',
    '0x10: hex key\n',
    '.inf: x\n',
    '-a: x\n',
    '<<: x\n',
    "a: 'q'#no space before the comment\n",
    '- "q"#c\n',
    'a: b\u0001c\n',
    'a: b\ufeffc\n',
  ]) {
    assert.equal(parseSigmaYaml(text), undefined, JSON.stringify(text));
  }
});

function ruleFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) ruleFiles(p, out);
    else if (/\.ya?ml$/i.test(name)) out.push(p);
  }
  return out;
}

test('every SigmaHQ rule file the fast reader takes reads as the library reads it', { skip: skipWithoutShared('sigma') }, () => {
  const files = ruleFiles(join(sharedDir(), 'sigma'));
  let fast = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const docs = parseSigmaYaml(text);
    if (docs === undefined) continue;
    fast++;
    assert.deepEqual(describe(docs), describe(parseYamlWithLibrary(text)), file);
  }
  // The point of the reader: nearly every real rule file is in the subset.
  assert.ok(fast >= files.length * 0.9, `fast path took ${fast} of ${files.length} files`);
});
