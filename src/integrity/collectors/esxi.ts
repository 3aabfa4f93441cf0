/**
 * VMware ESXi: installed VIBs and the host's own startup scripts. VIBs come from two places:
 *
 * - what the user collects from the host (docs/integrity.md), saved under
 *   `<root>/warden-collect/esxi/`: the output of `esxcli software vib list` and, better,
 *   `esxcli software vib signature verify` (the same table with a "Signature Verification"
 *   column), as printed or with `--formatter=csv`;
 * - the image's VIB descriptors (`var/db/esximg/vibs/*.xml`), on a mounted image or a copy.
 *
 * A VIB's acceptance level is its signature: CommunitySupported VIBs need no trusted signature
 * and are `unsigned`; a verification result, when collected, decides (`Succeeded` is signed,
 * `Not signed` unsigned, a failure signed-modified). `etc/rc.local.d/local.sh` and the other
 * scripts there run at every boot: VirtualPita-style backdoors re-install themselves from it.
 */
import { join } from 'node:path';
import { isDir, isFile, listDir } from '../paths.js';
import type { Candidate, CollectContext, Collector, Signature } from '../types.js';
import { readConfig } from './unixconf.js';
import { childText, descendants, readXml } from '../xml.js';

const SERVER = 'esxi';
export const ESXI_EXPORT_DIR = 'warden-collect/esxi';
const DESCRIPTOR_DIR = 'var/db/esximg/vibs';
const RC_LOCAL = 'etc/rc.local.d';

/** Acceptance levels by the short names descriptors use and the long ones esxcli prints. */
const LEVELS: Record<string, string> = {
  certified: 'VMwareCertified',
  vmwarecertified: 'VMwareCertified',
  accepted: 'VMwareAccepted',
  vmwareaccepted: 'VMwareAccepted',
  partner: 'PartnerSupported',
  partnersupported: 'PartnerSupported',
  community: 'CommunitySupported',
  communitysupported: 'CommunitySupported',
};

export function acceptanceLevel(s: string): string {
  return LEVELS[s.replace(/[\s_-]/g, '').toLowerCase()] ?? s.trim();
}

export interface VibRow {
  name: string;
  version: string;
  vendor: string;
  acceptance: string;
  installDate: string;
  /** `Succeeded`, `Not signed`, ... when the row came from `vib signature verify`. */
  verification: string;
  line: number;
}

/** Column keys of esxcli's tables and CSV, by their header without spaces. */
const COLUMNS: Record<string, keyof Omit<VibRow, 'line'>> = {
  name: 'name',
  version: 'version',
  vendor: 'vendor',
  acceptancelevel: 'acceptance',
  installdate: 'installDate',
  signatureverification: 'verification',
};

function row(cells: Record<string, string>, line: number): VibRow | undefined {
  const r: VibRow = { name: '', version: '', vendor: '', acceptance: '', installDate: '', verification: '', line };
  for (const [h, v] of Object.entries(cells)) {
    const k = COLUMNS[h.replace(/\s+/g, '').toLowerCase()];
    if (k) r[k] = v.trim();
  }
  return r.name === '' ? undefined : r;
}

function csvCells(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"]|"")*)"|([^,]*)/g;
  let pos = 0;
  while (pos <= line.length) {
    re.lastIndex = pos;
    const m = re.exec(line)!;
    out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
    pos = re.lastIndex + 1;
  }
  return out;
}

/**
 * The rows of an esxcli table (a header, a line of dashes giving the columns, the rows) or
 * of its CSV form. Lines that fit neither are problems; the other rows are still read.
 */
export function parseVibList(text: string, onProblem: (line: number, message: string) => void): VibRow[] {
  const lines = text.split(/\r?\n/);
  const out: VibRow[] = [];
  const dashes = lines.findIndex((l) => /^-+(?:\s+-+)+\s*$/.test(l));
  if (dashes > 0) {
    const cols: [number, number][] = [];
    for (const m of lines[dashes]!.matchAll(/-+/g)) cols.push([m.index, m.index + m[0].length]);
    const header = lines[dashes - 1]!;
    const names = cols.map(([a], k) => header.slice(a, k + 1 < cols.length ? cols[k + 1]![0] : undefined).trim());
    for (let i = dashes + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.trim() === '') continue;
      const cells: Record<string, string> = {};
      // the last column runs to the end of the line (long values push past the dashes)
      for (let k = 0; k < cols.length; k++) cells[names[k]!] = l.slice(cols[k]![0], k + 1 < cols.length ? cols[k + 1]![0] : undefined);
      const r = row(cells, i + 1);
      if (r) out.push(r);
      else onProblem(i + 1, 'not a VIB row: no name in the first column');
    }
    return out;
  }
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first >= 0 && /(^|,)Name(,|$)/.test(lines[first]!) && lines[first]!.includes(',')) {
    const header = csvCells(lines[first]!);
    for (let i = first + 1; i < lines.length; i++) {
      if (lines[i]!.trim() === '') continue;
      const vals = csvCells(lines[i]!);
      const r = row(Object.fromEntries(header.map((h, k) => [h, vals[k] ?? ''])), i + 1);
      if (r) out.push(r);
      else onProblem(i + 1, 'not a VIB row: no Name');
    }
    return out;
  }
  onProblem(1, 'not esxcli software vib list output: no header with a line of dashes, nor a CSV header with Name');
  return out;
}

