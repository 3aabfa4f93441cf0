/**
 * PHP data flow on tokens (tokens.ts): which variables hold request data, per function
 * scope, across assignments, array/destructuring targets, foreach, object properties, user
 * function parameters and return values, constructors and `__invoke`; which variables hold
 * constant strings (escapes, concatenation, chr(), `~`, `^` and the usual decoders folded);
 * and whether request data reaches a sink that runs code or commands, loads code, or picks the
 * function or class that runs. Every transformation between source and sink is transparent:
 * a decoder, a string built from pieces or a call through a variable is a step, not a signal.
 * It complements the pattern-level analyzer in php.ts, which reads one call at a time.
 */
import type { AnalyzerContext } from '../../context.js';
import { checkBudget } from '../../budget.js';
import { b64, hexDecode, inflateAny, reverse, rot13 } from '../../decode.js';
import { argRanges, bracketMatches, tokenizePhp, type Tok } from './tokens.js';

/** Files with more tokens are applications: one name means many values and the pass costs more than it tells. */
const MAX_TOKENS = 20000;
/** Above this many tokens a script is an application: the request choosing what runs is routing. */
const MAX_CHOOSER_TOKENS = 1500;
const MAX_CONST = 1 << 20;

const CODE_SINKS = new Set(['eval', 'assert', 'create_function']);
const CMD_SINKS = new Set(['system', 'exec', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'expect_popen']);
/** Callback runners: name -> index of the callee argument (-1: the last one). */
const CALLBACKS = new Map<string, number>([
  ['call_user_func', 0],
  ['call_user_func_array', 0],
  ['forward_static_call', 0],
  ['forward_static_call_array', 0],
  ['array_map', 0],
  ['array_filter', 1],
  ['array_walk', 1],
  ['array_walk_recursive', 1],
  ['array_reduce', 1],
  ['usort', 1],
  ['uasort', 1],
  ['uksort', 1],
  ['register_shutdown_function', 0],
  ['register_tick_function', 0],
  ['iterator_apply', 1],
  ['ob_start', 0],
  ['set_error_handler', 0],
  ['set_exception_handler', 0],
  ['spl_autoload_register', 0],
  ['header_register_callback', 0],
  ['array_intersect_uassoc', -1],
  ['array_diff_uassoc', -1],
  ['array_udiff', -1],
  ['array_uintersect', -1],
  ['preg_replace_callback', 1],
  ['mb_ereg_replace_callback', 1],
]);
/** Functions whose result carries no text of their argument (a number, a hash, a boolean). */
const KILLS = new Set([
  'intval',
  'floatval',
  'boolval',
  'count',
  'strlen',
  'md5',
  'sha1',
  'crc32',
  'hash',
  'isset',
  'empty',
  'is_numeric',
  'is_array',
  'is_string',
  'file_exists',
  'is_file',
  'is_dir',
  'in_array',
  'array_key_exists',
  'strcmp',
  'strpos',
  'stripos',
  'htmlspecialchars',
  'htmlentities',
  'escapeshellarg',
  'basename',
  'preg_match',
  'preg_quote',
  'json_encode',
  'filesize',
  'time',
]);
/**
 * Built-in functions whose result carries their argument's text (decoders, string and array
 * plumbing, decryption): request data passes through them. Any other call not defined in the
 * file (a framework lookup, a registry, a validator) stops the flow: applications pass request
 * values to such functions all the time and get back their own values.
 */
