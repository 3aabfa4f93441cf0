/**
 * CGI-style and server scripts: Perl, Python, Node.js, shell. Request input reaching
 * command or code execution, and sockets wired to an interpreter (reverse/bind shells).
 */
import type { AnalyzerContext } from '../context.js';
import { analyzeWriters } from './writers.js';
import { Taint, matches, type FlowSpec } from '../flow.js';
import { callArgs } from '../text.js';
import { fileManager } from './admin-tools.js';

interface ScriptSpec {
  flow: FlowSpec;
  sinks: RegExp;
  /** socket + interpreter evidence */
  socket: RegExp;
  shell: RegExp;
}

const PERL: ScriptSpec = {
  flow: {
    source:
      /\bparam\s*\(|\$ENV\s*\{\s*['"]?(?:QUERY_STRING|HTTP_\w+|CONTENT_\w+|REQUEST_URI)|<STDIN>|\bread\s*\(\s*STDIN|\$(?:cgi|q|query|cgi_obj)\s*->\s*(?:param|Vars|url_param)|\$FORM\s*\{|\$in\s*\{|\bReadParse\b/,
    // names without their sigil: shells fill @cmd and read $cmd[1], which is the same array
    assign: /(?:\b(?:my|local|our)\s*\(?\s*)?[$@%](\w{1,40})(?:\s*\{[^}\n]{0,40}\})?(?:\s*\))?\s*\.?=(?![=~])\s*([^;]{1,300})/g,
    varRef: /[$@%]\{?(\w+)/g,
  },
  sinks: /(?<![\w$>])(system|exec|eval|qx)\s*[({/|!]?|`[^`\n]{1,200}`|\bopen\s*\(?\s*[\w$]+\s*,\s*["'][^"'\n]{0,80}\|/g,
  socket: /\b(?:socket\s*\(|IO::Socket::INET|Socket::INET)/,
  shell: /(?:open\s*\(\s*STD(?:IN|OUT|ERR)\s*,\s*["']?[>&]+|exec\s*\(?\s*["']?\/bin\/(?:ba)?sh|["']\/bin\/(?:ba)?sh(?: -i)?["']|cmd\.exe)/,
};

const PYTHON: ScriptSpec = {
  flow: {
    source:
      /\brequest\s*\.\s*(?:args|form|values|data|json|get_json|files|headers|cookies|GET|POST|body|query_params)\b|\bcgi\s*\.\s*FieldStorage\s*\(|\bos\s*\.\s*environ\s*(?:\[\s*|\.get\s*\(\s*)['"](?:QUERY_STRING|HTTP_\w+)|\bsys\s*\.\s*stdin\b|\bself\s*\.\s*(?:path|headers|rfile)\b|\bparse_qs\s*\(/,
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
  perl: /\bsub\s+(\w{1,40})\s*\{/g,
  python: /^[ \t]*def\s+(\w{1,40})\s*\([^)\n]{0,200}\)\s*:/gm,
  node: /\bfunction\s+([A-Za-z_$][\w$]{0,40})\s*\([^)\n]{0,200}\)\s*\{/g,
};

/**
 * Functions that hand back request data (`def get(name): ... return unquote(value)` over
 * QUERY_STRING, `sub param_of { ... }`): their calls are request sources too. Bodies are
 * read shallowly: up to the next definition, at most 1,500 characters.
 */
function requestGetters(code: string, lang: string, taint: Taint): string[] {
  const def = FUNCTION_DEF[lang];
  if (!def) return [];
  const found: string[] = [];
  const returns = requestReach(taint, code.length);
  const defs = [...matches(def, code, 500)];
  for (let i = 0; i < defs.length && found.length < 20; i++) {
    const d = defs[i]!;
    const start = d.index + d[0].length;
    const end = Math.min(defs[i + 1]?.index ?? code.length, start + 1500);
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

/** Perl's `read(STDIN, $buf, $ENV{CONTENT_LENGTH})` fills $buf with the request body: an assignment in all but syntax. */
const READ_TARGET: Record<string, RegExp> = { perl: /\bread\s*\(\s*STDIN\s*,\s*\$(\w{1,40})/g };
/**
 * Bindings the assignment regex cannot see: loop variables take the values of what they
 * iterate (`for q in q_list:`, `foreach my $p (@pairs)`, `for (const p of parts)`), and
 * Python unpacks tuples (`k, v = pair.split('=')`). Group 1 holds the names, group 2 the value.
 */
const BINDERS: Record<string, RegExp[]> = {
  python: [/^[ \t]*for\s+(\w{1,40}(?:\s*,\s*\w{1,40}){0,6})\s+in\s+([^\n]{1,200}):/gm, /^[ \t]*(\w{1,40}(?:\s*,\s*\w{1,40}){1,6})\s*=(?!=)\s*([^\n]{1,300})/gm],
  perl: [/\bforeach\s+(?:my\s+)?\$(\w{1,40})\s*\(([^)\n]{1,200})\)/g],
  node: [/\bfor\s*\(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]{0,40})\s+(?:of|in)\s+([^)\n]{1,200})\)/g],
};

/** The request-data variables of a script: assignments, then binders and read() targets, to a fixed point. */
function scriptTaint(code: string, lang: string, flow: FlowSpec): Taint {
  const taint = new Taint(code, flow);
  const read = READ_TARGET[lang];
  if (read) {
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
      if (!taint.touches(m[2]!)) continue;
      for (const n of m[1]!.split(',')) {
        const name = n.trim();
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

function analyzeScript(ctx: AnalyzerContext, spec: ScriptSpec, nodeRequiresChildProcess: boolean): void {
  const { code, ev } = ctx;
  const lang = ctx.ev.language;
  let taint = scriptTaint(code, lang, spec.flow);
  const getters = requestGetters(code, lang, taint);
  if (getters.length > 0) {
    const source = new RegExp(`${spec.flow.source.source}|(?<![\\w$.>])(?:${getters.join('|')})\\s*\\(`, spec.flow.source.flags);
    taint = scriptTaint(code, lang, { ...spec.flow, source });
  }
  if (ctx.ev.language === 'node') analyzeWriters(ctx, taint);
  if (ctx.ev.language === 'perl') fileManager(ctx, taint);
  if (ctx.ev.language === 'shell') shellBodySaver(ctx);
  let sinks = 0;
  const reaches = requestReach(taint, ctx.size);
  if (!nodeRequiresChildProcess || /child_process|\beval\s*\(|new\s+Function|\bvm\s*\./.test(code)) {
    for (const m of matches(spec.sinks, code, 500)) {
      let args: string;
      const openAt = m[0].endsWith('(') ? m.index + m[0].length - 1 : -1;
      if (openAt >= 0) args = callArgs(code, openAt);
      else args = code.slice(m.index, Math.min(code.length, m.index + 300)).split(/[;\n]/)[0]!;
      const name = m[0].replace(/\s+/g, '').replace(/\($/, '').slice(0, 40);
      sinks++;
      if (taint.hasSource(args)) ev.add('flow', `request input reaches ${name}`, 12, m.index, m[0].length);
      else if (reaches(args)) ev.add('flow', `request-derived variable reaches ${name}`, 11, m.index, m[0].length);
    }
  }
  const sock = spec.socket.exec(code);
  const shell = spec.shell.exec(code);
  if (sock && shell) ev.add('capability', 'socket wired to a system shell (reverse/bind shell)', 10, shell.index, shell[0].length);
  // Node: a socket opened to a host/port named by the request (HTTP tunnel)
  if (ctx.ev.language === 'node' && /new\s+net\s*\.\s*Socket|net\s*\.\s*(?:connect|createConnection)\s*\(/.test(code)) {
    for (const m of matches(/\.\s*(?:connect|createConnection)\s*\(/g, code, 100)) {
      if (taint.touches(callArgs(code, m.index + m[0].length - 1))) {
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
