/**
 * Fuzz targets: every input Warden takes from a possibly hostile server — log lines of every
 * text format, JSON, EVTX, Sigma rule files (rules come from users, but a shared rule repository
 * is an input too), and the files and archives the scanner opens. Each target has seed inputs
 * and runs one mutated input through the real code path. A target must finish (any number of
 * problems is fine); an exception escaping it, a hang or runaway memory is a finding.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { prepareRules } from '../../src/engine/rules-setup.js';
import { matchEvents } from '../../src/engine/match.js';
import type { Detection } from '../../src/event/detection.js';
import { formatByName } from '../../src/input/registry.js';
import { LineEvents } from '../../src/input/lines.js';
import { FileSource } from '../../src/input/sources/file.js';
import { scan } from '../../src/scan/scanner.js';
import * as fx from '../input/text/fixtures.js';
import { makeZip } from '../scan/helpers.js';
import { repoRoot, sharedDir } from '../helpers/shared.js';

export interface Target {
  name: string;
  seeds(): Buffer[];
  run(input: Buffer): Promise<void>;
}

const tmp = mkdtempSync(join(tmpdir(), 'warden-fuzz-'));
let serial = 0;

function tempFile(data: Buffer | string, ext = ''): string {
  const p = join(tmp, `in-${process.pid}-${serial++}${ext}`);
  writeFileSync(p, data);
  return p;
}

export function cleanup(): void {
  rmSync(tmp, { recursive: true, force: true });
}

/** A text decoder fed the input's lines directly (no file), as tailing and ingest do. */
function lineTarget(format: string, seeds: string[]): Target {
  return {
    name: `decode:${format}`,
    seeds: () => seeds.map((s) => Buffer.from(s)),
    async run(input) {
      const f = formatByName(format);
      if (f?.kind !== 'line') throw new Error(`no line decoder ${format}`);
      const d = await f.load();
      const lines = new LineEvents(d, { file: 'fuzz', problems: new ProblemList(), maxLineChars: 1 << 20 });
      lines.write(input.toString('utf8'));
      lines.end();
      for (const ev of lines.take()) JSON.stringify(ev);
    },
  };
}

/** Whole files through the reader: format sniffing, gzip, UTF-16, line splitting. */
const readerTarget: Target = {
  name: 'read:any',
  seeds: () => [fx.W3C, fx.ACCESS, fx.AUDITD, fx.SYSLOG, fx.ZEEK_HTTP_TSV, fx.MODSEC_NATIVE, fx.SURICATA_EVE].map((s) => Buffer.from(s)),
  async run(input) {
    const path = tempFile(input);
    try {
      for await (const b of new FileSource(path).batches(new ProblemList())) for (const ev of b.events) JSON.stringify(ev);
    } finally {
      rmSync(path, { force: true });
    }
  },
};

function evtxSeeds(): Buffer[] {
  const dir = join(sharedDir(), 'logs', 'evtx');
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.evtx') && statSync(join(dir, f)).size < 2 << 20)
      .slice(0, 6)
      .map((f) => readFileSync(join(dir, f)));
  } catch {
    return [];
  }
}

const evtxTarget: Target = {
  name: 'read:evtx',
  seeds: evtxSeeds,
  async run(input) {
    const path = tempFile(input, '.evtx');
    try {
      for await (const b of new FileSource(path, { inputFormat: 'evtx' }).batches(new ProblemList())) for (const ev of b.events) JSON.stringify(ev);
    } finally {
      rmSync(path, { force: true });
    }
  },
};

function ruleSeeds(): Buffer[] {
  const out: Buffer[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.yml')) out.push(readFileSync(p));
    }
  };
  walk(join(repoRoot(), 'rules', 'sigma'));
  // Hostile shapes the mutator rarely reaches on its own.
  out.push(
    Buffer.from(
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
    ),
  );
  out.push(Buffer.from("title: t\nlogsource: {product: windows}\ndetection:\n  s: {CommandLine|re: '(a+)+$'}\n  condition: s\n"));
  return out;
}

