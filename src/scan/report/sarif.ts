/**
 * SARIF 2.1.0: one run, one rule per verdict kind (webshell/malicious, webshell/suspicious),
 * one result per finding located at its strongest evidence line; every evidence item is a
 * related location so code-scanning UIs show the whole argument.
 */
import type { Finding } from '../types.js';
import type { ScanStats } from '../scanner.js';

function uriOf(path: string): string {
  // archive entries: the archive is the artifact; the entry path goes in the message
  const outer = path.split('!/')[0]!;
  return outer.split('/').map(encodeURIComponent).join('/');
}

export function toSarif(findings: Finding[], stats: ScanStats, version: string): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'warden',
            version,
            informationUri: 'https://attack.mitre.org/techniques/T1505/003/',
            rules: [
              {
                id: 'webshell/malicious',
                name: 'WebShellMalicious',
                shortDescription: { text: 'File behaves like a web shell or backdoor' },
                defaultConfiguration: { level: 'error' },
                properties: { tags: ['security', 'attack.t1505.003'] },
              },
              {
                id: 'webshell/suspicious',
                name: 'WebShellSuspicious',
                shortDescription: { text: 'File shows web-shell traits' },
                defaultConfiguration: { level: 'warning' },
                properties: { tags: ['security', 'attack.t1505.003'] },
              },
            ],
          },
        },
        results: findings.map((f) => {
          const top = f.evidence.find((e) => e.line !== undefined && !e.layer);
          const region = top?.line !== undefined ? { startLine: top.line, snippet: top.snippet ? { text: top.snippet } : undefined } : undefined;
          return {
            ruleId: f.verdict === 'malicious' ? 'webshell/malicious' : 'webshell/suspicious',
            level: f.verdict === 'malicious' ? 'error' : 'warning',
            message: {
              text: `${f.path}: ${f.verdict} (score ${f.score}, ${f.language}${f.family ? `, ${f.family}` : ''}): ${f.evidence
                .slice(0, 3)
                .map((e) => e.reason)
                .join('; ')}`,
            },
            locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(f.path) }, ...(region && !f.path.includes('!/') ? { region } : {}) } }],
            relatedLocations: f.evidence.map((e, i) => ({
              id: i + 1,
              message: { text: `+${e.weight} ${e.reason}${e.layer ? ` (decoded layer ${e.layer})` : ''}` },
              ...(e.id ? { properties: { reasonId: e.id } } : {}),
              physicalLocation: {
                artifactLocation: { uri: uriOf(f.path) },
                ...(e.line !== undefined && !e.layer && !f.path.includes('!/') ? { region: { startLine: e.line } } : {}),
              },
            })),
            partialFingerprints: { sha256: f.sha256 },
            properties: { score: f.score, language: f.language, family: f.family, entry: f.path.includes('!/') ? f.path : undefined, reasonIds: f.evidence.map((e) => e.id) },
          };
        }),
        properties: { filesScanned: stats.files, bytesScanned: stats.bytes, elapsedMs: stats.elapsedMs },
      },
    ],
  };
}
