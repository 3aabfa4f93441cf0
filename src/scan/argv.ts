/**
 * Commands given as an argument vector: the program and each argument as separate strings
 * (Java's `new ProcessBuilder("ping", "-c", "1", host)` and `Runtime.exec(String[])`, Perl's
 * list-form `system('/usr/bin/whois', $d)`). No shell reads such a command, so a request value
 * in a later element is one argument of a program the page chose. Unless that program runs an
 * argument as code or as another command (a shell, an interpreter, a launcher such as `sudo`,
 * `xargs` or `find`), the requester cannot choose what runs: the page is a tool (ping, whois,
 * convert), not a shell.
 */
import { splitTopArgs } from './text.js';

/**
 * Programs that run their argument as code or as another command: `bash -c 'whoami'` runs the
 * quoted argument, so neither quoting nor a separate argument protects anything after them.
 */
export const RUNS_ITS_ARGUMENT =
  /(?:^|[\s'"/\\;|&(])(?:(?:ba|da|z|k|c|tc|fi)?sh|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh|python[\d.]*|perl|php[\d.]*|ruby|node|lua|tclsh|wscript|cscript|mshta|rundll32|regsvr32|eval|exec|xargs|env|sudo|su|nohup|timeout|nice|ssh|busybox|awk|gawk|find|at|crontab|script|osascript|wmic|schtasks|java|jrunscript|jshell|groovy)(?:\.exe)?(?=$|[\s'"])/i;

/** One element written as a plain string literal naming a program (a name or a path). */
const PROGRAM_LITERAL = /^\s*(["'])([\w./\\:+-]{1,200})\1\s*$/;

/** An array or list literal holding the whole vector: `new String[]{..}`, `Arrays.asList(..)`, `List.of(..)`, `[..]`. */
const VECTOR_LITERAL = /^\s*(?:new\s+String\s*\[\s*\]\s*\{([\s\S]*)\}|(?:java\s*\.\s*util\s*\.\s*)?(?:Arrays\s*\.\s*asList|List\s*\.\s*of)\s*\(([\s\S]*)\)|\[([\s\S]*)\])\s*$/;

/** The elements of the argument vector a call's argument text spells, or undefined for a single command string. */
export function argvElements(args: string): string[] | undefined {
  let parts = splitTopArgs(args);
  if (parts.length === 1) {
    const v = VECTOR_LITERAL.exec(parts[0]!);
    if (!v) return undefined;
    parts = splitTopArgs(v[1] ?? v[2] ?? v[3] ?? '');
  }
  return parts.length >= 2 ? parts : undefined;
}

/**
 * The program of an argument vector whose first element is a literal program that does not run
 * its arguments, and which the request (`touches`) does not reach; undefined otherwise.
 */
export function plainProgramOf(args: string, touches: (expr: string) => boolean): string | undefined {
  const argv = argvElements(args);
  if (!argv) return undefined;
  const first = argv[0]!;
  const m = PROGRAM_LITERAL.exec(first);
  if (!m || RUNS_ITS_ARGUMENT.test(m[2]!) || touches(first)) return undefined;
  return m[2]!.replace(/^.*[/\\]/, '');
}