const HOSTILE_EVENT = {
  fields: { CommandLine: `${'a'.repeat(5000)}!`, Image: 'C:\\Windows\\System32\\cmd.exe', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
  logsource: { product: 'windows', category: 'process_creation' },
  origin: { file: 'fuzz', record: 1, format: 'json' },
};

const rulesTarget: Target = {
  name: 'rules',
  seeds: ruleSeeds,
  async run(input) {
    const path = tempFile(input, '.yml');
    try {
      const prepared = prepareRules({ rulePaths: [path], builtin: false }, new ProblemList());
      const out: Detection[] = [];
      matchEvents(prepared.ruleSet, HOSTILE_EVENT, out);
    } finally {
      rmSync(path, { force: true });
    }
  },
};

function scanSeeds(): Buffer[] {
  const php = '<?php $c = $_POST["c"]; if (isset($c)) { eval(base64_decode($c)); } ?>';
  const jsp = '<%@ page import="java.io.*" %><% Process p = Runtime.getRuntime().exec(request.getParameter("cmd")); %>';
  const asp = '<% Set o = Server.CreateObject("WScript.Shell") : o.Exec(Request("c")) %>';
  // a decoder loop the VBScript interpreter runs (asp-interp.ts): mutations break its blocks and loops
  const aspDecoder =
    '<%\nExecute(D("%119%136%115%126"))\nFunction D(S)\n  S = Split(S, "%")\n  For I = 1 To UBound(S) Step 1\n    If I > 0 Then D = D & Chr(S(I) - 18) Else D = D\n  Next\nEnd Function\n%>';
  return [
    Buffer.from(php),
    Buffer.from(jsp),
    Buffer.from(asp),
    Buffer.from(aspDecoder),
    makeZip([
      { name: 'WEB-INF/web.xml', data: '<web-app><servlet-mapping><url-pattern>*.css</url-pattern></servlet-mapping></web-app>' },
      { name: 'shell.jsp', data: jsp },
    ]),
  ];
}

const scanTarget: Target = {
  name: 'scan',
  seeds: scanSeeds,
  async run(input) {
    const ext = input[0] === 0x50 && input[1] === 0x4b ? '.war' : ['.php', '.jsp', '.asp'][input.length % 3]!;
    const path = tempFile(input, ext);
    try {
      await scan([path], { workers: 0, limits: { maxMillisPerFile: 3000 } });
    } finally {
      rmSync(path, { force: true });
    }
  },
};

export function targets(): Target[] {
  return [
    lineTarget('w3c', [fx.W3C]),
    lineTarget('access', [fx.ACCESS]),
    lineTarget('auditd', [fx.AUDITD, fx.AUDITD_ENRICHED]),
    lineTarget('syslog', [fx.SYSLOG, fx.ESXI]),
    lineTarget('teamcity', [fx.TEAMCITY_ACTIVITIES, fx.TEAMCITY_REST, fx.TEAMCITY_SERVER]),
    lineTarget('jenkins', [fx.JENKINS]),
    lineTarget('zeek', [fx.ZEEK_HTTP_TSV, fx.ZEEK_CONN_JSON]),
    lineTarget('mssql-errorlog', [fx.MSSQL]),
    lineTarget('modsecurity', [fx.MODSEC_NATIVE, fx.MODSEC_JSON]),
    lineTarget('sysmon-linux', [fx.SYSMON_LINUX]),
    lineTarget('mysql', [fx.MYSQL_GENERAL, fx.MYSQL_ERROR]),
    lineTarget('postgresql', [fx.POSTGRESQL, fx.POSTGRESQL_CSV]),
    lineTarget('suricata', [fx.SURICATA_EVE]),
    lineTarget('warden-events', [
      '{"timestamp":"2026-03-02T09:16:05.000Z","host":"WEB01","logsource":{"product":"windows"},"source":{"file":"x","record":1,"format":"json"},"fields":{"EventID":1}}',
    ]),
    lineTarget('json', [fx.ZEEK_CONN_JSON, fx.SURICATA_EVE, readFileSync(join(repoRoot(), 'examples', 'logs', 'web01-sysmon.jsonl'), 'utf8')]),
    readerTarget,
    evtxTarget,
    rulesTarget,
    scanTarget,
  ].filter((t) => t.seeds().length > 0);
}
