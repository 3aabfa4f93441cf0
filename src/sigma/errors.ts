/**
 * Errors raised while loading or compiling a Sigma rule. Each carries the place in the
 * rule file it is about, so `warden rules lint` can point at the offending line.
 */
import { WardenError } from '../errors.js';

export interface SourcePos {
  file?: string;
  line?: number;
  column?: number;
}

/** A rule (or filter) that breaks the Sigma specification or cannot be compiled. */
export class SigmaRuleError extends WardenError {
  constructor(message: string, where: SourcePos = {}) {
    super('rule', message, where);
    this.name = 'SigmaRuleError';
  }
}

/** Thrown while compiling a detection before the caller knows the position; the caller adds it. */
export function ruleError(message: string, where?: SourcePos): SigmaRuleError {
  return new SigmaRuleError(message, where);
}
