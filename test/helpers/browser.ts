/**
 * A real browser for the console's tests: playwright-core driving Debian's Chromium
 * (/usr/bin/chromium, or WARDEN_CHROMIUM). Tests skip with this module's message when it is
 * absent. Each page is watched: dialogs (alert/confirm/prompt — the sign of a script that
 * should not have run), console errors, uncaught errors and every network request are recorded.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from './shared.js';

export function chromiumPath(): string {
  return process.env.WARDEN_CHROMIUM ?? '/usr/bin/chromium';
}

/** `undefined` when Chromium is there, else the skip message for node:test. */
export function skipWithoutChromium(): string | undefined {
  return existsSync(chromiumPath()) ? undefined : `needs Chromium at ${chromiumPath()} (apt-get install -y chromium, or set WARDEN_CHROMIUM)`;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Playwright gives every launch a fresh temporary profile (user-data-dir) and removes it on close. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds the browser code (tsc -p web) when `npx tsc -p .` alone was run or web/src changed since. */
export function ensureConsoleBuilt(): void {
  const root = repoRoot();
  const out = join(root, 'dist', 'web', 'warden-ui.js');
  if (existsSync(out) && statSync(out).mtimeMs >= newest(join(root, 'web', 'src'))) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'web')], { stdio: 'inherit' });
}

export function artifactsDir(): string {
  const d = join(repoRoot(), 'test-artifacts', 'console');
  mkdirSync(d, { recursive: true });
  return d;
}

export interface Watch {
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

export function watchPage(page: Page): Watch {
  const w: Watch = { dialogs: [], consoleErrors: [], pageErrors: [], requests: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') w.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => w.pageErrors.push(e.message));
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

/**
 * Waits until `probe` returns true, polling from Node (the console's CSP forbids eval, and with
 * it Playwright's string predicates).
 */
export async function until(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
