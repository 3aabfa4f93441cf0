/**
 * `npm run eval:scan -- [DIR] [--verbose]`: measures the scanner on the labelled corpus
 * unpacked by ../shared/corpus/extract.sh (DIR/manifest.tsv: label sha256 bytes path).
 * Prints, per language and overall: files, detections, TPR on malicious script files,
 * false positives and FP rate on benign files, MB/s. Files labelled malicious that are not
 * server scripts (docs, images without code, compiled sources) are listed, not counted.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { scanBytes, type FileOutcome } from '../src/scan/scan-bytes.js';
import { DEFAULT_LIMITS, verdictRank, type Verdict } from '../src/scan/types.js';
import { extensionOf, isServerExtension } from '../src/scan/language.js';

interface Row {
  label: 'malicious' | 'benign';
  sha256: string;
  bytes: number;
  path: string;
}

/**
 * Files of the malicious folder read by hand and found not to be web shells or other
 * malicious server components (a robots.txt, a 404 page, a defanged copy with its code
 * blanked, a bare phpinfo() call, ...): sha256 -> reason. The headline TPR counts them; the
 * reviewed TPR leaves them out. Kept in bench/corpus-review.tsv so every exclusion is visible.
 */
function loadReview(): Map<string, string> {
  const review = new Map<string, string>();
  const file = new URL('../../bench/corpus-review.tsv', import.meta.url);
  if (!existsSync(file)) return review;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [sha, reason] = line.split('\t');
    if (sha && /^[0-9a-f]{64}$/.test(sha)) review.set(sha, reason ?? '');
  }
  return review;
}

interface Tally {
  files: number;
  bytes: number;
  suspicious: number;
  malicious: number;
}

/**
 * "web": code a web server runs (PHP, ASP, ASP.NET, JSP, CFML by content or extension, and
 * Perl/Python/shell/Node programs that read HTTP/CGI input); "tool": Perl/Python/shell/Node
 * programs with no HTTP/CGI input (attack clients, generators, standalone backdoors);
 * "not-script": no server-side code at all (docs, images, C sources, ...).
 */
