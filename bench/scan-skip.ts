/**
 * `npm run bench -- scan-skip`: how much analysis CPU a whole-file fast path (decide cheaply
 * that a file cannot produce any finding, and skip the analyzers for it) could save on the
 * benign corpus, by language. Written to answer whether such a gate can make the scanner
 * markedly faster before anyone builds one.
 *
 * - analysis CPU: analyzeText of each analyzed file, what a gate in front of it would skip;
 * - quiet: the files whose full analysis yields no evidence at any weight and no note. A sound
 *   gate skips only quiet files, so their CPU bounds what any gate can save;
 * - word-free: the quiet files that also hold none of the triggers below (a word, or words that
 *   must come together). Each is first checked to make the analyzers report a one-line example
 *   holding no other trigger, so a gate that decides by words must let every file holding one
 *   through: their CPU bounds what a word gate saves (a sound one needs many more triggers
 *   than these: obfuscation shapes, writers, sockets, family signatures; it saves less).
 *
 * Held-out files (bench/holdout.txt) are left out. One thread, CPU time of this process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/scan/analyze.js';
import { scanBytes } from '../src/scan/scan-bytes.js';
import { bytesToText } from '../src/scan/text.js';
import { DEFAULT_LIMITS, type Language } from '../src/scan/types.js';
import { isHeldOut, loadHoldout } from './holdout.js';
import { REPO } from './shared-data.js';

export interface Trigger {
  language: Language;
  /** All of them in a file make it one the gate must let through. */
  words: RegExp[];
  /** A one-line file holding the words that the analyzers report on. */
  example: string;
}

