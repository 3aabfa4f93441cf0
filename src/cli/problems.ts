/** Problems go to stderr as they happen (with a cap, then a count) and decide the exit code. */
import type { Problem, ProblemSink } from '../api/errors.js';
import { formatProblem, printable } from '../api/errors.js';

export class StderrProblems implements ProblemSink {
  count = 0;
  private listed = 0;
  private notified = false;
  private readonly shown: number;
  constructor(
    private readonly before: () => void = () => {},
    maxShown = 200,
    /** One JSON object a line ({"type":"problem", kind, file, line?, record?, message}), for --format jsonl. */
    private readonly json = false,
  ) {
    this.shown = maxShown;
  }
  report(p: Problem): void {
    this.count += 1 + (p.more ?? 0);
    if (this.listed < this.shown) {
      this.listed++;
      this.before();
      if (this.json) {
        process.stderr.write(`${JSON.stringify({ type: 'problem', ...p })}\n`);
        return;
      }
      const kind = p.kind === 'rule' ? 'rule error' : p.kind === 'input' ? 'input error' : p.kind;
      process.stderr.write(`warden: ${kind}: ${printable(formatProblem(p))}\n`);
    } else if (!this.notified) {
      this.notified = true;
      this.before();
      process.stderr.write(`warden: more problems follow; only the count is shown from here on\n`);
    }
  }
}
