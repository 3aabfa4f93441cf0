/**
 * Windows services that run as DLLs inside svchost.exe (`ServiceDll`), TermService first:
 * replacing its ServiceDll (termsrv.dll) is a known way to backdoor Remote Desktop. Read from
 * `.reg` exports of `HKLM\SYSTEM\CurrentControlSet\Services` placed in
 * `<root>/warden-collect/registry/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDir, windowsPath } from '../paths.js';
import type { Candidate, Collector } from '../types.js';
import { decodeRegFile, parseRegFile } from './regfile.js';

const SERVER = 'windows-services';
export const REGISTRY_EXPORT_DIR = 'warden-collect/registry';
const SERVICE_KEY = /^HKEY_LOCAL_MACHINE\\SYSTEM\\(?:CurrentControlSet|ControlSet\d{3})\\Services\\([^\\]+)(\\Parameters)?$/i;
/** The DLL each well-known service is expected to load. */
const EXPECTED: Record<string, string> = { termservice: 'termsrv.dll', umrdpservice: 'umrdp.dll', sessionenv: 'sessenv.dll' };

export const termservice: Collector = {
  server: SERVER,
  async collect(ctx) {
    const dir = join(ctx.root, REGISTRY_EXPORT_DIR);
    const out: Candidate[] = [];
    const files = listDir(dir).filter((d) => d.isFile() && d.name.toLowerCase().endsWith('.reg'));
    for (const f of files) {
      const file = join(dir, f.name);
      let text: string;
      try {
        text = decodeRegFile(readFileSync(file));
      } catch (e) {
        ctx.problems.report({ kind: 'input', file, message: `cannot read: ${(e as Error).message}` });
        continue;
      }
      const keys = parseRegFile(text, (line, message) => ctx.problems.report({ kind: 'input', file, line, message }));
      for (const k of keys) {
        const m = SERVICE_KEY.exec(k.path);
        const v = k.values.get('servicedll');
        if (!m || !v) continue;
        const service = m[1]!;
        const detail: Record<string, string> = { service, value: v.value, key: k.path };
        const expected = EXPECTED[service.toLowerCase()];
        if (expected !== undefined) {
          detail['expected'] = expected;
          const base = v.value.replace(/\\/g, '/').split('/').pop()!.toLowerCase();
          if (base !== expected) detail['unexpected'] = 'true';
        }
        out.push({ kind: 'windows-service-dll', server: SERVER, path: windowsPath(ctx.root, v.value), name: service, source: file, detail, file: true, signature: 'pe' });
      }
    }
    return { candidates: out, watch: files.length > 0 ? [dir] : [] };
  },
};
