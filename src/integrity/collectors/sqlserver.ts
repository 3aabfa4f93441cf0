/**
 * SQL Server: a live instance is not a file tree, so the collector reads an export that
 * docs/integrity.md documents (one T-SQL batch whose `FOR JSON` output is saved as
 * `<root>/warden-collect/sqlserver/<instance>.json`):
 *
 *   { "instance": "MSSQLSERVER",
 *     "assemblies": [{ "database", "name", "permission_set", "clr_name", "sha256"? }],
 *     "startup_procedures": [{ "name" }],
 *     "extended_procedures": [{ "name", "dll" }],
 *     "configurations": [{ "name", "value_in_use" }] }
 *
 * Components: CLR assemblies (with their permission set), startup procedures
 * (`sp_procoption`), extended stored procedures and their DLLs, and the settings that turn
 * code execution on (`xp_cmdshell`, `clr enabled`, ...).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDir, windowsPath } from '../paths.js';
import type { Candidate, Collector } from '../types.js';

const SERVER = 'sqlserver';
export const SQLSERVER_EXPORT_DIR = 'warden-collect/sqlserver';
const SETTINGS = new Set(['xp_cmdshell', 'clr enabled', 'clr strict security', 'ole automation procedures', 'external scripts enabled', 'ad hoc distributed queries']);

function rows(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r)) : [];
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export const sqlserver: Collector = {
  server: SERVER,
  async collect(ctx) {
    const dir = join(ctx.root, SQLSERVER_EXPORT_DIR);
    const out: Candidate[] = [];
    const files = listDir(dir).filter((d) => d.isFile() && d.name.endsWith('.json'));
    for (const f of files) {
      const file = join(dir, f.name);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
      } catch (e) {
        ctx.problems.report({ kind: 'input', file, message: `not a SQL Server export (JSON): ${(e as Error).message}; skipped` });
        continue;
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        ctx.problems.report({ kind: 'input', file, message: 'not a SQL Server export: expected a JSON object; skipped' });
        continue;
      }
      const d = doc as Record<string, unknown>;
      const instance = text(d['instance']) || f.name.slice(0, -5);
      const base = { server: SERVER, source: file };
      for (const a of rows(d['assemblies'])) {
        const perm = text(a['permission_set']);
        const detail: Record<string, string> = { instance, permission_set: perm, clr_name: text(a['clr_name']) };
        if (a['sha256'] !== undefined) detail['sha256'] = text(a['sha256']);
        if (/unsafe|external/i.test(perm)) detail['risky'] = 'true';
        out.push({ ...base, kind: 'sqlserver-assembly', path: file, name: `${instance}/${text(a['database'])}/${text(a['name'])}`, detail, file: false, signature: 'none' });
      }
      for (const p of rows(d['startup_procedures']))
        out.push({ ...base, kind: 'sqlserver-startup-procedure', path: file, name: `${instance}/${text(p['name'])}`, detail: { instance }, file: false, signature: 'none' });
      for (const x of rows(d['extended_procedures'])) {
        const dll = text(x['dll']);
        const name = `${instance}/${text(x['name'])}`;
        if (dll) out.push({ ...base, kind: 'sqlserver-extended-procedure', path: windowsPath(ctx.root, dll), name, detail: { instance, dll }, file: true, signature: 'pe' });
        else out.push({ ...base, kind: 'sqlserver-extended-procedure', path: file, name, detail: { instance }, file: false, signature: 'none' });
      }
      for (const c of rows(d['configurations'])) {
        const name = text(c['name']);
        if (!SETTINGS.has(name.toLowerCase())) continue;
        out.push({
          ...base,
          kind: 'sqlserver-setting',
          path: file,
          name: `${instance}/${name}`,
          detail: { instance, value_in_use: text(c['value_in_use']) },
          file: false,
          signature: 'none',
        });
      }
    }
    return { candidates: out, watch: files.length > 0 ? [dir] : [] };
  },
};
