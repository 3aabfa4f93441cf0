/** Problems go to stderr as they happen (with a cap, then a count) and decide the exit code. */
import type { Problem, ProblemSink } from '../errors.js';
import { formatProblem } from '../errors.js';

export class StderrProblems implements ProblemSink {
  count = 0;
  private readonly shown: number;
  constructor(
    private readonly before: () => void = () => {},
    maxShown = 200,
  ) {
    this.shown = maxShown;
  }
  report(p: Problem): void {
    this.count++;
    if (this.count <= this.shown) {
      this.before();
      process.stderr.write(`warden: ${p.kind === 'rule' ? 'rule error' : p.kind === 'input' ? 'input error' : p.kind}: ${formatProblem(p)}\n`);
    } else if (this.count === this.shown + 1) {
      this.before();
      process.stderr.write(`warden: more problems follow; only the count is shown from here on\n`);
    }
  }
}
