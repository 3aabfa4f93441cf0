/**
 * A one-line summary of what a detection matched, for tables and CSV: the fields an
 * analyst reads first for each kind of event, then whatever else fits.
 */
import type { Fields, FieldValue } from '../event/event.js';

/** Most telling fields first; the first ones present are shown. */
const KEY_FIELDS = [
  'CommandLine',
  'Image',
  'ParentImage',
  'TargetFilename',
  'ImageLoaded',
  'TargetObject',
  'Details',
  'ScriptBlockText',
  'cs-method',
  'cs-uri-stem',
  'cs-uri-query',
  'sc-status',
  'c-ip',
  'cs-user-agent',
  'Verdict',
  'Family',
  'Message',
  'User',
  'SubjectUserName',
  'TargetUserName',
  'ServiceName',
  'ImagePath',
  'QueryName',
  'DestinationIp',
  'DestinationPort',
  'Data',
];

export function valueText(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  return String(v);
}

export function detailsOf(fields: Fields, maxFields = 4): string {
  const parts: string[] = [];
  for (const k of KEY_FIELDS) {
    if (parts.length >= maxFields) break;
    const v = fields[k];
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${k}: ${valueText(v).replace(/\s+/g, ' ')}`);
  }
  if (parts.length === 0) {
    for (const k of Object.keys(fields)) {
      if (parts.length >= maxFields) break;
      const v = fields[k];
      if (v === undefined || v === null || v === '' || k === 'Channel' || k === 'Computer') continue;
      parts.push(`${k}: ${valueText(v).replace(/\s+/g, ' ')}`);
    }
  }
  return parts.join(' ¦ ');
}
