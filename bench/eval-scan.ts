/**
 * `npm run eval:scan -- [DIR] [--verbose] [--holdout FILE]`: measures the scanner on the labelled
 * corpus unpacked by ../shared/corpus/extract.sh (DIR/manifest.tsv: label sha256 bytes path).
 * Prints, per language and overall: files, detections, TPR on malicious script files,
 * false positives and FP rate on benign files, MB/s. Files labelled malicious that are not
 * server scripts (docs, images without code, compiled sources) are listed, not counted.
 *
 * With --holdout, the files FILE names (whole source repositories, see bench/holdout.txt) are
 * tallied in a separate held-out table printed next to the in-sample one, and never listed by
 * name: the gap between the two tables says how much of the scanner is tuned to the corpus.
 *
 * With --timeout MS, files get that time budget instead of the product's 5 s: runs that compare
 * builds file by file use one no file reaches, so no score depends on the machine's load.
 *
 * With --dump FILE, every in-sample file's outcome is written to FILE as JSON Lines (path,
 * label, language, verdict, score, evidence ids): the suspicious-only shells and the benign
 * files near the threshold, which the printed lists leave out. Held-out files are never written.
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanBytes, type FileOutcome } from '../src/scan/scan-bytes.js';
import { DEFAULT_LIMITS, verdictRank, type Verdict } from '../src/scan/types.js';
import { extensionOf, isServerExtension } from '../src/scan/language.js';
import { isHeldOut, loadHoldout } from './holdout.js';

interface Row {
  label: 'malicious' | 'benign';
  sha256: string;
  bytes: number;
  path: string;
}

/**
 * Files read by hand whose label is wrong, sha256 -> reason: in the malicious folder, files found
 * not to be web shells or other malicious server components (a robots.txt, a 404 page, a
 * defanged copy with its code blanked, a bare phpinfo() call, ...); in the benign folder, web
 * shells planted in an application's files. The headline TPR and FP count them as labelled; the
 * reviewed figures leave them out. Kept in bench/corpus-review.tsv so every exclusion is visible.
 * Held-out files are never read, so none of them is ever reviewed.
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
  const hIdx = args.indexOf('--holdout');
  const holdoutFile = hIdx >= 0 ? args[hIdx + 1] : undefined;
  if (hIdx >= 0 && !holdoutFile) {
    process.stdout.write('eval-scan: --holdout needs a file (bench/holdout.txt)\n');
    process.exitCode = 2;
    return;
  }
  const holdout = holdoutFile ? loadHoldout(holdoutFile) : [];
  const dIdx = args.indexOf('--dump');
  const dumpFile = dIdx >= 0 ? args[dIdx + 1] : undefined;
  const dumped: string[] = [];
  // --timeout MS: the per-file time budget (default the product's own). A few very large shells
  // need more than 5 s on a loaded machine, so their scores, and only theirs, depend on the load;
  // comparing two builds file by file wants a budget no file reaches (e.g. 120000)
  const tIdx = args.indexOf('--timeout');
  const timeout = tIdx >= 0 ? Number(args[tIdx + 1]) : DEFAULT_LIMITS.maxMillisPerFile;
  if (!(timeout > 0)) throw new Error(`--timeout needs a positive number of milliseconds, not ${args[tIdx + 1] ?? 'nothing'}`);
  const limits = { ...DEFAULT_LIMITS, maxMillisPerFile: timeout };
  const dir = args.find((a, i) => !a.startsWith('--') && !['--holdout', '--dump', '--timeout'].includes(args[i - 1] ?? '')) ?? '/tmp/warden-corpus';
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
  const splits = { 'in-sample': newSplit(), 'held-out': newSplit() };
  const missed: string[] = [];
  const excluded: string[] = [];
  const fps: string[] = [];
  const review = loadReview();
  let secs = 0;
  let bytes = 0;
  for (const row of rows) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(dir, row.path));
    } catch (e) {
      process.stdout.write(`unreadable ${row.path}: ${(e as Error).message}\n`);
      continue;
    }
    const t0 = process.hrtime.bigint();
    const outs: FileOutcome[] = scanBytes(row.path, buf, { limits });
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
    const held = isHeldOut(holdout, row.path, row.sha256);
    const split = splits[held ? 'held-out' : 'in-sample'];
    const ext = extensionOf(row.path);
    const kind = scriptKind(top, ext, buf);
    const isScript = kind === 'web';
    const lang = kind === 'web' ? (top.analyzed ? (top.language ?? 'unknown') : `.${ext}`) : kind;
    if (!split.perLang.has(lang)) split.perLang.set(lang, { mal: tally(), ben: tally(), rev: tally(), brev: tally() });
    const t = split.perLang.get(lang)![row.label === 'malicious' ? 'mal' : 'ben'];
    t.files++;
    t.bytes += buf.length;
    if (best === 'malicious') t.malicious++;
    if (best !== 'clean') t.suspicious++;
    const notShell = row.label === 'malicious' && isScript ? review.get(row.sha256) : undefined;
    if (notShell !== undefined) {
      split.reviewed.files++;
      if (best !== 'clean') split.reviewed.suspicious++;
      if (best === 'malicious') split.reviewed.malicious++;
      const rt = split.perLang.get(lang)!.rev;
      rt.files++;
      if (best !== 'clean') rt.suspicious++;
      if (best === 'malicious') rt.malicious++;
      if (best === 'clean' && !held) split.reviewed.missed.push(`${row.path}\t${notShell}`);
    }
    const shell = row.label === 'benign' ? review.get(row.sha256) : undefined;
    if (shell !== undefined) {
      const bt = split.perLang.get(lang)!.brev;
      bt.files++;
      if (best !== 'clean') bt.suspicious++;
      if (best === 'malicious') bt.malicious++;
    }
    // held-out files are counted, never named: naming them would invite tuning to them
    if (held) continue;
    if (dumpFile)
      dumped.push(
        JSON.stringify({
          path: row.path,
          label: row.label,
          lang,
          verdict: best,
          score: bestOut?.finding?.score ?? 0,
          evidence: bestOut?.finding?.evidence.map((e) => `${e.reason} (${e.weight})${e.line ? ` @${e.line}` : ''}`) ?? [],
        }),
      );
    if (row.label === 'malicious' && best === 'clean' && notShell === undefined) {
      if (isScript) missed.push(`${row.path}\t${top.skipped ?? 'analyzed, score below threshold'}`);
      else
        excluded.push(
          `${row.path}\t${kind === 'tool' ? `${top.language ?? `.${ext}`} program that reads no HTTP/CGI input (client, generator or standalone tool)` : (top.skipped ?? 'not a server script')}`,
        );
    }
    if (row.label === 'benign' && best !== 'clean' && bestOut?.finding) {
      fps.push(
        `${row.path}\t${best} ${bestOut.finding.score}${shell === undefined ? '' : ' [reviewed: a shell]'}\t${bestOut.finding.evidence
          .slice(0, 3)
          .map((e) => `${e.reason}${e.line ? ` @${e.line}` : ''}`)
          .join('; ')}`,
      );
    }
  }
  const out: string[] = [];
  for (const [name, split] of Object.entries(splits)) {
    if (name === 'held-out' && holdout.length === 0) continue;
    out.push(`== ${name}${holdout.length ? ` (${holdoutFile})` : ''} ==`);
    out.push(...splitReport(split));
    out.push('');
  }
  if (holdout.length) {
    // the whole corpus is what check 1 of the scanner's issue is measured on
    const summaryRows = [...Object.entries(splits), ['whole corpus', mergeSplits(splits['in-sample'], splits['held-out'])] as const];
    out.push('summary            | TPR (susp+) | TPR (mal) | reviewed TPR (susp+) | FP (susp+) | FP (mal) | classic-ASP FP (susp+) | classic-ASP FP (mal)');
    for (const [name, split] of summaryRows) {
      const s = summarize(split);
      const asp = split.perLang.get('asp')?.ben ?? tally();
      out.push(
        `${name.padEnd(18)} | ${pct(s.M.suspicious, s.M.files).padStart(11)} | ${pct(s.M.malicious, s.M.files).padStart(9)} | ${pct(s.R.suspicious, s.R.files).padStart(20)} | ${pct(s.B.suspicious, s.B.files).padStart(10)} | ${pct(s.B.malicious, s.B.files).padStart(8)} | ${pct(asp.suspicious, asp.files).padStart(22)} | ${pct(asp.malicious, asp.files).padStart(20)}`,
      );
    }
    // benign-labelled files read by hand and found to be shells (in-sample only) left out
    out.push('reviewed benign     | shells left out | FP (susp+) | FP (mal) | classic-ASP FP (susp+) | classic-ASP FP (mal)');
    for (const [name, split] of summaryRows) {
      const { BR } = summarize(split);
      const asp = split.perLang.get('asp');
      const a = asp ? minus(asp.ben, asp.brev) : tally();
      out.push(
        `${name.padEnd(19)} | ${String(BR.shells).padStart(15)} | ${pct(BR.suspicious, BR.files).padStart(10)} | ${pct(BR.malicious, BR.files).padStart(8)} | ${pct(a.suspicious, a.files).padStart(22)} | ${pct(a.malicious, a.files).padStart(20)}`,
      );
    }
    out.push('');
  }
  out.push(
    `throughput (single thread, analysis only): ${(bytes / 1048576 / secs).toFixed(1)} MB/s over ${(bytes / 1048576).toFixed(1)} MB, ${(rows.length / secs).toFixed(0)} files/s`,
  );
  out.push('');
  out.push(`malicious-labelled files that are not web-server scripts (excluded from TPR; listed as likely mislabelled for a web-shell corpus): ${excluded.length}`);
  for (const e of verbose ? excluded : excluded.slice(0, 40)) out.push(`  ${e}`);
  if (!verbose && excluded.length > 40) out.push(`  ... ${excluded.length - 40} more (--verbose)`);
  const rmissed = splits['in-sample'].reviewed.missed;
  out.push(`reviewed as not shells and not flagged: ${rmissed.length}`);
  for (const e of verbose ? rmissed : rmissed.slice(0, 20)) out.push(`  ${e}`);
  if (!verbose && rmissed.length > 20) out.push(`  ... ${rmissed.length - 20} more (--verbose)`);
  out.push(`missed malicious script files (not counting the reviewed ones): ${missed.length}`);
  for (const e of verbose ? missed : missed.slice(0, 60)) out.push(`  ${e}`);
  if (!verbose && missed.length > 60) out.push(`  ... ${missed.length - 60} more (--verbose)`);
  out.push(`benign false positives: ${fps.length}`);
  for (const e of fps.slice(0, verbose ? 1000 : 60)) out.push(`  ${e}`);
  process.stdout.write(out.join('\n') + '\n');
  if (dumpFile) writeFileSync(dumpFile, dumped.join('\n') + '\n');
}

interface Split {
  /** Per language: malicious-labelled, benign, and the reviewed non-shells among the malicious ones. */
  perLang: Map<string, { mal: Tally; ben: Tally; rev: Tally; brev: Tally }>;
  /** Reviewed non-shells among the malicious script files: how many, and how many were flagged anyway. */
  reviewed: { files: number; suspicious: number; malicious: number; missed: string[] };
}

