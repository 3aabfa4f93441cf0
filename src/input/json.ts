/**
 * JSON events in every shape users have: JSON Lines, one object, an array of objects,
 * or a stream of concatenated pretty-printed objects (what `evtx_dump` writes).
 *
 * JSON Lines take a fast path (one JSON.parse per line). Anything else goes through a
 * small string-aware brace scanner that finds where each top-level object ends, so a
 * multi-gigabyte array is still processed one object at a time.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from './decoder.js';
import { winEventToEvent } from './winevent.js';
import { errorMessage } from '../errors.js';

/** One object larger than this is reported and skipped rather than buffered. */
const MAX_OBJECT_CHARS = 64 * 1024 * 1024;

const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 0xfeff;
}

class JsonState implements LineDecoderState {
  /** Nesting depth inside the current top-level value (0 = between values). */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private size = 0;
  private startLine = 0;
  private oversized = false;

  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (this.depth > 0 && text.charCodeAt(0) === OPEN_BRACE) {
      // Pretty printers (evtx_dump, jq, JSON.stringify) never put a nested '{' in column 0,
      // so this is a new top-level record: the open one was cut short. Resynchronize here
      // instead of letting one truncated record swallow the rest of the file.
      this.ctx.problems.report({
        kind: 'input',
        file: this.ctx.file,
        line: this.startLine,
        message: 'truncated JSON record (a new record starts before it closes); skipped',
      });
      this.depth = 0;
      this.parts = [];
      this.size = 0;
    }
    if (this.depth === 0) {
      const first = text.charCodeAt(0);
      const last = text.charCodeAt(text.length - 1);
      // Fast path: a whole JSON Lines record.
      if (first === OPEN_BRACE && last === CLOSE_BRACE) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          value = undefined;
        }
        if (value !== undefined) {
          this.emitValue(value, lineNo, text, emit);
          return;
        }
      }
    }
    this.scan(text, lineNo, emit);
  }

  private scan(text: string, lineNo: number, emit: Emit): void {
    let segStart = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.depth === 0) {
        if (isSpace(c) || c === COMMA || c === OPEN_BRACKET || c === CLOSE_BRACKET) continue;
        if (c === OPEN_BRACE) {
          this.depth = 1;
          this.inString = false;
          this.escaped = false;
          this.parts = [];
          this.size = 0;
          this.oversized = false;
          this.startLine = lineNo;
          segStart = i;
          continue;
        }
        this.ctx.problems.report({
          kind: 'input',
          file: this.ctx.file,
          line: lineNo,
          column: i + 1,
          message: `unexpected ${JSON.stringify(text[i])} outside a JSON object; rest of line skipped`,
        });
        return;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.append(text.slice(segStart, i + 1));
          this.finishObject(emit);
          segStart = -1;
        }
      }
    }
    if (this.depth > 0 && segStart >= 0) {
      this.append(text.slice(segStart));
      this.append('\n');
    }
  }

  private append(s: string): void {
    if (this.oversized) return;
    this.size += s.length;
    if (this.size > MAX_OBJECT_CHARS) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(s);
  }

  private finishObject(emit: Emit): void {
    const line = this.startLine;
    if (this.oversized) {
      this.ctx.problems.report({ kind: 'input', file: this.ctx.file, line, message: `JSON object larger than ${MAX_OBJECT_CHARS} characters skipped` });
    } else {
      const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
      try {
        this.emitValue(JSON.parse(text), line, undefined, emit);
      } catch (e) {
        this.ctx.problems.report({ kind: 'input', file: this.ctx.file, line, message: `malformed JSON record: ${errorMessage(e)}` });
      }
    }
    this.parts = [];
    this.size = 0;
    this.oversized = false;
  }

  private emitValue(value: unknown, lineNo: number, raw: string | undefined, emit: Emit): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.ctx.problems.report({ kind: 'input', file: this.ctx.file, line: lineNo, message: 'JSON value is not an object; skipped' });
      return;
    }
    const event = winEventToEvent(value, { file: this.ctx.file, record: lineNo, format: 'json' });
    if (raw !== undefined && raw.length <= 65536) event.raw = raw;
    emit(event);
  }

  end(_emit: Emit): void {
    if (this.depth > 0) {
      this.ctx.problems.report({
        kind: 'input',
        file: this.ctx.file,
        line: this.startLine,
        message: 'truncated JSON: input ended inside an object that starts here',
      });
    }
    this.depth = 0;
    this.parts = [];
  }
}

export const jsonDecoder: LineDecoder = {
  kind: 'line',
  format: 'json',
  description: 'JSON events: JSON Lines, an array, or concatenated (pretty-printed) objects; EVTX-JSON (evtx_dump) and flat/Winlogbeat layouts',
  sniff(lines: string[]): number {
    const first = lines[0]?.trimStart() ?? '';
    if (first.startsWith('{') || first.startsWith('[')) {
      // Generic JSON: specific JSON-based formats (Zeek, ModSecurity) claim higher.
      return 0.5;
    }
    return 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new JsonState(ctx);
  },
  freshFields: true,
  /** JSON Lines (one whole object per line) can be cut at any line; arrays and pretty-printed objects cannot. */
  splittable(lines: string[]): boolean {
    const first = lines[0]?.trim() ?? '';
    if (!first.startsWith('{') || !first.endsWith('}')) return false;
    try {
      JSON.parse(first);
      return true;
    } catch {
      return false;
    }
  },
};