function scriptKind(top: FileOutcome, ext: string, buf: Buffer): 'web' | 'tool' | 'not-script' {
  const lang = top.language;
  if (top.analyzed && lang && ['php', 'asp', 'aspx', 'jsp', 'cfml', 'xml', 'unknown'].includes(lang)) return 'web';
  if (top.analyzed && lang) {
    const head = buf.subarray(0, 262144).toString('latin1');
    return /QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH|HTTP_[A-Z_]+|Content-type:|\bCGI\b|cgi\.FieldStorage|\$cgi|->param\s*\(|\bparam\s*\(|flask|django|bottle|http\.createServer|express\s*\(|BaseHTTPRequestHandler|HTTPServer|\breq\.(?:query|body)/i.test(
      head,
    )
      ? 'web'
      : 'tool';
  }
  if (isServerExtension(ext) && !/^(?:pl|pm|py|sh|js|mjs|cjs|cgi|bash)$/.test(ext)) return 'web';
  return /^(?:pl|pm|py|sh|js|mjs|cjs|cgi|bash)$/.test(ext) ? 'tool' : 'not-script';
}

function main(): void {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const dir = args.find((a) => !a.startsWith('--')) ?? '/tmp/warden-corpus';
  const manifest = join(dir, 'manifest.tsv');
  if (!existsSync(manifest)) {
    process.stdout.write(`eval-scan: ${manifest} not found; unpack the corpus with ../shared/corpus/extract.sh ${dir}\n`);
    return;
  }
  const rows: Row[] = readFileSync(manifest, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const [label, sha256, bytes, path] = l.split('\t');
      return { label: label as Row['label'], sha256: sha256 ?? '', bytes: Number(bytes), path: path! };
    });
  const perLang = new Map<string, { mal: Tally; ben: Tally }>();
  const missed: string[] = [];
  const excluded: string[] = [];
  const fps: string[] = [];
  const review = loadReview();
  /** Reviewed non-shells among the malicious script files: how many, and how many were flagged anyway. */
  const reviewed = { files: 0, suspicious: 0, malicious: 0, missed: [] as string[] };
  let secs = 0;
  let bytes = 0;
  const tally = (): Tally => ({ files: 0, bytes: 0, suspicious: 0, malicious: 0 });
  for (const row of rows) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(dir, row.path));
    } catch (e) {
      process.stdout.write(`unreadable ${row.path}: ${(e as Error).message}\n`);
      continue;
    }
    const t0 = process.hrtime.bigint();
    const outs: FileOutcome[] = scanBytes(row.path, buf, { limits: DEFAULT_LIMITS });
    secs += Number(process.hrtime.bigint() - t0) / 1e9;
    bytes += buf.length;
    const top = outs[0]!;
    let best: Verdict = 'clean';
    let bestOut: FileOutcome | undefined;
    for (const o of outs)
      if (o.finding && verdictRank(o.finding.verdict) > verdictRank(best)) {
        best = o.finding.verdict;
        bestOut = o;
      }
    const ext = extensionOf(row.path);
    const kind = scriptKind(top, ext, buf);
    const isScript = kind === 'web';
    const lang = kind === 'web' ? (top.analyzed ? (top.language ?? 'unknown') : `.${ext}`) : kind;
    if (!perLang.has(lang)) perLang.set(lang, { mal: tally(), ben: tally() });
    const t = perLang.get(lang)![row.label === 'malicious' ? 'mal' : 'ben'];
    t.files++;
    t.bytes += buf.length;
    if (best === 'malicious') t.malicious++;
    if (best !== 'clean') t.suspicious++;
    const notShell = row.label === 'malicious' && isScript ? review.get(row.sha256) : undefined;
    if (notShell !== undefined) {
      reviewed.files++;
      if (best !== 'clean') reviewed.suspicious++;
      if (best === 'malicious') reviewed.malicious++;
      if (best === 'clean') reviewed.missed.push(`${row.path}\t${notShell}`);
    }
    if (row.label === 'malicious' && best === 'clean' && notShell === undefined) {
      if (isScript) missed.push(`${row.path}\t${top.skipped ?? 'analyzed, score below threshold'}`);
      else
        excluded.push(
          `${row.path}\t${kind === 'tool' ? `${top.language ?? `.${ext}`} program that reads no HTTP/CGI input (client, generator or standalone tool)` : (top.skipped ?? 'not a server script')}`,
        );
    }
    if (row.label === 'benign' && best !== 'clean' && bestOut?.finding) {
      fps.push(
        `${row.path}\t${best} ${bestOut.finding.score}\t${bestOut.finding.evidence
          .slice(0, 3)
          .map((e) => `${e.reason}${e.line ? ` @${e.line}` : ''}`)
          .join('; ')}`,
      );
    }
  }
  const pct = (a: number, b: number): string => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(2).padStart(6)}%`);
  const out: string[] = [];
  out.push('language      | mal files | det (susp+) | TPR     | det (mal) | TPR(mal) | benign files | FP (susp+) | FP rate | FP (mal) | FP rate(mal)');
  let M = tally();
  let B = tally();
  const sum = (a: Tally, b: Tally): Tally => ({
    files: a.files + b.files,
    bytes: a.bytes + b.bytes,
    suspicious: a.suspicious + b.suspicious,
    malicious: a.malicious + b.malicious,
  });
  for (const [lang, { mal, ben }] of [...perLang].sort((a, b) => b[1].mal.files + b[1].ben.files - (a[1].mal.files + a[1].ben.files))) {
    out.push(
      `${lang.padEnd(13)} | ${String(mal.files).padStart(9)} | ${String(mal.suspicious).padStart(11)} | ${pct(mal.suspicious, mal.files)} | ${String(mal.malicious).padStart(9)} | ${pct(mal.malicious, mal.files)} | ${String(ben.files).padStart(12)} | ${String(ben.suspicious).padStart(10)} | ${pct(ben.suspicious, ben.files)} | ${String(ben.malicious).padStart(8)} | ${pct(ben.malicious, ben.files)}`,
    );
    if (lang !== 'not-script' && lang !== 'tool') M = sum(M, mal);
    B = sum(B, ben);
  }
  out.push('');
  out.push(
    `malicious script files: ${M.files}; detected (suspicious or worse): ${M.suspicious} TPR ${pct(M.suspicious, M.files)}; as malicious: ${M.malicious} TPR ${pct(M.malicious, M.files)}`,
  );
  const R = { files: M.files - reviewed.files, suspicious: M.suspicious - reviewed.suspicious, malicious: M.malicious - reviewed.malicious };
  out.push(
    `reviewed: ${reviewed.files} malicious-labelled script files read by hand and found not to be shells (bench/corpus-review.tsv) left out: ${R.files} files; detected ${R.suspicious} TPR ${pct(R.suspicious, R.files)}; as malicious: ${R.malicious} TPR ${pct(R.malicious, R.files)}`,
  );
  out.push(
    `benign files: ${B.files}; false positives (suspicious or worse): ${B.suspicious} FP rate ${pct(B.suspicious, B.files)}; as malicious: ${B.malicious} FP rate ${pct(B.malicious, B.files)}`,
  );
  out.push(
    `throughput (single thread, analysis only): ${(bytes / 1048576 / secs).toFixed(1)} MB/s over ${(bytes / 1048576).toFixed(1)} MB, ${(rows.length / secs).toFixed(0)} files/s`,
  );
  out.push('');
  out.push(`malicious-labelled files that are not web-server scripts (excluded from TPR; listed as likely mislabelled for a web-shell corpus): ${excluded.length}`);
  for (const e of verbose ? excluded : excluded.slice(0, 40)) out.push(`  ${e}`);
  if (!verbose && excluded.length > 40) out.push(`  ... ${excluded.length - 40} more (--verbose)`);
  out.push(`reviewed as not shells and not flagged: ${reviewed.missed.length}`);
  for (const e of verbose ? reviewed.missed : reviewed.missed.slice(0, 20)) out.push(`  ${e}`);
  if (!verbose && reviewed.missed.length > 20) out.push(`  ... ${reviewed.missed.length - 20} more (--verbose)`);
  out.push(`missed malicious script files (not counting the reviewed ones): ${missed.length}`);
  for (const e of verbose ? missed : missed.slice(0, 60)) out.push(`  ${e}`);
  if (!verbose && missed.length > 60) out.push(`  ... ${missed.length - 60} more (--verbose)`);
  out.push(`benign false positives: ${fps.length}`);
  for (const e of fps.slice(0, verbose ? 1000 : 60)) out.push(`  ${e}`);
  process.stdout.write(out.join('\n') + '\n');
}

main();