function newSplit(): Split {
  return { perLang: new Map(), reviewed: { files: 0, suspicious: 0, malicious: 0, missed: [] } };
}

function tally(): Tally {
  return { files: 0, bytes: 0, suspicious: 0, malicious: 0 };
}

function sum(a: Tally, b: Tally): Tally {
  return { files: a.files + b.files, bytes: a.bytes + b.bytes, suspicious: a.suspicious + b.suspicious, malicious: a.malicious + b.malicious };
}

function minus(a: Tally, b: Tally): Tally {
  return { files: a.files - b.files, bytes: a.bytes - b.bytes, suspicious: a.suspicious - b.suspicious, malicious: a.malicious - b.malicious };
}

/** Both splits counted as one (the whole corpus). */
function mergeSplits(a: Split, b: Split): Split {
  const perLang = new Map<string, { mal: Tally; ben: Tally; rev: Tally; brev: Tally }>();
  for (const s of [a, b])
    for (const [lang, t] of s.perLang) {
      const c = perLang.get(lang);
      perLang.set(lang, c ? { mal: sum(c.mal, t.mal), ben: sum(c.ben, t.ben), rev: sum(c.rev, t.rev), brev: sum(c.brev, t.brev) } : { ...t });
    }
  const r = (k: 'files' | 'suspicious' | 'malicious'): number => a.reviewed[k] + b.reviewed[k];
  return { perLang, reviewed: { files: r('files'), suspicious: r('suspicious'), malicious: r('malicious'), missed: [] } };
}

