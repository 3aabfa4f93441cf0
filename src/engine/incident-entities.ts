/**
 * What relates two detections of one host: the processes and files they name (sharing any
 * one links them) and the users they ran as (equal users link them; a detection naming no
 * user is related to every user's).
 */
import type { Detection } from '../event/detection.js';
import type { FieldValue, Fields } from '../event/event.js';

const USER_FIELDS = ['User', 'SubjectUserName', 'TargetUserName', 'UserName', 'AccountName', 'user', 'cs-username', 'username'];
const PROCESS_GUID_FIELDS = ['ProcessGuid', 'ParentProcessGuid', 'SourceProcessGuid', 'TargetProcessGuid'];
const PROCESS_ID_FIELDS = ['ProcessId', 'ParentProcessId', 'ProcessID', 'SourceProcessId', 'TargetProcessId'];
const FILE_FIELDS = ['TargetFilename', 'TargetFileName', 'FilePath', 'file_path', 'path', 'Path'];
const NO_VALUE = new Set(['', '-', 'n/a', 'null', 'none', 'unknown']);

function scalars(v: FieldValue | undefined, out: string[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) scalars(x, out);
    return;
  }
  const s = String(v).trim().toLowerCase();
  if (!NO_VALUE.has(s)) out.push(s);
}

function values(fields: Fields, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) scalars(fields[n], out);
  return out;
}

export interface Entities {
  users: string[];
  /** Process and file keys: sharing any one relates two detections. */
  links: string[];
}

export function detectionEntities(d: Detection): Entities {
  const f = d.event ?? {};
  const links: string[] = [];
  for (const g of values(f, PROCESS_GUID_FIELDS)) links.push(`g:${g.replace(/[{}]/g, '')}`);
  for (const p of values(f, PROCESS_ID_FIELDS)) if (p !== '0' && p !== '4') links.push(`p:${p}`);
  for (const p of values(f, FILE_FIELDS)) links.push(`f:${p.replace(/\//g, '\\')}`);
  return { users: [...new Set(values(f, USER_FIELDS))], links: [...new Set(links)] };
}