/** A VIB's signature from its verification result or, failing that, its acceptance level. */
export function vibSignature(acceptance: string, verification: string): Signature {
  const detail = acceptance;
  const v = verification.toLowerCase();
  if (/^succeeded/.test(v)) return { status: 'signed', detail };
  if (/not signed|unsigned|no signature/.test(v)) return { status: 'unsigned', detail };
  if (v !== '') return { status: 'signed-modified', detail: `${acceptance}; verification: ${verification}` };
  if (acceptance === 'CommunitySupported') return { status: 'unsigned', detail };
  return { status: 'n/a', detail };
}

function vibDetail(r: Pick<VibRow, 'vendor' | 'version' | 'acceptance' | 'installDate' | 'verification'>): Record<string, string> {
  const d: Record<string, string> = { acceptance: r.acceptance, vendor: r.vendor, version: r.version };
  if (r.installDate !== '') d['installDate'] = r.installDate;
  if (r.verification !== '') d['signatureVerification'] = r.verification;
  return d;
}

/** VIBs from the collected esxcli outputs: rows of one VIB in several files are merged. */
function collected(ctx: CollectContext, out: Candidate[]): string[] {
  const dir = join(ctx.root, ESXI_EXPORT_DIR);
  const files = listDir(dir).filter((d) => d.isFile() && /\.(txt|csv|out|log)$/i.test(d.name));
  const vibs = new Map<string, { row: VibRow; file: string }>();
  for (const f of files) {
    const file = join(dir, f.name);
    const text = readConfig(ctx, file);
    if (text === undefined) continue;
    for (const r of parseVibList(text, (line, message) => ctx.problems.report({ kind: 'input', file, line, message }))) {
      const had = vibs.get(r.name);
      if (!had) {
        vibs.set(r.name, { row: { ...r }, file });
        continue;
      }
      for (const k of ['version', 'vendor', 'acceptance', 'installDate', 'verification'] as const) if (had.row[k] === '') had.row[k] = r[k];
    }
  }
  for (const { row: r, file } of [...vibs.values()].sort((a, b) => (a.row.name < b.row.name ? -1 : 1))) {
    const acceptance = acceptanceLevel(r.acceptance);
    const detail = vibDetail({ ...r, acceptance });
    out.push({ kind: 'esxi-vib', server: SERVER, path: file, name: r.name, detail, file: false, signature: 'none', presetSignature: vibSignature(acceptance, r.verification) });
  }
  return files.length > 0 ? [dir] : [];
}

/** VIBs from the image's descriptor database: each descriptor file is the component. */
function descriptors(ctx: CollectContext, out: Candidate[]): string[] {
  const dir = join(ctx.root, DESCRIPTOR_DIR);
  if (!isDir(dir)) return [];
  for (const e of listDir(dir)) {
    if (!e.isFile() || !/\.xml$/i.test(e.name)) continue;
    const file = join(dir, e.name);
    const doc = readXml(ctx, file);
    if (!doc) continue;
    const vib = doc.name === 'vib' ? doc : descendants(doc, 'vib')[0];
    const name = vib ? childText(vib, 'name') : undefined;
    if (!vib || !name) {
      ctx.problems.report({ kind: 'input', file, message: 'not a VIB descriptor: no <vib> with a <name>; skipped' });
      continue;
    }
    const acceptance = acceptanceLevel(childText(vib, 'acceptance-level') ?? childText(vib, 'acceptancelevel') ?? '');
    const detail = vibDetail({ vendor: childText(vib, 'vendor') ?? '', version: childText(vib, 'version') ?? '', acceptance, installDate: '', verification: '' });
    out.push({ kind: 'esxi-vib', server: SERVER, path: file, name, detail, file: true, signature: 'none', presetSignature: vibSignature(acceptance, '') });
  }
  return [dir];
}

export const esxi: Collector = {
  server: SERVER,
  async collect(ctx) {
    const out: Candidate[] = [];
    const watch = [...collected(ctx, out), ...descriptors(ctx, out)];
    const rc = join(ctx.root, RC_LOCAL);
    if (isDir(rc)) {
      watch.push(rc);
      for (const e of listDir(rc)) {
        const p = join(rc, e.name);
        if (!isFile(p)) continue;
        out.push({ kind: e.name === 'local.sh' ? 'esxi-local-sh' : 'esxi-startup-script', server: SERVER, path: p, file: true, signature: 'none', scan: true });
      }
    }
    return { candidates: out, watch };
  },
};
