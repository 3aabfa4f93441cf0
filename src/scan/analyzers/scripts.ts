/**
 * CGI-style and server scripts: Perl, Python, Node.js, shell. Request input reaching
 * command or code execution, and sockets wired to an interpreter (reverse/bind shells).
 */
import { plainProgramOf } from '../argv.js';
import type { AnalyzerContext } from '../context.js';
import { analyzeWriters } from './writers.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { braceBody, callArgs } from '../text.js';
import { blankStrings } from '../lexer.js';
import { fileManager } from './admin-tools.js';
import { socketWiredToProcess } from './node-wiring.js';
import { pythonScopes, scopedTaint, type ScopedTaint, type Seed } from './script-scopes.js';

interface ScriptSpec {
  flow: FlowSpec;
  /**
   * The request sources for one file, where some only are request data in some programs
   * (standard input in a CGI program, `self.path` in an HTTP handler); `stdin` says whether
   * standard input is one. Without it, `flow.source` holds for every file.
   */
  sourceFor?: (code: string) => { source: RegExp; stdin: boolean };
  sinks: RegExp;
  /** socket + interpreter evidence */
  socket: RegExp;
  shell: RegExp;
}

/** Perl's request sources other than standard input. */
const PERL_REQUEST = String.raw`\bparam\s*\(|\$ENV\s*\{\s*['"]?(?:QUERY_STRING|HTTP_\w+|CONTENT_\w+|REQUEST_URI)|\$(?:cgi|q|query|cgi_obj)\s*->\s*(?:param|Vars|url_param)|\$FORM\s*\{|\$in\s*\{|\bReadParse\b`;
/** Standard input, which carries the request body in a CGI program. */
const PERL_STDIN = String.raw`<STDIN>|\b(?:sys)?read\s*\(\s*STDIN`;

/** What marks a Perl script as a CGI program: the request's environment, a CGI module, a Content-Type header. */
const PERL_CGI = /\b(?:QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH|HTTP_\w+|CGI|ReadParse)\b|Content-type\s*:/i;
const PERL_SOURCES = { cgi: new RegExp(`${PERL_REQUEST}|${PERL_STDIN}`), other: new RegExp(PERL_REQUEST) };

