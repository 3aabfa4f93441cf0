/**
 * Containers inside a web root: ZIP-family archives (WAR, JAR, EAR, plugin bundles, zip-format
 * PHAR), gzip (`.gz`, `.tgz`) and tar. Each entry is scanned with the same rules as a file
 * (decided by its content, not its extension: `web.xml` can map `*.css` to the JSP engine),
 * bounded in depth, entries and inflated bytes; whatever a cap leaves unscanned is reported as
 * a problem, never dropped silently. An archive found by its end record is opened even with
 * bytes before it (Java opens such a WAR), and an entry whose local header names it
 * differently from the central directory is scanned under both names.
 */
import { createHash } from 'node:crypto';
import { ARCHIVE_EXTS, extensionOf } from './language.js';
import { scanBytes, verdictFor, type FileOutcome, type ScanContext } from './scan-bytes.js';
import { ContainerError, gunzipCapped, isGzip, isTar, readTar, tarChecksumOk } from './tar.js';
import type { Evidence } from './types.js';
import { withReasonIds } from './reason-id.js';
import { ZipError, hasZipDirectory, isZip, localName, readCentralDirectory, readEntry, type ZipLimits } from './zip.js';

export type ContainerKind = 'zip' | 'gzip' | 'tar';

/** Extensions opened as ZIP when a ZIP directory is found anywhere in them (also with a prefix). */
const ZIP_EXTS = new Set([...ARCHIVE_EXTS, 'phar']);

/** What container `buf` is, judged by its content (the extension only widens the ZIP search). */
export function containerKind(ext: string, buf: Buffer): ContainerKind | undefined {
  if (ZIP_EXTS.has(ext) ? hasZipDirectory(buf) : isZip(buf) && ext !== 'class') return 'zip';
  if (isGzip(buf)) return 'gzip';
  // a `.tar` is one even when its first header is damaged (the scan reports it); elsewhere the
  // magic alone is chance unless the header's checksum holds
  if (isTar(buf) && (ext === 'tar' || tarChecksumOk(buf))) return 'tar';
  return undefined;
}

export function scanContainer(kind: ContainerKind, path: string, buf: Buffer, ctx: ScanContext, depth: number, budget: { remaining: number }): FileOutcome[] {
  const self: FileOutcome = { path, bytes: buf.length, analyzed: true, language: 'unknown', problems: [], entry: depth > 0 };
  if (depth >= ctx.limits.maxArchiveDepth + 1) {
    self.analyzed = false;
    self.skipped = `archive nested deeper than ${ctx.limits.maxArchiveDepth}`;
    self.problems.push({ kind: 'scan', file: path, message: `archive nested deeper than ${ctx.limits.maxArchiveDepth}; its entries were not scanned` });
    return [self];
  }
  if (kind === 'zip') return scanZip(self, buf, ctx, depth, budget);
  const out: FileOutcome[] = [self];
  const scanEntry = (name: string, data: Buffer): void => {
    const entryPath = `${path}!/${name}`;
    try {
      for (const o of scanBytes(entryPath, data, ctx, depth + 1, budget)) out.push(o);
    } catch (e) {
      self.problems.push({ kind: 'scan', file: entryPath, message: `scanner failed on this entry: ${(e as Error).message}` });
    }
  };
  try {
    if (kind === 'gzip') {
      const cap = Math.min(ctx.limits.maxFileBytes, budget.remaining);
      const data = gunzipCapped(buf, cap);
      budget.remaining -= data.length;
      const base = path.slice(path.lastIndexOf('/') + 1);
      const inner = extensionOf(path) === 'tgz' ? `${base.slice(0, -4)}.tar` : /\.gz$/i.test(base) ? base.slice(0, -3) : `${base}.data`;
      scanEntry(inner, data);
    } else {
      const { entries, more } = readTar(buf, ctx.limits.maxArchiveEntries);
      for (const e of entries) scanEntry(e.name, e.data);
      if (more > 0) self.problems.push({ kind: 'scan', file: path, message: `${more} more entries past the cap of ${ctx.limits.maxArchiveEntries} were not scanned` });
    }
  } catch (e) {
    self.problems.push({ kind: 'scan', file: path, message: `bad ${kind} data: ${e instanceof ContainerError ? e.message : (e as Error).message}` });
  }
  return out;
}

