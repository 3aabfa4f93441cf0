/**
 * Builders for component trees: real-format PE DLLs (a minimal PE32 image with one section),
 * certificates and keys made with openssl, PE files signed with osslsigncode, JARs made and
 * signed with the JDK's jar/keytool/jarsigner. Tools that are missing make `toolsMissing`
 * return the skip message.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/shared.js';

export const FIXED_MTIME = 1_700_000_000;

export function tempRoot(prefix = 'warden-integrity-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function put(root: string, rel: string, content: string | Buffer): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** Makes every file 644 and every folder 755 with one fixed mtime, so inventories are exact. */
export function settle(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      settle(p);
      chmodSync(p, 0o755);
    } else if (e.isFile()) {
      chmodSync(p, 0o644);
      utimesSync(p, FIXED_MTIME, FIXED_MTIME);
    }
  }
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

export function owner(): string {
  return `${process.getuid!()}:${process.getgid!()}`;
}

export function sizeOf(p: string): number {
  return lstatSync(p).size;
}

/** A minimal but loadable-format PE32 DLL (headers, one .text section) whose code section carries `tag`. */
export function makePe(tag: string): Buffer {
  const b = Buffer.alloc(0x400);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  let p = 0x80;
  b.write('PE\0\0', p, 'latin1');
  p += 4;
  b.writeUInt16LE(0x14c, p); // i386
  b.writeUInt16LE(1, p + 2); // sections
  b.writeUInt16LE(224, p + 16); // optional header size
  b.writeUInt16LE(0x2102, p + 18); // executable, 32-bit, DLL
  p += 20;
  const o = p;
  b.writeUInt16LE(0x10b, o);
  b[o + 2] = 14;
  b.writeUInt32LE(0x200, o + 4); // SizeOfCode
  b.writeUInt32LE(0x1000, o + 16); // entry point
  b.writeUInt32LE(0x1000, o + 20); // BaseOfCode
  b.writeUInt32LE(0x2000, o + 24); // BaseOfData
  b.writeUInt32LE(0x10000000, o + 28); // ImageBase
  b.writeUInt32LE(0x1000, o + 32); // SectionAlignment
  b.writeUInt32LE(0x200, o + 36); // FileAlignment
  b.writeUInt16LE(6, o + 40); // OS version
  b.writeUInt16LE(6, o + 48); // subsystem version
  b.writeUInt32LE(0x2000, o + 56); // SizeOfImage
  b.writeUInt32LE(0x200, o + 60); // SizeOfHeaders
  b.writeUInt16LE(2, o + 68); // GUI subsystem
  b.writeUInt16LE(0x140, o + 70); // dynamic base, NX compatible
  b.writeUInt32LE(0x100000, o + 72);
  b.writeUInt32LE(0x1000, o + 76);
  b.writeUInt32LE(0x100000, o + 80);
  b.writeUInt32LE(0x1000, o + 84);
  b.writeUInt32LE(16, o + 92); // NumberOfRvaAndSizes
  p = o + 224;
  b.write('.text', p, 'latin1');
  b.writeUInt32LE(0x100, p + 8); // VirtualSize
  b.writeUInt32LE(0x1000, p + 12); // VirtualAddress
  b.writeUInt32LE(0x200, p + 16); // SizeOfRawData
  b.writeUInt32LE(0x200, p + 20); // PointerToRawData
  b.writeUInt32LE(0x60000020, p + 36); // code, execute, read
  b[0x200] = 0xc3; // ret
  b.write(tag.slice(0, 0x1f0), 0x210, 'latin1');
  return b;
}

function run(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
}

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined;
}

export function peToolsMissing(): string | undefined {
  if (!have('openssl', ['version'])) return 'needs openssl (apt-get install -y openssl)';
  if (!have('osslsigncode', ['--version'])) return 'needs osslsigncode to sign PE files (apt-get install -y osslsigncode)';
  return undefined;
}

export function jarToolsMissing(): string | undefined {
  for (const t of ['jar', 'keytool', 'jarsigner']) if (!have(t, ['--version']) && !have(t, ['-help'])) return `needs the JDK's ${t} (apt-get install -y openjdk-17-jdk-headless)`;
  return undefined;
}

export interface Signer {
  cert: string;
  key: string;
  subject: string;
}

/** A self-signed RSA code-signing certificate and key in dir. */
export function makeSigner(dir: string, cn: string): Signer {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, `${cn.replace(/\W+/g, '_')}.crt`);
  const key = join(dir, `${cn.replace(/\W+/g, '_')}.key`);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', `/CN=${cn}/O=Warden Tests`, '-keyout', key, '-out', cert]);
  return { cert, key, subject: `CN=${cn}, O=Warden Tests` };
}

export function signPe(input: string, output: string, s: Signer): void {
  run('osslsigncode', ['sign', '-certs', s.cert, '-key', s.key, '-h', 'sha256', '-n', 'Warden test', '-in', input, '-out', output]);
}

/** A JAR (stored or deflated entries) from files given relative to its root. */
export function makeJar(out: string, files: Record<string, string>, stored = false): void {
  const dir = tempRoot('warden-jar-');
  for (const [rel, content] of Object.entries(files)) put(dir, rel, content);
  mkdirSync(dirname(out), { recursive: true });
  run('jar', [stored ? 'cf0' : 'cf', out, '-C', dir, '.']);
}

export interface JarKey {
  keystore: string;
  alias: string;
  subject: string;
}

export function makeJarKey(dir: string, cn: string): JarKey {
  mkdirSync(dir, { recursive: true });
  const alias = cn.replace(/\W+/g, '').toLowerCase();
  const keystore = join(dir, `${alias}.p12`);
  run('keytool', [
    '-genkeypair',
    '-keystore',
    keystore,
    '-storetype',
    'PKCS12',
    '-storepass',
    'changeit',
    '-keypass',
    'changeit',
    '-alias',
    alias,
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '3650',
    '-dname',
    `CN=${cn}, O=Warden Tests`,
  ]);
  // keytool encodes the dname's last RDN first; subjects are shown in encoding order
  return { keystore, alias, subject: `O=Warden Tests, CN=${cn}` };
}

export function signJar(jar: string, k: JarKey, out = jar): void {
  run('jarsigner', ['-keystore', k.keystore, '-storepass', 'changeit', '-storetype', 'PKCS12', '-digestalg', 'SHA-256', '-signedjar', out, jar, k.alias]);
}

export function cli(args: string[], cwd = repoRoot()): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