function pct(a: number, b: number): string {
  return b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(2).padStart(6)}%`;
}

/**
 * M: malicious web scripts; R: the same without the reviewed non-shells; B: every benign file;
 * BR: the benign files without the reviewed shells among them (and how many those are).
 */
function summarize(split: Split): { M: Tally; R: Tally; B: Tally; BR: Tally & { shells: number } } {
  let M = tally();
  let B = tally();
  let S = tally();
  for (const [lang, { mal, ben, brev }] of split.perLang) {
    if (lang !== 'not-script' && lang !== 'tool') M = sum(M, mal);
    B = sum(B, ben);
    S = sum(S, brev);
  }
  const r = split.reviewed;
  return {
    M,
    B,
    R: { files: M.files - r.files, bytes: 0, suspicious: M.suspicious - r.suspicious, malicious: M.malicious - r.malicious },
    BR: { ...minus(B, S), shells: S.files },
  };
}

function splitReport(split: Split): string[] {
  const out: string[] = [];
  // the reviewed columns leave out, per language, the malicious-labelled files read by hand and
  // found not to be shells: a language's TPR is otherwise capped by its mislabelled files
  out.push(
    'language      | mal files | det (susp+) | TPR     | det (mal) | TPR(mal) | reviewed TPR | rev TPR(mal) | benign files | FP (susp+) | FP rate | FP (mal) | FP rate(mal)',
  );
  for (const [lang, { mal, ben, rev }] of [...split.perLang].sort((a, b) => b[1].mal.files + b[1].ben.files - (a[1].mal.files + a[1].ben.files))) {
    out.push(
      `${lang.padEnd(13)} | ${String(mal.files).padStart(9)} | ${String(mal.suspicious).padStart(11)} | ${pct(mal.suspicious, mal.files)} | ${String(mal.malicious).padStart(9)} | ${pct(mal.malicious, mal.files)} | ${pct(mal.suspicious - rev.suspicious, mal.files - rev.files).padStart(12)} | ${pct(mal.malicious - rev.malicious, mal.files - rev.files).padStart(12)} | ${String(ben.files).padStart(12)} | ${String(ben.suspicious).padStart(10)} | ${pct(ben.suspicious, ben.files)} | ${String(ben.malicious).padStart(8)} | ${pct(ben.malicious, ben.files)}`,
    );
  }
  const { M, R, B } = summarize(split);
  out.push(
    `malicious script files: ${M.files}; detected (suspicious or worse): ${M.suspicious} TPR ${pct(M.suspicious, M.files)}; as malicious: ${M.malicious} TPR ${pct(M.malicious, M.files)}`,
  );
  out.push(
    `reviewed: ${split.reviewed.files} malicious-labelled script files read by hand and found not to be shells (bench/corpus-review.tsv) left out: ${R.files} files; detected ${R.suspicious} TPR ${pct(R.suspicious, R.files)}; as malicious: ${R.malicious} TPR ${pct(R.malicious, R.files)}`,
  );
  out.push(
    `benign files: ${B.files}; false positives (suspicious or worse): ${B.suspicious} FP rate ${pct(B.suspicious, B.files)}; as malicious: ${B.malicious} FP rate ${pct(B.malicious, B.files)}`,
  );
  return out;
}

main();
