/**
 * `warden serve` as a child process for the end-to-end and crash tests: started from the
 * built CLI, its URL read from stdout, its log kept for failure messages, stopped by signal.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src/cli/main.js');

export interface Child {
  proc: ChildProcess;
  url: string;
  log(): string;
  /** Resolves with the exit code (or signal) once it is gone. */
  exited: Promise<number | string>;
}

export function startServe(args: string[], opts: { timeoutMs?: number } = {}): Promise<Child> {
  const proc = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<number | string>((r) => proc.on('exit', (code, sig) => r(code ?? sig ?? -1)));
  return new Promise((resolvePromise, reject) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`warden serve did not print its URL in time:\n${out}\n${err.slice(-4000)}`));
    }, opts.timeoutMs ?? 30_000);
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolvePromise({ proc, url: m[1]!, log: () => `${out}\n${err}`, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`warden serve exited (${code}) before listening:\n${out}\n${err.slice(-4000)}`));
    });
  });
}

export function token(role: 'ingest' | 'read' | 'admin', data: string): string {
  return execFileSync(process.execPath, [CLI, 'token', 'create', '--role', role, '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** A port free for both TCP and UDP on 127.0.0.1 at this moment. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((r, j) => {
      const s = createServer();
      s.once('error', j);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const udpFree = await new Promise<boolean>((r) => {
      const u = createSocket('udp4');
      u.once('error', () => r(false));
      u.bind(port, '127.0.0.1', () => u.close(() => r(true)));
    });
    if (udpFree) return port;
  }
}

export function dataDir(root: string): string {
  return join(root, 'data');
}
