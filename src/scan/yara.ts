/**
 * Optional YARA-X support (`--yara RULES`): used only when the native package
 * @litko/yara-x-linux-x64-gnu is installed; Warden's own analyzers never depend on it.
 * Matches become evidence with the rule name; they add weight like any other analyzer.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Evidence } from './types.js';
import { WardenError } from '../errors.js';

/** The small part of the binding we use (typed here because the package is optional). */
interface YaraRules {
  scan(data: Buffer): Array<{ ruleIdentifier: string; tags?: string[]; meta?: Record<string, unknown>; matches?: Array<{ offset: number; identifier: string }> }>;
}
interface YaraBinding {
  compile(source: string): YaraRules;
}

export const YARA_PACKAGE = '@litko/yara-x-linux-x64-gnu';

export async function loadYara(rulesPath: string): Promise<{ match: (buf: Buffer, path: string) => Evidence[] }> {
  let binding: YaraBinding;
  try {
    // a native .node module: loaded through require, which ESM import() cannot do directly
    const require = createRequire(import.meta.url);
    binding = require(YARA_PACKAGE) as YaraBinding;
  } catch {
    throw new WardenError(
      'config',
      `--yara needs the optional package ${YARA_PACKAGE} (npm install --save-optional ${YARA_PACKAGE}); it is not installed on this machine (${process.platform}-${process.arch})`,
    );
  }
  let source: string;
  try {
    source = await readFile(rulesPath, 'utf8');
  } catch (e) {
    throw new WardenError('config', `cannot read YARA rules: ${(e as Error).message}`, { file: rulesPath });
  }
  let rules: YaraRules;
  try {
    rules = binding.compile(source);
  } catch (e) {
    throw new WardenError('rule', `YARA rules do not compile: ${(e as Error).message}`, { file: rulesPath });
  }
  return {
    match(buf: Buffer): Evidence[] {
      const out: Evidence[] = [];
      for (const r of rules.scan(buf)) {
        const score = Number((r.meta as Record<string, unknown> | undefined)?.score ?? NaN);
        out.push({ analyzer: 'yara', reason: `YARA rule ${r.ruleIdentifier} matched`, weight: Number.isFinite(score) ? Math.max(1, Math.min(12, score / 10)) : 6 });
      }
      return out;
    },
  };
}