const TRANSPARENT = new Set(
  (
    'array base64_decode str_rot13 strrev gzinflate gzuncompress gzdecode hex2bin urldecode rawurldecode stripslashes stripcslashes ' +
    'trim ltrim rtrim substr str_replace str_ireplace preg_replace strtolower strtoupper ucfirst lcfirst implode join explode array_pop ' +
    'array_shift array_values array_slice array_merge array_reverse array_flip array_keys reset end current next each sprintf vsprintf ' +
    'str_pad strtr pack unpack openssl_decrypt mcrypt_decrypt convert_uudecode json_decode unserialize str_split chunk_split strval ' +
    'iconv mb_convert_encoding utf8_decode utf8_encode htmlspecialchars_decode html_entity_decode addslashes escapeshellcmd func_get_args ' +
    'func_get_arg file_get_contents fgets fread stream_get_contents gzread bzdecompress base64_encode urlencode rawurlencode bin2hex ' +
    'str_repeat substr_replace wordwrap array_map array_filter array_combine array_fill_keys array_column compact extract strip_tags ' +
    'mb_substr mb_strtolower mb_strtoupper iterator_to_array get_object_vars'
  ).split(' '),
);
const REQUEST_ARRAYS = new Set(['_GET', '_POST', '_REQUEST', '_COOKIE', '_FILES', 'HTTP_GET_VARS', 'HTTP_POST_VARS', 'HTTP_COOKIE_VARS', 'HTTP_RAW_POST_DATA']);
/** Callees that run their arguments as code or commands when named by a string. */
const RUNNERS = new Set([...CODE_SINKS, ...CMD_SINKS]);

interface FnDef {
  name: string;
  params: string[];
  scope: number;
  bodyOpen: number;
  bodyClose: number;
}

interface Assign {
  targets: string[];
  /** `.=`: appends to the target's value. */
  append?: boolean;
  s: number;
  e: number;
  scope: number;
}

interface CallSite {
  /** Keys of the functions the call may enter (`name`, `class::__construct`, `*::__invoke`). */
  fns: string[];
  args: Array<[number, number]>;
  scope: number;
}

