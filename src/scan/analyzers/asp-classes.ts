/**
 * VBScript classes as scopes. The members of a `Class ... End Class` block are that class's
 * own: `FileName` in an upload class and `FileName` in an article class are two variables. The
 * page-wide taint reads names across the file, so in a CMS library that holds both, the
 * request's file name taints the article's. At the file-system sinks, a name inside a class
 * counts only when that class or the page's own code (outside every class) taints it; a name
 * tainted without any assignment (a parameter the request reaches) is kept.
 */
import type { AnalyzerContext } from '../context.js';
import { Taint } from '../flow.js';
import { ScopeNarrowedTaint, type ScopedTaint } from '../scoped-taint.js';

interface Block {
  start: number;
  end: number;
}

const CLASS_START = /^[ \t]*Class[ \t]+[A-Za-z_]\w*/gim;
const CLASS_END = /^[ \t]*End[ \t]+Class\b/im;
/** A statement assigning a name (`x = `, `Set x = `, `x(i) = `), the name in group 1. */
const ASSIGNED = /(?:^|[\n:]|\bthen\b|\belse\b)[ \t]*(?:Set[ \t]+)?([A-Za-z_]\w{0,254})[ \t]*(?:\([^()\n]{0,60}\))?[ \t]*=(?!=)/gi;

function classBlocks(code: string): Block[] {
  const out: Block[] = [];
  CLASS_START.lastIndex = 0;
  for (let m = CLASS_START.exec(code); m !== null && out.length < 50; m = CLASS_START.exec(code)) {
    const from = m.index + m[0].length;
    const end = CLASS_END.exec(code.slice(from));
    if (end === null) break;
    out.push({ start: m.index, end: from + end.index + end[0].length });
    CLASS_START.lastIndex = from + end.index + end[0].length;
  }
  return out;
}

/**
 * The page's taint read per class. The classes are found on the first question that the
 * page-wide taint answers yes (most pages never get there); a page with fewer than two classes
 * keeps the page-wide answers (one class shares its names with nobody).
 */
export function aspClassScopes(ctx: AnalyzerContext, taint: Taint): ScopedTaint {
  return new AspClassScopes(ctx.code, taint);
}

class AspClassScopes extends ScopeNarrowedTaint<Block> {
  private blockList: Block[] | undefined;

  constructor(
    private readonly code: string,
    taint: Taint,
  ) {
    super(taint);
  }

  private get blocks(): Block[] {
    this.blockList ??= classBlocks(this.code);
    return this.blockList;
  }

  protected scopeAt(at: number): Block | undefined {
    return this.blocks.length < 2 ? undefined : this.blocks.find((b) => b.start <= at && at < b.end);
  }

  /** The taint of the page's own code plus this class; names the page-wide taint holds and no other class assigns are kept. */
  protected localTaint(block: Block): Taint {
    const { code } = this;
    const parts: string[] = [];
    const elsewhere = new Set<string>();
    let from = 0;
    for (const b of this.blocks) {
      parts.push(code.slice(from, b.start));
      if (b === block) parts.push(code.slice(b.start, b.end));
      else for (const m of code.slice(b.start, b.end).matchAll(ASSIGNED)) elsewhere.add(m[1]!.toLowerCase());
      from = b.end;
    }
    parts.push(code.slice(from));
    const text = parts.join('\n');
    const local = new Taint(text, this.taint.spec);
    // (names assigned nowhere were tainted as parameters the request reaches: kept; assigned
    // ones are read again from this class and the page's own code)
    for (const m of text.matchAll(ASSIGNED)) elsewhere.add(m[1]!.toLowerCase());
    let seeded = false;
    for (const v of this.taint.vars)
      if (!elsewhere.has(v.toLowerCase()) && !local.vars.has(v)) {
        local.vars.add(v);
        if (this.taint.direct.has(v)) local.direct.add(v);
        seeded = true;
      }
    if (seeded) local.propagate();
    return local;
  }
}
