/** Problems and errors: how Warden reports bad input without stopping. */
export { errorMessage, formatProblem, OutputError, printable, ProblemList, UsageError, WardenError } from '../errors.js';
export type { Problem, ProblemKind, ProblemSink } from '../errors.js';
