/**
 * Which fields made a rule match an event, for showing a detection: the rule's program is
 * walked like the matcher runs it, and each leaf test that holds on a path that makes the whole
 * expression true names its field. Negated parts name nothing (they matched by absence);
 * keyword searches name every field whose value passes. Runs on demand (one detection shown),
 * so leaves are linked as they are met rather than cached.
 */
import type { FieldView } from '../event/fields.js';
import { link } from './link.js';
import type { MatchOp } from './program.js';

/** The event's own field names that matched, in event order; undefined when the rule does not match. */
export function matchedFields(op: MatchOp, view: FieldView): string[] | undefined {
  const found = walk(op, view);
  if (!found) return undefined;
  return Object.keys(view.fields).filter((k) => found.has(k));
}

function walk(op: MatchOp, view: FieldView): Set<string> | null {
  switch (op.k) {
    case 'const':
      return op.v ? new Set() : null;
    case 'and': {
      const acc = new Set<string>();
      for (const c of op.of) {
        const r = walk(c, view);
        if (!r) return null;
        for (const f of r) acc.add(f);
      }
      return acc;
    }
    case 'or': {
      let acc: Set<string> | null = null;
      for (const c of op.of) {
        const r = walk(c, view);
        if (!r) continue;
        acc ??= new Set();
        for (const f of r) acc.add(f);
      }
      return acc;
    }
    case 'not':
    case 'null':
      return link(op)(view) ? new Set() : null;
    case 'exists': {
      if (!link(op)(view)) return null;
      const k = op.want ? view.key(op.field) : undefined;
      return new Set(k !== undefined ? [k] : []);
    }
    case 'in':
    case 'any': {
      if (op.k === 'any' && op.field === '') return keywordFields(op, view);
      if (!link(op)(view)) return null;
      const k = view.key(op.field);
      return new Set(k !== undefined ? [k] : []);
    }
  }
}

/** A keyword search matched somewhere in the event: name each field whose values pass. */
function keywordFields(op: Extract<MatchOp, { k: 'any' }>, view: FieldView): Set<string> | null {
  if (!link(op)(view)) return null;
  const out = new Set<string>();
  for (const k of Object.keys(view.fields)) if (link({ k: 'any', field: k, tests: op.tests })(view)) out.add(k);
  return out;
}
