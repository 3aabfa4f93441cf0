/**
 * Shapes shared by the web-shell scanner: what an analyzer reports (Evidence), what a
 * scanned file becomes (Finding), and the knobs a scan runs with.
 */

export type Verdict = 'malicious' | 'suspicious' | 'clean';

/** Server-side languages the analyzers understand (decided from content; the extension is a hint). */
export type Language =
  | 'php'
  | 'asp' // classic ASP (VBScript / JScript)
  | 'aspx' // ASP.NET pages/handlers/services/controls in C# or VB.NET
  | 'jsp' // JSP, JSPX and plain Java sources
  | 'cfml'
  | 'perl'
  | 'python'
  | 'node'
  | 'shell'
  | 'xml' // deployment descriptors / Spring bean definitions inside plugins
  | 'unknown';

export interface Evidence {
  /** Analyzer that produced it: flow, obfuscation, family, capability, plugin, archive, yara. */
  analyzer: string;
  /** Why this matters, in words. */
  reason: string;
  /**
   * Stable id of the reason (`analyzer/slug`, see reason-id.ts): the same behaviour in any file
   * has the same id, for allowlists and dashboards. Filled in when the finding is made.
   */
  id?: string;
  weight: number;
  /** 1-based line in the analyzed text (in the decoded layer when `layer` > 0). */
  line?: number;
  /** Short printable excerpt. */
  snippet?: string;
  /** 0 for the file itself, n for the n-th decoded layer. */
  layer?: number;
}

export interface Finding {
  /** File path; entries inside archives as `outer.war!/inner/path.jsp`. */
  path: string;
  verdict: Verdict;
  score: number;
  language: Language;
  family?: string;
  evidence: Evidence[];
  sha256: string;
  size: number;
}

export interface ScanLimits {
  /** Files larger than this are skipped (reported as skipped, not a problem). */
  maxFileBytes: number;
  /** Wall-clock budget per file in ms; analyzers check it between passes. */
  maxMillisPerFile: number;
  /** Caps for archives (zip bombs). */
  maxArchiveEntries: number;
  maxArchiveInflatedBytes: number;
  maxArchiveDepth: number;
  /** Caps for decoding obfuscation layers. */
  maxDecodeDepth: number;
  maxDecodeBytes: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxMillisPerFile: 5000,
  maxArchiveEntries: 20000,
  maxArchiveInflatedBytes: 256 * 1024 * 1024,
  maxArchiveDepth: 2,
  maxDecodeDepth: 4,
  maxDecodeBytes: 2 * 1024 * 1024,
};

export const THRESHOLDS = { malicious: 10, suspicious: 5 } as const;

export function verdictRank(v: Verdict): number {
  return v === 'malicious' ? 2 : v === 'suspicious' ? 1 : 0;
}