const PHP_CALLS = ['eval', 'assert', 'exec', 'shell_exec', 'system', 'passthru', 'popen', 'proc_open', 'create_function'];
/** Request input: with it, most file, network and callback functions become findings. */
const PHP_REQUEST = /\$_(?:GET|POST|REQUEST|COOKIE|FILES)\b/;
const PHP_WITH_REQUEST: Array<[RegExp, string]> = [
  [/\$\w+\s*\(/, "$f = $_GET['f']; $f($x);"],
  [/call_user_func/i, "call_user_func($_GET['f'], $x);"],
  [/array_map/i, "array_map($_POST['f'], [1]);"],
  [/file_put_contents/i, "file_put_contents('x.php', $_POST['a']);"],
  [/move_uploaded_file/i, "move_uploaded_file($_FILES['f']['tmp_name'], $_FILES['f']['name']);"],
  [/fopen/i, "$h = fopen($_GET['f'], 'w'); fwrite($h, $_POST['d']);"],
  [/\bmail\s*\(/i, "mail($_POST['to'], $_POST['s'], $_POST['b']);"],
  [/readfile/i, "readfile($_GET['f']);"],
  [/file_get_contents/i, "echo file_get_contents($_GET['u']);"],
  [/unserialize/i, "$o = unserialize($_COOKIE['x']);"],
  [/\bextract\s*\(/i, 'extract($_REQUEST);'],
  [/curl_exec/i, "$c = curl_init($_GET['u']); curl_exec($c);"],
  [/fsockopen/i, "$s = fsockopen($_GET['h'], 80);"],
  [/\bunlink\s*\(/i, "unlink($_GET['f']);"],
  [/\bcopy\s*\(/i, "copy($_GET['a'], $_GET['b']);"],
  [/\brename\s*\(/i, "rename($_GET['a'], $_GET['b']);"],
  [/\bchmod\s*\(/i, "chmod($_GET['f'], 0777);"],
  [/scandir/i, "$d = scandir($_GET['d']);"],
  [/opendir/i, "$d = opendir($_GET['d']);"],
  [/\bmd5\s*\(/i, "if (md5($_POST['p']) == '0cc175b9c0f1b6a831c399e269772661') { echo 1; }"],
];

export const TRIGGERS: Trigger[] = [
  ...PHP_CALLS.map((name): Trigger => ({ language: 'php', words: [new RegExp(`(?<![\\w>:$])${name}\\s*\\(`, 'i')], example: `<?php ${name}($x);` })),
  ...PHP_WITH_REQUEST.map(([word, code]): Trigger => ({ language: 'php', words: [PHP_REQUEST, word], example: `<?php ${code}` })),
  { language: 'php', words: [/\b(?:include|require)(?:_once)?\b/i], example: "<?php include 'logo.jpg';" },
  { language: 'php', words: [/`/], example: '<?php echo `ls`;' },
  { language: 'php', words: [/preg_replace/i], example: "<?php preg_replace('/x/e', $r, $s);" },
  { language: 'php', words: [/\bchr\s*\(/i], example: '<?php $d = chr(101).chr(118).chr(97).chr(108);' },
  { language: 'php', words: [/\\x[0-9a-f]{2}/i], example: '<?php $d = "\\x65\\x76\\x61\\x6c";' },
  { language: 'php', words: [/str_rot13/i], example: "<?php $x = str_rot13('riny');" },
  { language: 'php', words: [/strrev/i], example: "<?php $x = strrev('lave');" },
  { language: 'php', words: [/hex2bin/i], example: "<?php $x = hex2bin('6576616c');" },
  // a dangerous name spelled in pieces holds no word at all: any literal joined to a literal
  { language: 'php', words: [/['"]\s*\.\s*['"]/], example: "<?php $x = 'e' . 'v' . 'a' . 'l';" },
  { language: 'php', words: [/base64_decode/i], example: "<?php $x = base64_decode('ZXZhbCgkX0dFVFsnYSddKTs=');" },
  { language: 'php', words: [/\bnew\s+COM\b/i], example: "<?php $s = new COM('WScript.Shell');" },
  { language: 'php', words: [/unlink/i, /__FILE__/], example: '<?php unlink(__FILE__);' },
  { language: 'asp', words: [/\bexecute(?:global)?\b/i], example: '<%\nExecute y\n%>' },
  { language: 'asp', words: [/\beval\b/i], example: '<%\neval(y)\n%>' },
  { language: 'asp', words: [/createobject/i], example: '<%\nSet o = CreateObject("ADO" & "DB.Stream")\n%>' },
  { language: 'asp', words: [/#include/i], example: '<!--#include file="logo.jpg"-->' },
  { language: 'asp', words: [/#@~\^/], example: '<%#@~^CAAAAA==@#@&\\ko,P~l@#@&AwAAAA==^#~@%>' },
  { language: 'cfml', words: [/cfexecute/i], example: '<cfexecute name="#y#">' },
  { language: 'cfml', words: [/createobject/i], example: '<cfset o = createObject("java", "java.lang.Runtime")>' },
];

const holds = (t: Trigger, text: string): boolean => t.words.every((w) => w.test(text));

interface Tally {
  files: number;
  bytes: number;
  us: number;
}

const tally = (): Tally => ({ files: 0, bytes: 0, us: 0 });
const add = (t: Tally, bytes: number, us: number): void => {
  t.files++;
  t.bytes += bytes;
  t.us += us;
};

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function analyze(text: string, language: Language): { quiet: boolean; us: number } {
  const notes: string[] = [];
  const t0 = cpuUs();
  const ev = analyzeText(text, language, { limits: DEFAULT_LIMITS, deadline: Date.now() + DEFAULT_LIMITS.maxMillisPerFile, notes });
  const us = cpuUs() - t0;
  return { quiet: ev.list().length === 0 && notes.length === 0, us };
}

/**
 * Why a trigger cannot stand in the bound: its example misses one of its words, holds another
 * trigger, or leaves the analyzers quiet. Empty when it stands.
 */
export function triggerFault(t: Trigger): string {
  if (!holds(t, t.example)) return 'its example misses a word';
  if (TRIGGERS.some((o) => o !== t && o.language === t.language && holds(o, t.example))) return 'its example holds another trigger';
  return analyze(t.example, t.language).quiet ? 'the analyzers are quiet on its example' : '';
}

/** The triggers that stand (the others are named on stdout). */
function checkedTriggers(): Trigger[] {
  const kept: Trigger[] = [];
  for (const t of TRIGGERS) {
    const fault = triggerFault(t);
    if (fault) process.stdout.write(`trigger ${t.words.join(' + ')} (${t.language}) left out: ${fault}\n`);
    else kept.push(t);
  }
  return kept;
}

const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);
const secs = (us: number): string => (us / 1e6).toFixed(2);

export async function run(): Promise<void> {
  const dir = process.env.WARDEN_CORPUS ?? '/tmp/warden-corpus';
  const manifest = join(dir, 'manifest.tsv');
  if (!existsSync(manifest)) {
    process.stdout.write(`scan-skip bench skipped: ${manifest} not found (unpack with ../shared/corpus/extract.sh ${dir})\n`);
    return;
  }
  const holdout = loadHoldout(join(REPO, 'bench', 'holdout.txt'));
  const triggers = checkedTriggers();
  const all = tally();
  const byLang = new Map<Language, { analyzed: Tally; quiet: Tally; wordFree: Tally }>();
  for (const line of readFileSync(manifest, 'utf8').split('\n').slice(1)) {
    const [label, sha256, , path] = line.split('\t');
    if (label !== 'benign' || !path || isHeldOut(holdout, path, sha256 ?? '')) continue;
    const buf = readFileSync(join(dir, path));
    const t0 = cpuUs();
    const out = scanBytes(path, buf, { limits: DEFAULT_LIMITS })[0];
    add(all, buf.length, cpuUs() - t0);
    if (!out?.analyzed || !out.language || out.entry) continue;
    const text = bytesToText(buf);
    const lang = out.language;
    let row = byLang.get(lang);
    if (!row) byLang.set(lang, (row = { analyzed: tally(), quiet: tally(), wordFree: tally() }));
    const r = analyze(text, lang);
    add(row.analyzed, buf.length, r.us);
    if (!r.quiet) continue;
    add(row.quiet, buf.length, r.us);
    if (!triggers.some((t) => t.language === lang && holds(t, text))) add(row.wordFree, buf.length, r.us);
  }
  process.stdout.write(`benign corpus ${dir}/benign without held-out files: ${all.files} files, ${mb(all.bytes)} MB, scan CPU ${secs(all.us)} s (one thread)\n`);
  const head = `${'language'.padEnd(8)} | ${'analyzed: files'.padStart(15)} ${'MB'.padStart(6)} ${'CPU s'.padStart(6)} | ${'quiet: files'.padStart(12)} ${'MB'.padStart(6)} ${'CPU s'.padStart(6)} | ${'word-free: files'.padStart(16)} ${'MB'.padStart(6)} ${'CPU s'.padStart(6)}`;
  process.stdout.write(`${head}\n${'-'.repeat(head.length)}\n`);
  const total = { analyzed: tally(), quiet: tally(), wordFree: tally() };
  const rows = [...byLang].sort((a, b) => b[1].analyzed.us - a[1].analyzed.us);
  for (const [lang, row] of [...rows, ['all', total] as const]) {
    if (lang !== 'all')
      for (const k of ['analyzed', 'quiet', 'wordFree'] as const) {
        total[k].files += row[k].files;
        total[k].bytes += row[k].bytes;
        total[k].us += row[k].us;
      }
    const cell = (t: Tally, w: number): string => `${String(t.files).padStart(w)} ${mb(t.bytes).padStart(6)} ${secs(t.us).padStart(6)}`;
    process.stdout.write(`${lang.padEnd(8)} | ${cell(row.analyzed, 15)} | ${cell(row.quiet, 12)} | ${cell(row.wordFree, 16)}\n`);
  }
  process.stdout.write(
    `a sound whole-file gate saves at most the quiet CPU (${secs(total.quiet.us)} s, ${((100 * total.quiet.us) / all.us).toFixed(0)}% of the scan CPU); one deciding by words at most the word-free CPU (${secs(total.wordFree.us)} s, ${((100 * total.wordFree.us) / all.us).toFixed(0)}%), less its own cost\n`,
  );
}
