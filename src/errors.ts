/**
 * Typed errors with context. Bad input is never fatal: problems are collected as
 * `Problem`s (file, line/record, reason), the run goes on, and the exit code says
 * something went wrong.
 */

export type ProblemKind = 'input' | 'rule' | 'config' | 'scan' | 'internal';

export interface Problem {
  kind: ProblemKind;
  file: string;
  /** 1-based line for text files and rules, when known. */
  line?: number;
  column?: number;
  /** Record number (EVTX record id / index) when the input is record-based. */
  record?: number;
  /** EVTX chunk index, when relevant. */
  chunk?: number;
  message: string;
  /** This problem also stands for this many more of the same kind that were not listed one by one. */
  more?: number;
}

export class WardenError extends Error {
  readonly kind: ProblemKind;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  constructor(kind: ProblemKind, message: string, where: { file?: string; line?: number; column?: number } = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WardenError';
    this.kind = kind;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
  }
  toProblem(fallbackFile = '-'): Problem {
    return { kind: this.kind, file: this.file ?? fallbackFile, line: this.line, column: this.column, message: this.message };
  }
}

/** Bad usage of the command line: exit code 2. */
export class UsageError extends WardenError {
  constructor(message: string) {
    super('config', message);
    this.name = 'UsageError';
  }
}

/** An output could not be written (a full disk, a closed pipe): the run failed, exit code 1, no stack trace. */
export class OutputError extends WardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, {}, options);
    this.name = 'OutputError';
  }
}

/** Receives problems as they happen; the CLI counts them for the summary and exit code. */
export interface ProblemSink {
  report(problem: Problem): void;
}

/** A sink that keeps everything (tests, summaries). */
export class ProblemList implements ProblemSink {
  readonly problems: Problem[] = [];
  report(problem: Problem): void {
    this.problems.push(problem);
  }
  get count(): number {
    let n = 0;
    for (const p of this.problems) n += 1 + (p.more ?? 0);
    return n;
  }
}

export function formatProblem(p: Problem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}`;
  if (p.chunk !== undefined) where += ` chunk ${p.chunk}`;
  if (p.record !== undefined) where += ` record ${p.record}`;
  return `${where}: ${p.message}`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Text safe to print on a terminal: C0 and C1 control characters (ESC sequences that clear
 * the screen or write the clipboard, CR and LF that forge lines) shown as escapes. Every
 * human-readable output passes attacker-controlled text through this.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\n/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\u001b') return '\\e';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
