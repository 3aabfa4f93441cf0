/**
 * A rule's `detection` section compiled to one matcher: search identifiers (maps are
 * AND, lists are OR, plain lists are keyword searches) combined by the condition.
 */
import { compileItem, type CompileOptions } from './modifiers.js';
import { parseCondition, type CondNode } from './conditions.js';
import { andCompiled, orCompiled, type Compiled } from './matcher.js';
import { notOp } from './program.js';
import { RuleErrors, SigmaRuleError } from './errors.js';
import { isYamlMap, keyPos, posOf, type Pos, type YamlMap, type YamlValue } from './yaml.js';

/** Keys of `detection` that are not search identifiers. */
const NOT_IDENTIFIERS = new Set(['condition', 'timeframe']);

function errAt(message: string, file: string | undefined, pos: Pos | undefined): SigmaRuleError {
  return new SigmaRuleError(message, { file, line: pos?.line, column: pos?.column });
}

function compileMap(map: YamlMap, opts: CompileOptions, file: string | undefined, ident: string): Compiled {
  const keys = Object.keys(map);
  if (keys.length === 0) throw errAt(`search identifier '${ident}' is an empty map`, file, posOf(map));
  const parts: Compiled[] = [];
  const errors = new RuleErrors();
  for (const key of keys) {
    try {
      parts.push(compileItem(key, map[key]!, opts));
    } catch (e) {
      errors.errors.push(e instanceof SigmaRuleError ? e : errAt(`${ident}: '${key}': ${e instanceof Error ? e.message : String(e)}`, file, keyPos(map, key) ?? posOf(map)));
    }
  }
  errors.throwIfAny();
  return andCompiled(parts);
}

function compileIdentifier(ident: string, value: YamlValue, opts: CompileOptions, file: string | undefined, pos: Pos | undefined): Compiled {
  const wrap = (f: () => Compiled): Compiled => {
    try {
      return f();
    } catch (e) {
      if (e instanceof SigmaRuleError) throw e;
      throw errAt(`${ident}: ${e instanceof Error ? e.message : String(e)}`, file, pos);
    }
  };
  if (value === null) throw errAt(`search identifier '${ident}' has no value`, file, pos);
  if (isYamlMap(value)) return compileMap(value, opts, file, ident);
  if (Array.isArray(value)) {
    if (value.length === 0) throw errAt(`search identifier '${ident}' is an empty list`, file, pos);
    if (value.every(isYamlMap)) {
      return orCompiled(value.map((m) => compileMap(m as YamlMap, opts, file, ident)));
    }
    if (value.some((v) => isYamlMap(v) || Array.isArray(v))) {
      throw errAt(`search identifier '${ident}' mixes keywords and field maps in one list`, file, pos);
    }
    return wrap(() => compileItem('', value, opts));
  }
  return wrap(() => compileItem('', value, opts));
}

function compileCond(node: CondNode, sel: Map<string, Compiled>): Compiled {
  switch (node.t) {
    case 'id':
      return sel.get(node.name)!;
    case 'not': {
      return { op: notOp(compileCond(node.item, sel).op), req: null };
    }
    case 'and':
      return andCompiled(node.items.map((n) => compileCond(n, sel)));
    case 'or':
      return orCompiled(node.items.map((n) => compileCond(n, sel)));
    case 'of': {
      const parts = node.ids.map((id) => sel.get(id)!);
      return node.all ? andCompiled(parts) : orCompiled(parts);
    }
  }
}

export interface CompiledDetection extends Compiled {
  identifiers: string[];
}

/** Compiles a `detection` map (of a rule or a filter). Throws SigmaRuleError with position. */
export function compileDetection(detection: YamlValue, opts: CompileOptions, file: string | undefined, where: Pos | undefined, what = 'detection'): CompiledDetection {
  if (!isYamlMap(detection)) throw errAt(`'${what}' must be a map of search identifiers and a condition`, file, where);
  const conditionRaw = detection['condition'];
  const condPos = keyPos(detection, 'condition') ?? posOf(detection) ?? where;
  if (conditionRaw === undefined || conditionRaw === null) throw errAt(`'${what}' has no condition`, file, posOf(detection) ?? where);
  const conditions = Array.isArray(conditionRaw) ? conditionRaw : [conditionRaw];
  if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string')) throw errAt(`condition must be a string or a list of strings`, file, condPos);

  const identifiers = Object.keys(detection).filter((k) => !NOT_IDENTIFIERS.has(k));
  // Every identifier and condition is checked, so all the errors of a detection are reported together.
  const errors = new RuleErrors();
  const sel = new Map<string, Compiled>();
  for (const id of identifiers) {
    const c = errors.attempt(() => compileIdentifier(id, detection[id]!, opts, file, keyPos(detection, id) ?? where));
    if (c) sel.set(id, c);
  }
  const nodes: CondNode[] = [];
  for (const c of conditions as string[]) {
    try {
      nodes.push(parseCondition(c, identifiers));
    } catch (e) {
      errors.errors.push(errAt(e instanceof Error ? e.message : String(e), file, condPos));
    }
  }
  errors.throwIfAny();
  return { ...orCompiled(nodes.map((n) => compileCond(n, sel))), identifiers };
}