const PERL: ScriptSpec = {
  // the request body reaches a CGI program on its standard input; a command-line program
  // (a packaging tool asking for a patch name) reads its user's terminal there
  sourceFor: (code) => (PERL_CGI.test(code) ? { source: PERL_SOURCES.cgi, stdin: true } : { source: PERL_SOURCES.other, stdin: false }),
  flow: {
    source: PERL_SOURCES.cgi,
    // names without their sigil: shells fill @cmd and read $cmd[1], which is the same array
    assign: /(?:\b(?:my|local|our)\s*\(?\s*)?[$@%](\w{1,40})(?:\s*\{[^}\n]{0,40}\})?(?:\s*\))?\s*\.?=(?![=~])\s*([^;]{1,300})/g,
    varRef: /[$@%]\{?(\w+)/g,
  },
  // `eval { ... }` is Perl's try block, not code evaluation: only `eval EXPR` runs data; a
  // name that merely starts like one (`evaluate_uri`, `execute`) is another sub
  sinks: /(?<![\w$>])(?:system|exec|eval(?!\s*\{)|qx)\b\s*[({/|!]?|`[^`\n]{1,200}`|\bopen\s*\(?\s*(?:[\w$]+|"\w+"|'\w+')\s*,\s*["'][^"'\n]{0,80}\|/g,
  socket: /\b(?:socket\s*\(|IO::Socket::INET|Socket::INET)/,
  // a standard handle duplicated onto another (`open(STDIN, ">&SOCK")`; a redirect to /dev/null
  // is no wiring) with a shell or command run right after it (see wiredShell)
  // group 1: the handle it is wired to (`">&SOCK"`, `"<&" . fileno($c)`, `'>&', $sock`)
  shell: /open\s*\(?\s*STD(?:IN|OUT|ERR)\s*,\s*["']?[<>+]*&=?\s*(?:["']\s*[,.]\s*)?(?:fileno\s*\(\s*)?(\$?\w+)/g,
};

/** Python's request sources in any program. */
const PY_REQUEST = String.raw`\brequest\s*\.\s*(?:args|form|values|data|json|get_json|files|headers|cookies|GET|POST|body|query_params)\b|\bcgi\s*\.\s*FieldStorage\s*\(|\bos\s*\.\s*environ\s*(?:\[\s*|\.get\s*\(\s*)['"](?:QUERY_STRING|HTTP_\w+)|\bparse_qs\s*\(`;
/** Standard input: the request body in a CGI program. */
const PY_STDIN = String.raw`\bsys\s*\.\s*stdin\b`;
/** The request line, headers and body as an http.server handler sees them. */
const PY_HANDLER = String.raw`\bself\s*\.\s*(?:path|headers|rfile)\b`;
const PY_CGI = /\b(?:QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH|cgi|wsgi)\b|Content-type\s*:/i;
/** A request handler class of the standard library's servers: elsewhere `self.path` is any object's attribute. */
const PY_HANDLER_CLASS = /\b(?:Base|Simple|CGI)HTTPRequestHandler\b|\b(?:Stream|Datagram|Base)RequestHandler\b/;
const PY_SOURCES = new Map<string, RegExp>();

function pythonSources(code: string): { source: RegExp; stdin: boolean } {
  const stdin = PY_CGI.test(code);
  const handler = PY_HANDLER_CLASS.test(code);
  const key = `${stdin}${handler}`;
  let source = PY_SOURCES.get(key);
  if (!source) PY_SOURCES.set(key, (source = new RegExp([PY_REQUEST, ...(stdin ? [PY_STDIN] : []), ...(handler ? [PY_HANDLER] : [])].join('|'))));
  return { source, stdin };
}

const PYTHON: ScriptSpec = {
  sourceFor: pythonSources,
  flow: {
    source: new RegExp(`${PY_REQUEST}|${PY_STDIN}|${PY_HANDLER}`),
    assign: /^[ \t]*([A-Za-z_]\w{0,40})(?:\s*,\s*\w{1,40}){0,6}\s*=(?!=)\s*([^\n]{1,300})/gm,
    varRef: /\b([A-Za-z_]\w*)\b/g,
  },
  sinks:
    /\b(?:os\s*\.\s*(?:system|popen|exec\w*|spawn\w*)|subprocess\s*\.\s*(?:call|run|Popen|check_output|check_call|getoutput|getstatusoutput)|commands\s*\.\s*getoutput|pty\s*\.\s*spawn|(?<![\w.])eval|(?<![\w.])exec)\s*\(/g,
  socket: /\bsocket\s*\.\s*socket\s*\(|\bsocket\s*\(\s*(?:socket\.)?AF_INET/,
  shell: /\b(?:os\s*\.\s*dup2|pty\s*\.\s*spawn)\b|["']\/bin\/(?:ba)?sh["']|["']cmd(?:\.exe)?["']/,
};

const NODE: ScriptSpec = {
  flow: {
    source: /\breq(?:uest)?\s*\.\s*(?:query|body|params|headers|cookies|url)\b|\burl\s*\.\s*parse\s*\(\s*req|\bsearchParams\s*\.\s*get\s*\(/,
    assign: /(?<![\w$.])(?:const\s+|let\s+|var\s+)?([A-Za-z_$][\w$]{0,40})\s*=(?![=>])\s*([^;\n]{1,300})/g,
    varRef: /\b([A-Za-z_$][\w$]*)\b/g,
  },
  sinks:
    /(?<![\w.$])(?:child_process\s*\.\s*|cp\s*\.\s*)?(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\(|(?<![\w.$])eval\s*\(|\bnew\s+Function\s*\(|\bvm\s*\.\s*run\w*\s*\(/g,
  socket: /\bnet\s*\.\s*(?:connect|createConnection|Socket)\b|new\s+net\s*\.\s*Socket/,
  shell: /["'](?:\/bin\/(?:ba)?sh|cmd(?:\.exe)?)["']/,
};

const SHELL: ScriptSpec = {
  flow: {
    source: /\$\{?(?:QUERY_STRING|HTTP_\w+|REQUEST_URI|PATH_INFO|CONTENT_LENGTH)\b|\bread\s+-?\w*\s*\w+/,
    // `^\s*` would run from every line of a blank run to its end (quadratic); each line starts its
    // own match, and with /m a CR ends a line too, so it is no blank here (200 KB of CRs: 32 CPU-s)
    assign: /^[^\S\r\n]*(?:export\s+|local\s+)?(\w+)=([^\n]{1,300})/gm,
    varRef: /\$\{?(\w+)/g,
  },
  sinks: /(?<![\w-])(?:eval|sh\s+-c|bash\s+-c)\b|\$\(|`[^`\n]{1,200}`/g,
  socket: /\/dev\/tcp\/|\bnc(?:at)?\s+(?:-\w+\s+)*[\w.$]+\s+\d+|\bsocat\b|mkfifo/,
  shell: /\b(?:-e\s+\/bin\/(?:ba)?sh|bash\s+-i|sh\s+-i|\/bin\/(?:ba)?sh\s+-i|0<&\d+|>&\s*\/dev\/tcp)/,
};

/**
 * How far request taint is followed in a file of `size`: in big files (bundled libraries) one
 * short name stands for many values across functions, so there only a value taken from the
 * request directly, or one assignment away, counts.
 */
function requestReach(taint: Taint, size: number): (expr: string) => boolean {
  return size >= 65536 ? (e) => taint.touchesDirectly(e) : (e) => taint.touches(e);
}

/** Where a function is defined, by language: group 1 is its name; the body follows the match. */
const FUNCTION_DEF: Record<string, RegExp> = {
  // `sub ekse($) {`: a prototype may sit between the name and the body
  perl: /\bsub\s+(\w{1,40})\s*(?:\([$@%;\\&*\s]{0,20}\)\s*)?\{/g,
  python: /^[ \t]*def\s+(\w{1,40})\s*\([^)\n]{0,200}\)\s*:/gm,
  node: /\bfunction\s+([A-Za-z_$][\w$]{0,40})\s*\([^)\n]{0,200}\)\s*\{/g,
};

/**
 * How far a function body is read: up to the next definition, at most this many characters.
 * Perl CGI scripts parse the request by hand in one long sub (read STDIN, split the pairs, undo
 * the URL encoding, fill a hash, `return %form`), with its `return` at the very end.
 */
const BODY_WINDOW: Record<string, number> = { perl: 6000 };

/**
 * Functions that hand back request data (`def get(name): ... return unquote(value)` over
 * QUERY_STRING, `sub param_of { ... }`): their calls are request sources too. Bodies are
 * read shallowly (BODY_WINDOW, else 1,500 characters).
 */
function requestGetters(code: string, lang: string, defs: RegExpExecArray[], taint: Taint): string[] {
  const found: string[] = [];
  const returns = requestReach(taint, code.length);
  const window = BODY_WINDOW[lang] ?? 1500;
  for (let i = 0; i < defs.length && found.length < 20; i++) {
    const d = defs[i]!;
    const start = d.index + d[0].length;
    const end = Math.min(defs[i + 1]?.index ?? code.length, start + window);
    const body = code.slice(start, end);
    for (const r of matches(/\breturn\b([^;\n]{1,200})/g, body, 20)) {
      if (returns(r[1]!)) {
        found.push(d[1]!.replace(/\$/g, '\\$'));
        break;
      }
    }
  }
  return found;
}

/**
 * Python functions that hand back request data, read by their own scope's taint: a `return`
 * in the body that reaches the request makes every call of the function a request source.
 */
function scopedGetters(code: string, scoped: ScopedTaint, size: number): string[] {
  const found = new Set<string>();
  scoped.scopes.forEach((s, i) => {
    if (found.size >= 20 || found.has(s.name)) return;
    const returns = requestReach(scoped.of(i), size);
    for (const r of matches(/\breturn\b([^;\n]{1,200})/g, code.slice(s.bodyStart, s.end), 20)) {
      if (returns(r[1]!)) {
        found.add(s.name);
        break;
      }
    }
  });
  return [...found];
}

/**
 * Perl's `read(STDIN, $buf, $ENV{CONTENT_LENGTH})` (or sysread) fills $buf with the request
 * body: an assignment in all but syntax. `$_` is a target like any other (name `_`).
 */
const READ_TARGET: Record<string, RegExp> = { perl: /\b(?:sys)?read\s*\(\s*STDIN\s*,\s*\$(\w{1,40})/g };
/**
 * Bindings the assignment regex cannot see: loop variables take the values of what they
 * iterate (`for q in q_list:`, `foreach my $p (@pairs)`, `for (const p of parts)`), and
 * Python unpacks tuples (`k, v = pair.split('=')`). Group 1 holds the names, group 2 the value.
 */
const BINDERS: Record<string, RegExp[]> = {
  python: [/^[ \t]*for\s+(\w{1,40}(?:\s*,\s*\w{1,40}){0,6})\s+in\s+([^\n]{1,200}):/gm, /^[ \t]*(\w{1,40}(?:\s*,\s*\w{1,40}){1,6})\s*=(?!=)\s*([^\n]{1,300})/gm],
  perl: [
    /\bforeach\s+(?:my\s+)?\$(\w{1,40})\s*\(([^)\n]{1,200})\)/g,
    // `foreach (@pairs)` walks the list in `$_` (group 1 matches empty: the name is `_`)
    /\bfor(?:each)?\s*()\(\s*([@%][^;)\n]{1,200})\)/g,
    // `my ($name, $value) = split /=/;`: a list assignment binds every name on its left
    /(?:\b(?:my|local|our)\s*)?\(\s*([$@%]\w{1,40}(?:\s*,\s*[$@%]\w{1,40}){1,6})\s*\)\s*=(?![=~>])\s*([^;]{1,300})/g,
  ],
  node: [/\bfor\s*\(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]{0,40})\s+(?:of|in)\s+([^)\n]{1,200})\)/g],
};

/**
 * Perl operators that work on `$_` when given no operand: `split /=/` splits `$_`. The value
 * of such an expression comes from `$_`, which the taint sees only when it is written out.
 */
function withImplicitTopic(lang: string, expr: string): string {
  if (lang !== 'perl') return expr;
  return /^\s*split\s*\(?\s*(?:\/[^/\n]{0,80}\/|'[^'\n]{0,80}'|"[^"\n]{0,80}")\s*\)?\s*$/.test(expr) ? `${expr} $_` : expr;
}

/**
 * The request-data variables of a script: assignments, then binders and read() targets (when
 * standard input carries the request), to a fixed point.
 */
function scriptTaint(code: string, lang: string, flow: FlowSpec, stdin: boolean, seed?: Seed): Taint {
  const taint = new Taint(code, flow);
  if (seed) {
    for (const v of seed.vars) taint.vars.add(v);
    for (const v of seed.direct) taint.direct.add(v);
  }
  const read = READ_TARGET[lang];
  if (read && stdin) {
    for (const m of matches(read, code, 20)) {
      taint.vars.add(m[1]!);
      taint.direct.add(m[1]!);
    }
  }
  const binds = (BINDERS[lang] ?? []).flatMap((re) => [...matches(re, code, 200)]);
  for (let round = 0; round < 3 && binds.length > 0; round++) {
    taint.propagate();
    let changed = false;
    for (const m of binds) {
      if (!taint.touches(withImplicitTopic(lang, m[2]!))) continue;
      for (const n of (m[1] || '_').split(',')) {
        const name = n.trim().replace(/^[$@%]/, '');
        if (name && !taint.vars.has(name)) {
          taint.vars.add(name);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  taint.propagate();
  return taint;
}

function analyzeScript(ctx: AnalyzerContext, spec0: ScriptSpec, nodeRequiresChildProcess: boolean): void {
  const { code, ev } = ctx;
  const lang = ctx.ev.language;
  const sources = spec0.sourceFor?.(code) ?? { source: spec0.flow.source, stdin: true };
  const spec = sources.source === spec0.flow.source ? spec0 : { ...spec0, flow: { ...spec0.flow, source: sources.source } };
  // Python: taint per function scope (a method's `p = self.path` says nothing of another's `p`);
  // a file that never reads the request has no taint in any scope, and skips the work
  const scopes = lang === 'python' && sources.source.test(code) ? pythonScopes(code) : undefined;
  const taintOf = (flow: FlowSpec): { taint: Taint; scoped?: ScopedTaint } => {
    if (!scopes) return { taint: scriptTaint(code, lang, flow, sources.stdin) };
    const scoped = scopedTaint(code, scopes, (text, seed) => scriptTaint(text, lang, flow, sources.stdin, seed));
    return { taint: scoped.module, scoped };
  };
  let { taint, scoped } = taintOf(spec.flow);
  // the file's function definitions, read once for the getters and (Perl) the wrapped sinks
  const def = FUNCTION_DEF[lang];
  const defs = def ? [...matches(def, code, 500)] : [];
  const getters = scoped ? scopedGetters(code, scoped, ctx.size) : requestGetters(code, lang, defs, taint);
  if (getters.length > 0) {
    // Perl calls a sub without parentheses too: `my %in = &init_cgi;`
    const bare = lang === 'perl' ? `|&\\s*(?:${getters.join('|')})\\b` : '';
    const source = new RegExp(`${spec.flow.source.source}|(?<![\\w$.>&])(?:${getters.join('|')})\\s*\\(${bare}`, spec.flow.source.flags);
    ({ taint, scoped } = taintOf({ ...spec.flow, source }));
  }
  const taintAt = (offset: number): Taint => scoped?.at(offset) ?? taint;
  if (ctx.ev.language === 'node') analyzeWriters(ctx, taint);
  if (ctx.ev.language === 'perl') fileManager(ctx, taint);
  if (ctx.ev.language === 'shell') shellBodySaver(ctx);
  let sinks = 0;
  const reaches = requestReach(taint, ctx.size);
  const reachesAt = (offset: number, expr: string): boolean => (scoped ? requestReach(taintAt(offset), ctx.size)(expr) : reaches(expr));
  if (!nodeRequiresChildProcess || /child_process|\beval\s*\(|new\s+Function|\bvm\s*\./.test(code)) {
    for (const m of matches(spec.sinks, code, 500)) {
      let args: string;
      const openAt = m[0].endsWith('(') ? m.index + m[0].length - 1 : -1;
      if (openAt >= 0) args = callArgs(code, openAt);
      else args = code.slice(m.index, Math.min(code.length, m.index + 300)).split(/[;\n]/)[0]!;
      const name = m[0].replace(/\s+/g, '').replace(/\($/, '').slice(0, 40);
      // Perl's list form (`system('/usr/bin/whois', $d)`) runs a fixed program without a shell
      const program = lang === 'perl' && (name === 'system' || name === 'exec') ? plainProgramOf(args, (e) => reachesAt(m.index, e)) : undefined;
      if (program !== undefined) {
        if (reachesAt(m.index, args)) ev.add('capability', `request chooses arguments of a fixed program (${program}), not the command`, 2, m.index, m[0].length);
        continue;
      }
      // Perl's single quotes do not interpolate: `eval 'sub f { param(@_) }'` runs fixed text
      if (lang === 'perl') args = args.replace(PERL_SINGLE_QUOTED, "''");
      sinks++;
      if (taint.hasSource(args)) ev.add('flow', `request input reaches ${name}`, 12, m.index, m[0].length);
      else if (reachesAt(m.index, args)) ev.add('flow', `request-derived variable reaches ${name}`, 11, m.index, m[0].length);
    }
  }
  if (lang === 'perl') wrappedSinks(ctx, spec, defs, reaches, taint);
  if (lang === 'node') {
    // a socket and a shell name in one bundle are no shell: data must move between the two
    const wired = socketWiredToProcess(code);
    if (wired && (wired.runsData || spec.shell.test(code))) ev.add('capability', 'socket wired to a system shell (reverse/bind shell)', 10, wired.at, wired.length);
  } else {
    const sock = spec.socket.exec(code);
    const shell = lang === 'perl' ? wiredShell(code, spec.shell) : spec.shell.exec(code);
    if (sock && shell) ev.add('capability', 'socket wired to a system shell (reverse/bind shell)', 10, shell.index, shell[0].length);
  }
  // Node: a socket opened to a host/port named by the request (HTTP tunnel)
  if (ctx.ev.language === 'node' && /new\s+net\s*\.\s*Socket|net\s*\.\s*(?:connect|createConnection)\s*\(/.test(code)) {
    for (const m of matches(/\.\s*(?:connect|createConnection)\s*\(/g, code, 100)) {
      // in a bundle, as for the sinks, only a value one step from the request counts
      // (a quoted "host" is a key, not the variable host)
      if (reaches(blankStrings(callArgs(code, m.index + m[0].length - 1), '\'"`'))) {
        ev.add('flow', 'request input chooses a network host/port to connect to (tunnel)', 8, m.index, m[0].length);
        break;
      }
    }
  }
  if (sinks > 0 && spec.flow.source.test(code)) {
    ev.add('flow', 'command/code execution in a script that reads request input', 3);
  }
}

export const analyzePerl = (ctx: AnalyzerContext): void => analyzeScript(ctx, PERL, false);
export const analyzePython = (ctx: AnalyzerContext): void => analyzeScript(ctx, PYTHON, false);
export const analyzeNode = (ctx: AnalyzerContext): void => analyzeScript(ctx, NODE, true);
export const analyzeShell = (ctx: AnalyzerContext): void => analyzeScript(ctx, SHELL, false);

/**
 * A shell CGI that stores the request body in a file: stdin holds CONTENT_LENGTH bytes of it,
 * copied out with `dd ... of=FILE`, `head -c $CONTENT_LENGTH > FILE` or `cat > FILE` (uploader).
 */
function shellBodySaver(ctx: AnalyzerContext): void {
  const { code, ev } = ctx;
  if (!/\$\{?CONTENT_LENGTH\b/.test(code)) return;
  const save =
    /\bdd\b[^\n]*\$\{?CONTENT_LENGTH\b[^\n]*\bof=\S+|\bdd\b[^\n]*\bof=\S+[^\n]*\$\{?CONTENT_LENGTH\b|\bhead\s+-c\s*"?\$\{?CONTENT_LENGTH\b[^\n|]*>\s*\S+|^\s*cat\s*>\s*\S+/m.exec(
      code,
    );
  if (save) ev.add('capability', 'CGI script saves the request body to a file (uploader)', 6, save.index, save[0].length);
}

/** A single-quoted Perl string (no interpolation: its text is fixed). */
const PERL_SINGLE_QUOTED = /'(?:[^'\\\n]|\\.){0,2000}'/g;

/** Where a Perl sub takes its arguments: `my $cmd = shift;`, `my ($a, $b) = @_;`. */
const PERL_PARAMS = /\b(?:my|local|our)\s*\(?\s*([$@%]\w{1,40}(?:\s*,\s*[$@%]\w{1,40}){0,6})\s*\)?\s*=\s*(?:shift\b|@_)/g;

/**
 * Perl subs that hand their own arguments to a command or code sink (`sub ekse { my $cmd =
 * shift; return \`$cmd\`; }`): a call of one with request data runs that data, though the sink
 * itself sees only a parameter. Shells route every command through one such helper; an
 * application's helper called with its own fixed commands never gets here.
 */
function wrappedSinks(ctx: AnalyzerContext, spec: ScriptSpec, defs: RegExpExecArray[], reaches: (expr: string) => boolean, taint: Taint): void {
  const { code, ev } = ctx;
  const wrappers = new Map<string, string>();
  for (let i = 0; i < defs.length && wrappers.size < 20; i++) {
    const d = defs[i]!;
    // the sub's own block (to its closing brace), not the statements that follow it
    const body = braceBody(code, d.index + d[0].length - 1, Math.min(1500, (defs[i + 1]?.index ?? code.length) - d.index));
    const params = new Set<string>();
    for (const m of matches(PERL_PARAMS, body, 10)) for (const n of m[1]!.split(',')) params.add(n.trim().slice(1));
    // one assignment away inside the body: `$cod = $code;`
    for (const m of matches(spec.flow.assign, body, 50)) {
      for (const r of m[2]!.matchAll(spec.flow.varRef)) if (params.has(r[1]!)) params.add(m[1]!);
    }
    const usesParam = (args: string): boolean => /\$_\[\s*\d\s*\]|@_\b|\bshift\b/.test(args) || [...args.matchAll(spec.flow.varRef)].some((r) => params.has(r[1]!));
    for (const m of matches(spec.sinks, body, 50)) {
      const openAt = m[0].endsWith('(') ? m.index + m[0].length - 1 : -1;
      const args = (openAt >= 0 ? callArgs(body, openAt) : body.slice(m.index, m.index + 300).split(/[;\n]/)[0]!).replace(PERL_SINGLE_QUOTED, "''");
      if (usesParam(args)) {
        wrappers.set(d[1]!, m[0].startsWith('`') ? 'backticks' : m[0].replace(/[\s({/|!]+$/, ''));
        break;
      }
    }
  }
  if (wrappers.size === 0) return;
  const call = new RegExp(`(?<![\\w$>:])&?\\s*(${[...wrappers.keys()].join('|')})\\s*\\(`, 'g');
  for (const m of matches(call, code, 500)) {
    const before = code.slice(Math.max(0, m.index - 5), m.index);
    if (/\bsub\s*$/.test(before)) continue;
    const args = callArgs(code, m.index + m[0].length - 1);
    const direct = taint.hasSource(args);
    if (!direct && !reaches(args)) continue;
    const name = m[1]!;
    ev.add('flow', `request ${direct ? 'input' : 'data'} reaches ${name}(), which runs its argument with ${wrappers.get(name)}`, direct ? 12 : 11, m.index, m[0].length);
    return;
  }
}

/** A command or shell run: `system($sh)`, `exec {"/bin/sh"} ...`, a quoted shell path or `cmd`. */
const RUNS_SHELL = /\b(?:exec|system)\b\s*[({"'$]|["']\/bin\/(?:ba)?sh\b|["']cmd(?:\.exe)?\b/;

/** Perl's socket handles: `socket(SOCK, ...)`, `accept(CLIENT, SERVER)`, `$s = IO::Socket::INET->new(...)`, `$c = $srv->accept`. */
const SOCKET_HANDLES = /\b(?:socket|accept)\s*\(\s*(\$?\w+)|(\$\w+)\s*=\s*(?:new\s+)?(?:IO::Socket::INET\b|\$\w+\s*->\s*accept\b)/g;

/**
 * Perl reverse and bind shells duplicate STDIN/STDOUT onto the socket and run a shell at
 * once. A program that redirects its handles to something else (the debugger running a
 * command on its terminal, a daemon silencing STDERR), or runs commands far from the
 * redirection, is no wiring: the handle must be a socket the file opens, and the run must
 * follow within a few statements.
 */
function wiredShell(code: string, dup: RegExp): RegExpExecArray | null {
  const sockets = new Set<string>();
  for (const m of matches(SOCKET_HANDLES, code, 50)) sockets.add(m[1] ?? m[2]!);
  for (const m of matches(dup, code, 50)) if (sockets.has(m[1]!) && RUNS_SHELL.test(code.slice(m.index, m.index + 800))) return m;
  // or the shell named right next to where the socket is opened (`my $shell = "/bin/sh -i";
  // socket(SOCKET, ...); connect(...)`), however the handles are then wired
  for (const m of matches(SOCKET_OPENS, code, 50)) {
    const near = SHELL_PATH.exec(code.slice(Math.max(0, m.index - 800), m.index + 800));
    if (near) return m;
  }
  return null;
}

/** Where a Perl script opens a socket. */
const SOCKET_OPENS = /\bsocket\s*\(\s*\w+\s*,|\bIO::Socket::INET\s*->\s*new\b/g;
/** A shell named as a program: a quoted `/bin/sh`, `/bin/bash` or `cmd.exe`. */
const SHELL_PATH = /["']\/bin\/(?:ba)?sh\b|["']cmd(?:\.exe)?["']/;