/** Words a request source is spelled with (lower case). */
const GATE_SOURCES = ['$_get', '$_post', '$_request', '$_cookie', '$_files', '$_server', '$http_', 'php://input', 'getallheaders', 'apache_request_headers'];
/** Calls of the sinks that apply beyond small scripts (not methods: `->exec(`, `::system(`). */
const GATE_SINKS = /(?<![\w>:$])(?:eval|assert|create_function|system|exec|shell_exec|passthru|popen|proc_open|preg_replace)\s*\(/;
const GATE_EVAL = /(?<![\w>:$])(?:eval|assert)\s*\(/;
/** Below this size the pass always runs: one-liners hide their sources and sinks best. */
const ALWAYS_SIZE = 8192;

export function analyzePhpDataflow(ctx: AnalyzerContext): void {
  // a bigger file needs a request source and a code/command sink in plain sight, or an eval of
  // constant code, for the pass to have anything to report (the pattern pass covers the rest)
  if (ctx.size > ALWAYS_SIZE) {
    const low = ctx.lower;
    if (!GATE_EVAL.test(low) && !(GATE_SOURCES.some((w) => low.includes(w)) && GATE_SINKS.test(low))) return;
  }
  // bounded by tokens, not bytes: packed shells are a few tokens around a megabyte-long string,
  // applications are many tokens (where one name means many values and the pass tells little)
  const toks = tokenizePhp(ctx.text, MAX_TOKENS + 1);
  if (toks.length === 0 || toks.length > MAX_TOKENS) return;
  new Flow(ctx, toks).run();
}

class Flow {
  readonly scope: Int32Array;
  readonly match: Int32Array;
  readonly fns = new Map<string, FnDef[]>();
  readonly defs: FnDef[] = [];
  readonly globalsIn = new Map<number, Set<string>>();
  readonly assigns: Assign[] = [];
  readonly calls: CallSite[] = [];
  readonly returns: Array<{ fn: FnDef; s: number; e: number }> = [];
  /**
   * Tainted variable keys -> token index from which they hold request data: a read before the
   * first tainting assignment does not see it (scripts run top to bottom; an application's
   * earlier loop over its own registry is not fed by a later request read). Parameters,
   * properties and globals read inside functions hold it everywhere (-1).
   */
  readonly tainted = new Map<string, number>();
  readonly taintedReturns = new Set<string>();
  readonly consts = new Map<string, string | null>();

  constructor(
    readonly ctx: AnalyzerContext,
    readonly toks: Tok[],
  ) {
    this.scope = new Int32Array(toks.length);
    this.match = bracketMatches(toks);
  }

  /** The partner of the bracket at `i`, or -1. */
  private close(i: number): number {
    return i >= 0 && i < this.match.length ? this.match[i]! : -1;
  }

  run(): void {
    this.collectFunctions();
    this.collectStatements();
    this.foldConstants();
    this.propagate();
    this.sinks();
  }

  private key(scope: number, name: string): string {
    return this.globalsIn.get(scope)?.has(name) ? `0:${name}` : `${scope}:${name}`;
  }

  private collectFunctions(): void {
    const t = this.toks;
    let cls = '';
    let clsClose = -1;
    for (let i = 0; i < t.length; i++) {
      if (i > clsClose) cls = '';
      const tk = t[i]!;
      if (tk.k !== 'id') continue;
      if ((tk.v === 'class' || tk.v === 'trait') && t[i + 1]?.k === 'id' && t[i - 1]?.v !== '::') {
        let j = i + 2;
        while (j < t.length && j < i + 60 && t[j]!.v !== '{') j++;
        const close = this.close(j);
        if (close !== -1) {
          cls = t[i + 1]!.v;
          clsClose = close;
        }
        continue;
      }
      if (tk.v !== 'function') continue;
      let j = i + 1;
      if (t[j]?.v === '&') j++;
      const named = t[j]?.k === 'id';
      const name = named ? t[j]!.v : '';
      if (named) j++;
      if (t[j]?.v !== '(') continue;
      const pclose = this.close(j);
      if (pclose === -1) continue;
      const params = argRanges(t, j, this.match).map(([s, e]) => {
        for (let k = s; k < e; k++) if (t[k]!.k === 'var') return t[k]!.v;
        return '';
      });
      let b = pclose + 1;
      while (b < t.length && b < pclose + 80 && t[b]!.v !== '{' && t[b]!.v !== ';') b++;
      if (t[b]?.v !== '{') continue;
      const bclose = this.close(b);
      if (bclose === -1) continue;
      const def: FnDef = { name: name && cls && i < clsClose ? `${cls}::${name}` : name, params, scope: this.defs.length + 1, bodyOpen: b, bodyClose: bclose };
      this.defs.push(def);
      for (const k of name ? [def.name, name, `*::${name}`] : []) {
        const list = this.fns.get(k);
        if (list) list.push(def);
        else this.fns.set(k, [def]);
      }
    }
    // inner functions start later and overwrite their outer function's scope
    for (const d of this.defs) this.scope.fill(d.scope, d.bodyOpen, d.bodyClose + 1);
  }

  private collectStatements(): void {
    const t = this.toks;
    for (let i = 0; i < t.length; i++) {
      const tk = t[i]!;
      const sc = this.scope[i]!;
      if (tk.k === 'id' && tk.v === 'global') {
        let set = this.globalsIn.get(sc);
        if (!set) this.globalsIn.set(sc, (set = new Set()));
        for (let j = i + 1; j < t.length && t[j]!.v !== ';'; j++) if (t[j]!.k === 'var') set.add(t[j]!.v);
        continue;
      }
      if (tk.k === 'var') {
        this.assignmentAt(i, sc);
        continue;
      }
      if (tk.k === 'op' && tk.v === '=' && (t[i - 1]?.v === ')' || t[i - 1]?.v === ']')) {
        this.destructuringAt(i, sc);
        continue;
      }
      if (tk.k !== 'id') continue;
      if (tk.v === 'foreach' && t[i + 1]?.v === '(') {
        const close = this.close(i + 1);
        let as = -1;
        for (let j = i + 2; j < close; j++) if (t[j]!.k === 'id' && t[j]!.v === 'as') as = j;
        if (close === -1 || as === -1) continue;
        const targets: string[] = [];
        for (let j = as + 1; j < close; j++) if (t[j]!.k === 'var') targets.push(this.key(sc, t[j]!.v));
        this.assigns.push({ targets, s: i + 2, e: as, scope: sc });
        continue;
      }
      if (tk.v === 'return') {
        const def = this.defs[sc - 1];
        if (def) this.returns.push({ fn: def, s: i + 1, e: this.exprEnd(i + 1) });
        continue;
      }
      if (t[i + 1]?.v !== '(') continue;
      const prev = t[i - 1];
      const args = argRanges(t, i + 1, this.match);
      // by-reference outputs: parse_str($q, $out), preg_match($p, $s, $m)
      if ((tk.v === 'parse_str' || tk.v === 'mb_parse_str') && args.length >= 2) this.outParam(args[1]!, args[0]!, sc);
      if ((tk.v === 'preg_match' || tk.v === 'preg_match_all') && args.length >= 3) this.outParam(args[2]!, args[1]!, sc);
      if (prev?.k === 'id' && prev.v === 'function') continue;
      if (prev?.k === 'id' && prev.v === 'new') this.calls.push({ fns: [`${tk.v}::__construct`], args, scope: sc });
      else if (prev?.v === '->' || prev?.v === '?->' || prev?.v === '::') this.calls.push({ fns: [`*::${tk.v}`], args, scope: sc });
      else if (this.fns.has(tk.v)) this.calls.push({ fns: [tk.v], args, scope: sc });
      if (CALLBACKS.has(tk.v) && args.length > 0) {
        const ci = CALLBACKS.get(tk.v)!;
        const callee = args[ci === -1 ? args.length - 1 : ci];
        const rest = args.filter((a) => a !== callee);
        const named = callee && t[callee[0]]!.k === 'str' ? t[callee[0]]!.v.toLowerCase() : undefined;
        this.calls.push({ fns: named ? [named] : ['*::__invoke'], args: tk.v.endsWith('_array') ? rest : rest, scope: sc });
      }
    }
  }

  private outParam(target: [number, number], from: [number, number], sc: number): void {
    const v = this.toks.slice(target[0], target[1]).find((x) => x.k === 'var');
    if (v) this.assigns.push({ targets: [this.key(sc, v.v)], s: from[0], e: from[1], scope: sc });
  }

  /** `$a = ...`, `$a[..] = ...`, `$a .= ...`, `$this->p = ...`. */
  private assignmentAt(i: number, sc: number): void {
    const t = this.toks;
    let j = i + 1;
    let target = this.key(sc, t[i]!.v);
    if ((t[j]?.v === '->' || t[j]?.v === '?->') && t[j + 1]?.k === 'id') {
      target = `prop:${t[j + 1]!.v}`;
      j += 2;
    }
    // `$a['id'] = ...` taints that element only: `$a['callback']` keeps its own value
    const idx = this.constIndex(j);
    if (idx !== undefined && !target.startsWith('prop:')) target = `${target}[${idx}]`;
    while (t[j]?.v === '[' || t[j]?.v === '{') {
      const c = this.close(j);
      if (c === -1) return;
      j = c + 1;
    }
    const op = t[j];
    if (op?.k !== 'op' || !(op.v === '=' || op.v === '.=' || op.v === '??=')) return;
    if (t[j + 1]?.v === '&') j++;
    this.assigns.push({ targets: [target], s: j + 1, e: this.exprEnd(j + 1), scope: sc, append: op.v === '.=' });
  }

  /** `list($a, $b) = ...` and `[$a, $b] = ...`. */
  private destructuringAt(i: number, sc: number): void {
    const t = this.toks;
    let depth = 0;
    let open = -1;
    for (let j = i - 1; j >= 0 && j > i - 400; j--) {
      const v = t[j]!.v;
      if (t[j]!.k !== 'op') continue;
      if (v === ')' || v === ']') depth++;
      else if (v === '(' || v === '[') {
        depth--;
        if (depth === 0) {
          open = j;
          break;
        }
      }
    }
    if (open === -1) return;
    const before = t[open - 1];
    const isList = (before?.k === 'id' && before.v === 'list') || (t[open]!.v === '[' && (!before || [';', '{', '}'].includes(before.v)));
    if (!isList) return;
    const targets: string[] = [];
    for (let j = open + 1; j < i - 1; j++) if (t[j]!.k === 'var') targets.push(this.key(sc, t[j]!.v));
    this.assigns.push({ targets, s: i + 1, e: this.exprEnd(i + 1), scope: sc });
  }

  /** End (exclusive) of the expression starting at `s`: `;`, an unmatched closer, or a top-level `,`. */
  private exprEnd(s: number): number {
    const t = this.toks;
    let depth = 0;
    const limit = Math.min(t.length, s + 5000);
    for (let i = s; i < limit; i++) {
      const tk = t[i]!;
      if (tk.k !== 'op') continue;
      const v = tk.v;
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') {
        if (--depth < 0) return i;
      } else if ((v === ';' || v === ',') && depth === 0) return i;
    }
    return limit;
  }

  /** Whether tokens [s, e) read request data. */
  exprTainted(s: number, e: number, sc: number): boolean {
    const t = this.toks;
    for (let i = s; i < e; i++) {
      const tk = t[i]!;
      if (tk.k === 'id') {
        const next = t[i + 1]?.v;
        if (next === '(' && KILLS.has(tk.v)) {
          const c = this.close(i + 1);
          if (c !== -1 && c < e) i = c;
          continue;
        }
        if (next !== '(') continue;
        if (tk.v === 'getallheaders' || tk.v === 'apache_request_headers') return true;
        const method = t[i - 1]?.v === '->' || t[i - 1]?.v === '?->' || t[i - 1]?.v === '::';
        if (this.taintedReturns.has(method ? `*::${tk.v}` : tk.v) && t[i - 1]?.v !== 'function') return true;
        if (method ? !this.fns.has(`*::${tk.v}`) : !TRANSPARENT.has(tk.v) && !this.fns.has(tk.v)) {
          const c = this.close(i + 1);
          if (c !== -1 && c < e) i = c;
        }
        continue;
      }
      if (tk.k === 'var') {
        if (this.isSource(i)) return true;
        const base = this.key(sc, tk.v);
        if (this.isTainted(base, i, sc)) return true;
        const idx = this.constIndex(i + 1);
        if (idx !== undefined ? this.isTainted(`${base}[${idx}]`, i, sc) : t[i + 1]?.v !== '[' && this.isTainted(`${base}[]`, i, sc)) return true;
        // `$handlers[$_POST['id']]`: the request picks one of the application's own values
        while (t[i + 1]?.v === '[') {
          const c = this.close(i + 1);
          if (c === -1 || c >= e) break;
          i = c;
        }
        if ((t[i + 1]?.v === '->' || t[i + 1]?.v === '?->') && t[i + 2]?.k === 'id') {
          const name = t[i + 2]!.v;
          if (t[i + 3]?.v === '(' ? this.taintedReturns.has(`*::${name}`) : this.tainted.has(`prop:${name}`)) return true;
        }
        continue;
      }
      if (tk.k === 'str' || tk.k === 'bt') {
        if (tk.v.includes('php://input')) return true;
        if (tk.vars?.some((v) => REQUEST_ARRAYS.has(v) || this.isTainted(this.key(sc, v), i, sc))) return true;
      }
    }
    return false;
  }

  /** The constant index of `[ 'k' ]` / `[ 0 ]` opening at `j`, if that is what it is. */
  private constIndex(j: number): string | undefined {
    const t = this.toks;
    if (t[j]?.v !== '[' || t[j + 2]?.v !== ']') return undefined;
    const x = t[j + 1]!;
    return (x.k === 'str' && !x.vars?.length) || x.k === 'num' ? x.v : undefined;
  }

  private isTainted(key: string, i: number, sc: number): boolean {
    const at = this.tainted.get(key);
    return at !== undefined && (at < i || (sc !== 0 && key.startsWith('0:')));
  }

  private isSource(i: number): boolean {
    const t = this.toks;
    const name = t[i]!.v;
    if (REQUEST_ARRAYS.has(name)) return true;
    if (name !== '_SERVER' || t[i + 1]?.v !== '[') return false;
    const idx = t[i + 2];
    return idx?.k === 'str' && /^(?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_AUTH|argv)/.test(idx.v);
  }

  private propagate(): void {
    for (let round = 0; round < 6; round++) {
      let changed = false;
      for (const a of this.assigns) {
        checkBudget();
        if (a.targets.every((k) => (this.tainted.get(k) ?? Infinity) <= a.s)) continue;
        if (!this.exprTainted(a.s, a.e, a.scope)) continue;
        for (const k of a.targets) {
          const at = k.startsWith('prop:') ? -1 : a.s;
          if ((this.tainted.get(k) ?? Infinity) > at) {
            this.tainted.set(k, at);
            // the whole array, read as one value, holds its tainted elements
            const b = k.indexOf('[');
            if (b !== -1 && (this.tainted.get(`${k.slice(0, b)}[]`) ?? Infinity) > at) this.tainted.set(`${k.slice(0, b)}[]`, at);
            changed = true;
          }
        }
      }
      for (const c of this.calls) {
        const hot = c.args.map(([s, e]) => this.exprTainted(s, e, c.scope));
        if (!hot.some(Boolean)) continue;
        for (const k of c.fns)
          for (const def of this.fns.get(k) ?? []) {
            def.params.forEach((p, idx) => {
              const k = `${def.scope}:${p}`;
              if (p && (hot[idx] || (hot.length > 0 && idx >= hot.length && hot.at(-1))) && this.tainted.get(k) !== -1) {
                this.tainted.set(k, -1);
                changed = true;
              }
            });
          }
      }
      for (const r of this.returns) {
        if (!r.fn.name || this.taintedReturns.has(r.fn.name)) continue;
        if (this.exprTainted(r.s, r.e, r.fn.scope)) {
          const short = r.fn.name.slice(r.fn.name.lastIndexOf(':') + 1);
          this.taintedReturns.add(r.fn.name.includes('::') ? `*::${short}` : short);
          this.taintedReturns.add(short);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  /** Variables assigned only constant strings keep that string (the last one wins). */
  private foldConstants(): void {
    for (const a of this.assigns) {
      if (a.targets.length !== 1) continue;
      const k = a.targets[0]!;
      if (this.consts.get(k) === null) continue;
      const v = this.fold(a.s, a.e, a.scope, 0);
      const prev = this.consts.get(k);
      if (a.append && typeof prev === 'string' && v !== undefined && prev.length + v.length <= MAX_CONST) this.consts.set(k, prev + v);
      else this.consts.set(k, v === undefined || (a.append && prev === undefined) ? null : v);
    }
  }

  /** The constant string value of tokens [s, e), if they compute one. */
  fold(s: number, e: number, sc: number, depth: number): string | undefined {
    if (depth > 8 || e <= s) return undefined;
    const t = this.toks;
    let acc: string | undefined;
    let pendingOp = '';
    let i = s;
    while (i < e) {
      let val: string | undefined;
      const tk = t[i]!;
      let neg = false;
      if (tk.k === 'op' && tk.v === '~') {
        neg = true;
        i++;
      }
      const cur = t[i];
      if (!cur) return undefined;
      if (cur.k === 'str' && !cur.vars?.length) {
        val = cur.v;
        i++;
      } else if (cur.k === 'num') {
        val = cur.v;
        i++;
      } else if (cur.k === 'var') {
        const c = this.consts.get(this.key(sc, cur.v));
        if (typeof c !== 'string') return undefined;
        if (t[i + 1]?.v === '(') {
          // `$d("...")` with `$d = "base64_decode"`: the call the variable names
          const close = this.close(i + 1);
          if (close === -1 || close >= e) return undefined;
          val = applyPure(
            c.toLowerCase(),
            argRanges(t, i + 1, this.match).map(([a, b]) => this.fold(a, b, sc, depth + 1)),
          );
          i = close + 1;
        } else {
          val = c;
          i++;
        }
      } else if (cur.k === 'op' && cur.v === '(') {
        const c = this.close(i);
        if (c === -1 || c >= e) return undefined;
        val = this.fold(i + 1, c, sc, depth + 1);
        i = c + 1;
      } else if (cur.k === 'id' && t[i + 1]?.v === '(') {
        const c = this.close(i + 1);
        if (c === -1 || c >= e) return undefined;
        const args = argRanges(t, i + 1, this.match).map(([a, b]) => this.fold(a, b, sc, depth + 1));
        val = applyPure(cur.v, args);
        i = c + 1;
      } else return undefined;
      if (val === undefined) return undefined;
      if (neg) val = Array.from(val, (ch) => String.fromCharCode(~ch.charCodeAt(0) & 0xff)).join('');
      if (acc === undefined) acc = val;
      else if (pendingOp === '.') acc += val;
      else if (pendingOp === '^') acc = xorStrings(acc, val);
      else return undefined;
      if (acc.length > MAX_CONST) return undefined;
      if (i >= e) break;
      const op = t[i]!;
      if (op.k !== 'op' || (op.v !== '.' && op.v !== '^')) return undefined;
      pendingOp = op.v;
      i++;
    }
    return acc;
  }

  private sinks(): void {
    const t = this.toks;
    const ev = this.ctx.ev;
    // a complete path the pattern pass already reported is the same finding: only add what it missed
    const known = ev.list().some((x) => x.analyzer === 'flow' && x.weight >= 10);
    const hit = (reason: string, w: number, at: number) => {
      if (!known) ev.add('flow', reason, w, t[at]!.at, 30);
    };
    // the request choosing a function, callback, class or file is how routers and dispatchers
    // work (through lookups this pass cannot see); in a script that small, it is a loader
    const chooser = (reason: string, w: number, at: number) => {
      if (t.length <= MAX_CHOOSER_TOKENS) hit(reason, w, at);
    };
    for (let i = 0; i < t.length; i++) {
      checkBudget();
      const tk = t[i]!;
      const sc = this.scope[i]!;
      const prev = t[i - 1];
      if (tk.k === 'bt' && tk.vars?.some((v) => REQUEST_ARRAYS.has(v) || this.isTainted(this.key(sc, v), i, sc))) {
        hit('data flow: request input reaches a backtick shell command', 12, i);
        continue;
      }
      if (tk.k === 'id' && ['include', 'require', 'include_once', 'require_once'].includes(tk.v)) {
        const e = this.exprEnd(i + 1);
        let s = i + 1;
        while (t[s]?.v === '(') s++;
        // `include $dir . '/' . $_GET['p']` is path traversal in an application; the whole path from the request is a loader
        let first = s;
        while (first < e && !(t[first]!.k === 'op' && t[first]!.v === '.')) first++;
        // a string with a fixed head (`"l10n_$lang.php"`) is a fixed folder and name pattern too
        const head = t[s];
        const fixedHead = head?.k === 'str' && !/^\$/.test(head.v);
        if (!fixedHead && this.exprTainted(s, first, sc)) chooser(`data flow: request chooses the file ${tk.v} runs`, 11, i);
        continue;
      }
      const isNew = prev?.k === 'id' && prev.v === 'new';
      if (tk.k === 'var' && isNew && this.isTainted(this.key(sc, tk.v), i, sc)) {
        const args = t[i + 1]?.v === '(' ? argRanges(t, i + 1, this.match) : [];
        const hot = args.some(([s, e]) => this.exprTainted(s, e, sc));
        chooser(`data flow: request chooses the class the page instantiates${hot ? ' and its arguments' : ''}`, hot ? 11 : 6, i);
        continue;
      }
      if (t[i + 1]?.v !== '(') continue;
      if (prev?.v === '->' || prev?.v === '?->' || prev?.v === '::' || (prev?.k === 'id' && prev.v === 'function')) {
        if (tk.k === 'id' && tk.v === 'cdef' && t[i - 2]?.k === 'id' && t[i - 2]!.v === 'ffi')
          hit('loads native code through FFI::cdef', /->\s*system\s*\(/i.test(this.ctx.code) ? 10 : 6, i);
        continue;
      }
      let name: string | undefined;
      let how = '';
      if (tk.k === 'id') name = isNew ? `new ${tk.v}` : tk.v;
      else if (tk.k === 'var') {
        const c = this.consts.get(this.key(sc, tk.v));
        if (typeof c === 'string') {
          name = c.toLowerCase().replace(/^\\/, '');
          how = ' called through a variable';
        } else if (this.isTainted(this.key(sc, tk.v), i, sc) || this.isSource(i)) {
          const hot = argRanges(t, i + 1, this.match).some(([s, e]) => this.exprTainted(s, e, sc));
          chooser(`data flow: request chooses the function the page calls${hot ? ' and its arguments' : ''}`, hot ? 12 : 9, i);
          continue;
        }
      }
      if (!name) continue;
      const args = argRanges(t, i + 1, this.match);
      const argHot = (idx: number) => {
        const a = args[idx];
        return a !== undefined && this.exprTainted(a[0], a[1], sc);
      };
      if (CODE_SINKS.has(name) || CMD_SINKS.has(name)) {
        const idx = name === 'create_function' ? 1 : 0;
        if (argHot(idx) || (name === 'create_function' && argHot(0))) hit(`data flow: request input reaches ${name}()${how}`, 12, i);
        else if (CODE_SINKS.has(name)) this.foldedLayer(args[idx], sc, name);
        continue;
      }
      if (name === 'preg_replace' && args.length >= 2) {
        const pat = this.fold(args[0]![0], args[0]![1], sc, 0);
        if (pat !== undefined && /^(.)[\s\S]*\1[a-zA-Z]*e[a-zA-Z]*$/.test(pat) && (argHot(1) || argHot(2)))
          hit('data flow: request input reaches preg_replace() with the /e (evaluate) modifier', 12, i);
        continue;
      }
      if (name === 'new reflectionfunction' || name === 'new reflectionmethod') {
        if (argHot(0)) chooser('data flow: request chooses a function called through reflection', 11, i);
        continue;
      }
      const ci = CALLBACKS.get(name);
      if (ci !== undefined && args.length > 0) {
        const cIdx = ci === -1 ? args.length - 1 : ci;
        const callee = args[cIdx];
        if (!callee) continue;
        const others = args.some((_, k) => k !== cIdx && argHot(k));
        if (this.exprTainted(callee[0], callee[1], sc)) chooser(`data flow: request chooses the callback ${name}() runs${others ? ' and its arguments' : ''}`, others ? 12 : 9, i);
        else {
          const named = this.fold(callee[0], callee[1], sc, 0)?.toLowerCase();
          if (named && RUNNERS.has(named) && others) hit(`data flow: request input reaches ${named}() through ${name}()${how}`, 12, i);
        }
      }
    }
  }

  /** Constant code handed to eval/assert: analyzed as a decoded layer, so what it runs is judged. */
  private foldedLayer(arg: [number, number] | undefined, sc: number, name: string): void {
    if (!arg) return;
    const v = this.fold(arg[0], arg[1], sc, 0);
    if (v === undefined || v.length < 8) return;
    this.ctx.layers.push({ text: v, offset: this.toks[arg[0]]!.at, how: `constant expression handed to ${name}() folded`, language: 'php' });
  }
}

function xorStrings(a: string, b: string): string {
  const n = Math.min(a.length, b.length);
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(a.charCodeAt(i) ^ b.charCodeAt(i));
  return out;
}

/** Pure string functions shells build names and payloads with, applied to constant arguments. */
function applyPure(fn: string, args: Array<string | undefined>): string | undefined {
  const a = args[0];
  if (a === undefined) return undefined;
  const latin1 = (buf: Buffer | undefined) => buf?.toString('latin1');
  switch (fn) {
    case 'base64_decode':
      return latin1(b64(a));
    case 'str_rot13':
      return rot13(a);
    case 'strrev':
      return reverse(a);
    case 'hex2bin':
      return latin1(hexDecode(a));
    case 'chr':
      return String.fromCharCode(((Number(a) % 256) + 256) % 256);
    case 'urldecode':
    case 'rawurldecode':
      try {
        return decodeURIComponent(fn === 'urldecode' ? a.replace(/\+/g, ' ') : a);
      } catch {
        return undefined;
      }
    case 'gzinflate':
    case 'gzuncompress':
    case 'gzdecode':
      return latin1(inflateAny(Buffer.from(a, 'latin1')));
    case 'strtolower':
      return a.toLowerCase();
    case 'strtoupper':
      return a.toUpperCase();
    case 'ucfirst':
      return a.charAt(0).toUpperCase() + a.slice(1);
    case 'trim':
      return a.trim();
    case 'strval':
      return a;
    case 'str_replace': {
      const [from, to, subj] = args;
      if (from === undefined || to === undefined || subj === undefined || from === '') return undefined;
      return subj.split(from).join(to);
    }
    case 'substr': {
      const start = Number(args[1] ?? 0);
      const len = args[2] === undefined ? undefined : Number(args[2]);
      const s0 = start < 0 ? Math.max(0, a.length + start) : start;
      return len === undefined ? a.slice(s0) : len < 0 ? a.slice(s0, a.length + len) : a.slice(s0, s0 + len);
    }
    default:
      return undefined;
  }
}
