/** What the console must show for the bundled examples. */
import assert from 'node:assert/strict';

/** The time line `warden hunt --incidents` prints for the examples (time, level, kind, title). */
export const EXPECTED_TIMELINE = [
  ['2026-03-02 09:15:39', 'medium', 'rule', 'POST to a Dynamic Page from a Web-Shell Client or Scripting User Agent'],
  ['2026-03-02 09:15:39', 'high', 'rule', 'Server-Side Script Requested from an Upload or Static-Content Folder'],
  ['2026-03-02 09:15:40.502', 'high', 'rule', 'Server-Side Script Created in Exchange or SharePoint Web Folders'],
  ['2026-03-02 09:15:40.502', 'high', 'rule', 'Web Server or Exchange Process Wrote a Server-Side Script (Windows)'],
  ['2026-03-02 09:15:40.502', 'low', 'rule', 'Server-Side Script Created in a Web Root (Windows, Any Process)'],
  ['2026-03-02 09:16:05', 'high', 'rule', 'Operating-System Command in a Web Request Query String'],
  ['2026-03-02 09:16:05', 'high', 'rule', 'Request to an Unknown Script in Exchange aspnet_client or owa/auth'],
  ['2026-03-02 09:16:05', 'high', 'correlation', 'Upload, New Script in the Web Root, then First Request to It'],
  ['2026-03-02 09:16:05', 'high', 'rule', 'Shell Command in a Web Request Query String (example rule)'],
  ['2026-03-02 09:16:05.871', 'medium', 'rule', 'Web Tier Started a Program Outside the Site Allow-List (Windows)'],
  ['2026-03-02 09:16:05.871', 'high', 'rule', 'IIS Application Pool Identity Runs a Shell or Reconnaissance Tool'],
  ['2026-03-02 09:16:05.871', 'high', 'rule', 'Web Server Process Spawns a Shell or Reconnaissance Tool (Windows)'],
  ['2026-03-02 09:16:05.871', 'critical', 'correlation', 'New Script in the Web Root, then the Web Server Spawns a Shell'],
  ['2026-03-02 09:16:05.871', 'high', 'rule', 'IIS Worker Process Starts a Command Interpreter (example rule)'],
  ['2026-03-02 09:17:31.090', 'high', 'rule', 'IIS Native Module or ISAPI Filter Registered with AppCmd'],
];

/**
 * The members shown are the expected ones and their times never go back. Members at the same
 * instant are ordered by detection id, which hashes the input's path, so their order depends
 * on where the logs were read from: that order is not compared.
 */
export function assertTimeline(got: string[][]): void {
  for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]![0]! <= got[i]![0]!, `time line out of order at ${i}: ${got[i - 1]![0]} > ${got[i]![0]}`);
  const key = (r: string[]): string => r.join('\u0000');
  assert.deepEqual(
    [...got].sort((a, b) => key(a).localeCompare(key(b))),
    [...EXPECTED_TIMELINE].sort((a, b) => key(a).localeCompare(key(b))),
  );
}