function scanZip(self: FileOutcome, buf: Buffer, ctx: ScanContext, depth: number, budget: { remaining: number }): FileOutcome[] {
  const path = self.path;
  const out: FileOutcome[] = [self];
  let entries: ReturnType<typeof readCentralDirectory>;
  try {
    entries = readCentralDirectory(buf, ctx.limits.maxArchiveEntries);
  } catch (e) {
    self.problems.push({ kind: 'scan', file: path, message: `bad archive: ${(e as Error).message}` });
    return out;
  }
  if (entries.declared !== undefined)
    self.problems.push({
      kind: 'scan',
      file: path,
      message: `archive declares ${entries.declared} entries; the first ${ctx.limits.maxArchiveEntries} were scanned, ${entries.declared - ctx.limits.maxArchiveEntries} were not (entry cap)`,
    });
  const zl: ZipLimits = { maxEntries: ctx.limits.maxArchiveEntries, inflatedBudget: budget, maxEntryBytes: ctx.limits.maxFileBytes };
  const ext = extensionOf(path);
  const names = entries.map((e) => e.name);
  const isPlugin = /^(?:jpi|hpi|obr)$/.test(ext) || names.some((n) => /(?:^|\/)(?:atlassian-plugin\.xml|teamcity-plugin\.xml|META-INF\/build-server-plugin[^/]*\.xml)$/i.test(n));
  const evidence: Evidence[] = [];
  for (const entry of entries) {
    if (entry.isDirectory) continue;
    // compiled classes are bytecode, never parsed by a server as a page; every other entry is
    // read and judged by its content, whatever its extension says
    if (extensionOf(entry.name) === 'class') continue;
    const entryPath = `${path}!/${entry.name}`;
    let data: Buffer;
    try {
      data = readEntry(buf, entry, zl);
    } catch (e) {
      self.problems.push({ kind: 'scan', file: entryPath, message: e instanceof ZipError ? e.message : `cannot read entry: ${(e as Error).message}` });
      if (budget.remaining <= 0) {
        self.problems.push({ kind: 'scan', file: path, message: 'inflated-bytes cap reached; rest of archive not scanned (zip bomb guard)' });
        break;
      }
      continue;
    }
    // the local header may name the entry differently: a server or tool reading that name
    // would see a script where the directory shows a harmless file
    const local = localName(buf, entry);
    const asNames = local !== undefined && local !== entry.name && !local.endsWith('/') ? [entryPath, `${path}!/${local}`] : [entryPath];
    for (const p of asNames) {
      try {
        for (const o of scanBytes(p, data, ctx, depth + 1, budget)) out.push(o);
      } catch (e) {
        // one entry's failure is that entry's problem; the other entries are still scanned
        self.problems.push({ kind: 'scan', file: p, message: `scanner failed on this entry: ${(e as Error).message}` });
      }
    }
  }
  // the archive itself is a finding when the plugin ships a JSP (also inside its jars) or a descriptor runs a process
  if (isPlugin) {
    const jsp = out.find((o) => o !== self && /\.jspx?$/i.test(o.path));
    if (jsp) evidence.push({ analyzer: 'plugin', reason: `plugin bundle ships a JSP page (${jsp.path.slice(path.length + 2)})`, weight: 6 });
  }
  const entryFindings = out.filter((o) => o !== self && o.finding?.language === 'xml' && o.finding.verdict === 'malicious');
  for (const f of entryFindings) evidence.push({ analyzer: 'plugin', reason: `plugin descriptor ${f.path.slice(path.length + 2)} runs a process on load`, weight: 10 });
  if (evidence.length > 0) {
    const score = evidence.reduce((s, e) => s + e.weight, 0);
    const verdict = verdictFor(score);
    if (verdict !== 'clean')
      self.finding = { path, verdict, score, language: 'unknown', evidence: withReasonIds(evidence), sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
  }
  return out;
}
