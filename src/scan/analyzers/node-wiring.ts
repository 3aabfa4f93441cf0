/**
 * Node reverse and bind shells: a socket whose data feeds a spawned process and whose writes
 * carry that process's output. A bundle that holds a socket client in one module and a `'cmd'`
 * literal in another has both pieces, but nothing moves data between them; a shell always
 * joins the two objects: `client.pipe(sh.stdin)`, `sh.stdout.pipe(client)`,
 * `sh.stdout.on('data', d => s.write(d))`, `s.on('data', d => sh.stdin.write(d))`,
 * `s.on('data', d => exec(d, ...))`, or `spawn(sh, [], { stdio: [s, s, s] })`.
 */
import { matches } from '../flow.js';
import { braceBody, escapeRegExp } from '../text.js';

/** The `net`/`tls` module, named or required inline. */
const NET = String.raw`(?:net|tls|require\s*\(\s*["'](?:node:)?(?:net|tls)["']\s*\))`;
/*
 * Every pattern starts at a rare literal (`Socket(`, `.pipe(`, `'data'`) and reads the names
 * around it from a short window: a pattern that opened on a name would be tried from every
 * character of every identifier, and a bundle's long base64 runs made that quadratic.
 */
/** A socket made: `net.connect(`, `new net.Socket(`, `tls.connect(` (its name is read before it). */
const SOCKET_MADE = new RegExp(String.raw`(?:new\s+)?${NET}\s*\.\s*(?:Socket|connect|createConnection)\s*\(`, 'g');
/** A server's connection callback: `net.createServer(function (s) {`, `.on('connection', (c) =>`: group 1 is the socket. */
const SOCKET_PARAM = new RegExp(
  String.raw`(?:${NET}\s*\.\s*createServer\s*\(\s*(?:\{[^{}]{0,200}\}\s*,\s*)?|\.\s*on\s*\(\s*["'](?:connection|secureConnection)["']\s*,\s*)(?:async\s+)?(?:function\b\s*[\w$]*\s*)?\(?\s*([A-Za-z_$][\w$]*)`,
  'g',
);
/** A process spawned: `spawn(`, `cp.exec(`, `require('child_process').spawn(` (its name is read before it). */
const PROCESS_MADE = /\b(?:spawn|exec|execFile|fork)\s*\(/g;
/** The name a value is assigned to, read back from just before the call that makes it (with any `new`, `cp.` or `require(...).`). */
const ASSIGNED_BEFORE = /([A-Za-z_$][\w$]*)\s*=\s*(?:new\s+)?(?:[\w$.]{1,60}\s*\.\s*|require\s*\(\s*["'](?:node:)?child_process["']\s*\)\s*\.\s*)?$/;
/** A name, read back from just before a `.`: group 1 is the name, group 2 `.stdout`/`.stderr` if it follows. */
const NAME_BEFORE = /([A-Za-z_$][\w$]*)\s*(\.\s*std(?:out|err)\s*)?$/;
/** `.pipe(b.stdin)`: group 1 the process (the source is read before it). */
const PIPE_TO_STDIN = /\.\s*pipe\s*\(\s*([A-Za-z_$][\w$]*)\s*\.\s*stdin\b/g;
/** `.stdout.pipe(s)`: group 1 the destination (the process is read before it). */
const PIPE_FROM_OUTPUT = /\.\s*std(?:out|err)\s*\.\s*pipe\s*\(\s*([A-Za-z_$][\w$]*)/g;
/** `.on('data', function (d) {` / `.on('data', d =>`: group 1 the data parameter (the emitter is read before it). */
const ON_DATA = /\.\s*on\s*\(\s*["']data["']\s*,\s*(?:async\s+)?(?:function\b\s*[\w$]*\s*)?\(?\s*([A-Za-z_$][\w$]*)\s*\)?\s*(?:=>\s*)?/g;
/** `stdio: [s, s, s]`: the spawned process's descriptors are the socket's. */
const STDIO_SOCKET = /\bstdio\s*:\s*\[\s*([A-Za-z_$][\w$]*)/g;

/** `re` matched against the 120 characters before `at`. */
function before(code: string, at: number, re: RegExp): RegExpExecArray | null {
  return re.exec(code.slice(Math.max(0, at - 120), at));
}

interface Bindings {
  sockets: Set<string>;
  processes: Set<string>;
}

function bindings(code: string): Bindings {
  const sockets = new Set<string>();
  const processes = new Set<string>();
  for (const m of matches(SOCKET_MADE, code, 200)) {
    const name = before(code, m.index, ASSIGNED_BEFORE);
    if (name) sockets.add(name[1]!);
  }
  for (const m of matches(SOCKET_PARAM, code, 200)) sockets.add(m[1]!);
  if (sockets.size === 0) return { sockets, processes };
  for (const m of matches(PROCESS_MADE, code, 500)) {
    const name = before(code, m.index, ASSIGNED_BEFORE);
    if (name) processes.add(name[1]!);
  }
  return { sockets, processes };
}

/**
 * The body of a callback whose parameter list ends at `from` (a `{ ... }` block, or an arrow's
 * expression up to the end of its statement).
 */
function callbackBody(code: string, from: number): string {
  const at = code.slice(from, from + 20).search(/\S/);
  const start = at === -1 ? from : from + at;
  if (code[start] === '{') return braceBody(code, start, 2000);
  return code.slice(start, start + 300).split(/[;\n]/)[0]!;
}

export interface Wiring {
  at: number;
  length: number;
  /** The socket's data is run as a command (`exec(data)`), through a shell by definition. */
  runsData: boolean;
}

/**
 * Where a socket is wired to a spawned process in `code`, if anywhere.
 * Socket and process are the names the file binds to `net`/`tls` sockets and to
 * `spawn`/`exec` results.
 */
export function socketWiredToProcess(code: string): Wiring | undefined {
  if (!/\b(?:net|tls)\b/.test(code) || !/\b(?:spawn|exec|execFile|fork)\s*\(/.test(code)) return undefined;
  const { sockets, processes } = bindings(code);
  if (sockets.size === 0) return undefined;
  const at = (m: RegExpExecArray, runsData = false): Wiring => ({ at: m.index, length: m[0].length, runsData });
  for (const m of matches(PIPE_TO_STDIN, code, 200)) {
    const source = before(code, m.index, NAME_BEFORE);
    if (source && !source[2] && sockets.has(source[1]!) && processes.has(m[1]!)) return at(m);
  }
  for (const m of matches(PIPE_FROM_OUTPUT, code, 200)) {
    const source = before(code, m.index, NAME_BEFORE);
    if (source && processes.has(source[1]!) && sockets.has(m[1]!)) return at(m);
  }
  for (const m of matches(ON_DATA, code, 500)) {
    const source = before(code, m.index, NAME_BEFORE);
    if (!source) continue;
    const [, emitter, stream] = source;
    const data = m[1];
    const fromProcess = stream !== undefined && processes.has(emitter!);
    const fromSocket = stream === undefined && sockets.has(emitter!);
    if (!fromProcess && !fromSocket) continue;
    const body = callbackBody(code, m.index + m[0].length);
    const d = escapeRegExp(data!);
    if (fromProcess) {
      // the process's output written to a socket
      for (const s of sockets) if (new RegExp(`(?<![\\w$.])${escapeRegExp(s)}\\s*\\.\\s*(?:write|end|send)\\s*\\(\\s*${d}\\b`).test(body)) return at(m);
    } else {
      // the socket's data written to a process, or run as a command
      for (const p of processes) if (new RegExp(`(?<![\\w$.])${escapeRegExp(p)}\\s*\\.\\s*stdin\\s*\\.\\s*(?:write|end)\\s*\\(\\s*${d}\\b`).test(body)) return at(m);
      if (new RegExp(`(?<![\\w$])(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\\s*\\(\\s*(?:String\\s*\\(\\s*)?${d}\\b`).test(body)) return at(m, true);
    }
  }
  for (const m of matches(STDIO_SOCKET, code, 100)) if (sockets.has(m[1]!)) return { at: m.index, length: m[0].length, runsData: false };
  return undefined;
}
