/**
 * A page's taint read in the scope around a sink. The page-wide taint (flow.ts) reads names
 * across the whole file; where a language gives names a smaller scope (PHP functions,
 * VBScript classes) a language reads the taint of that scope as well, and a name counts only
 * when both say so: a narrowing, never a widening, of the page-wide answer.
 */
import type { Taint } from './flow.js';

/** A taint read at the offset of the call. */
export interface ScopedTaint {
  touches(expr: string, at: number, forPath?: boolean): boolean;
  touchesDirectly(expr: string, at: number, forPath?: boolean): boolean;
}

/** The page-wide taint as a ScopedTaint, for languages without scopes (the offset is not read). */
export function pageWide(taint: Taint): ScopedTaint {
  return { touches: (e, _at, forPath) => taint.touches(e, forPath), touchesDirectly: (e, _at, forPath) => taint.touchesDirectly(e, forPath) };
}

/** The page-wide taint, narrowed by the taint of the scope around each offset (built once per scope). */
export abstract class ScopeNarrowedTaint<S extends object> implements ScopedTaint {
  private readonly locals = new Map<S, Taint>();

  constructor(protected readonly taint: Taint) {}

  /** The scope around `at` whose own taint is read; undefined where the page-wide one stands. */
  protected abstract scopeAt(at: number): S | undefined;

  /** The taint of `scope` alone. */
  protected abstract localTaint(scope: S): Taint;

  private localAt(at: number): Taint | undefined {
    const scope = this.scopeAt(at);
    if (scope === undefined) return undefined;
    let local = this.locals.get(scope);
    if (local === undefined) {
      local = this.localTaint(scope);
      this.locals.set(scope, local);
    }
    return local;
  }

  /** `taint.touches(expr, forPath)` read in the scope around `at`. */
  touches(expr: string, at: number, forPath = false): boolean {
    if (!this.taint.touches(expr, forPath)) return false;
    if (this.taint.hasSource(expr)) return true;
    const local = this.localAt(at);
    return local === undefined || local.touches(expr, forPath);
  }

  /** `taint.touchesDirectly(expr, forPath)` read in the scope around `at`. */
  touchesDirectly(expr: string, at: number, forPath = false): boolean {
    if (!this.taint.touchesDirectly(expr, forPath)) return false;
    if (this.taint.hasSource(expr)) return true;
    const local = this.localAt(at);
    return local === undefined || local.touchesDirectly(expr, forPath);
  }
}
