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
  /** Further errors of the same document: `rules lint` reports every one, not only the first. */
  more: SigmaRuleError[] = [];
  constructor(message: string, where: SourcePos = {}) {
    super('rule', message, where);
    this.name = 'SigmaRuleError';
  }
}

/** Runs independent checks of one document, keeping every SigmaRuleError instead of stopping at the first. */
export class RuleErrors {
  readonly errors: SigmaRuleError[] = [];
  attempt<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof SigmaRuleError)) throw e;
      this.errors.push(e, ...e.more);
      e.more = [];
      return undefined;
    }
  }
  /** Throws the first error carrying the others, if there were any. */
  throwIfAny(): void {
    const [first, ...rest] = this.errors;
    if (!first) return;
    first.more = rest;
    throw first;
  }
}

/** Thrown while compiling a detection before the caller knows the position; the caller adds it. */
export function ruleError(message: string, where?: SourcePos): SigmaRuleError {
  return new SigmaRuleError(message, where);
}
