/**
 * The time budget of the file being analyzed. Analysis of one file runs synchronously in its
 * thread, so the budget lives here rather than in every function's arguments: the passes that
 * loop over a file's matches (and the analyzer runner between passes) call `checkBudget()`,
 * which throws `BudgetExceeded` once the deadline has passed. The runner catches it and keeps
 * the evidence found so far, so a file that runs out of time still gets the verdict of what was
 * seen before (a shell found by the first pass is still reported), and a hostile file cannot
 * hold a thread past its budget by more than one pass step.
 */

export class BudgetExceeded extends Error {
  constructor(readonly limitMs: number) {
    super(`time budget of ${limitMs} ms ran out`);
    this.name = 'BudgetExceeded';
  }
}

let deadline = Number.POSITIVE_INFINITY;
let limitMs = 0;
let calls = 0;

/** Runs `fn` with a budget of `ms` from now (nested calls keep the outer, earlier deadline). */
export function withBudget<T>(ms: number, fn: () => T): T {
  const outer = deadline;
  const outerLimit = limitMs;
  const mine = Date.now() + ms;
  if (mine < deadline) {
    deadline = mine;
    limitMs = ms;
  }
  try {
    return fn();
  } finally {
    deadline = outer;
    limitMs = outerLimit;
  }
}

/** The budget of the file being analyzed, in ms (0 outside any budget). */
export function budgetMs(): number {
  return limitMs;
}

/** Whether the budget of the file being analyzed has run out. */
export function budgetSpent(): boolean {
  return Date.now() > deadline;
}

/** Throws `BudgetExceeded` when the budget has run out; cheap enough for inner loops (reads the clock every 64th call). */
export function checkBudget(): void {
  if ((++calls & 63) !== 0 || deadline === Number.POSITIVE_INFINITY) return;
  if (Date.now() > deadline) throw new BudgetExceeded(limitMs);
}

/** Like `checkBudget()`, reading the clock on every call (between passes). */
export function checkBudgetNow(): void {
  if (deadline !== Number.POSITIVE_INFINITY && Date.now() > deadline) throw new BudgetExceeded(limitMs);
}
