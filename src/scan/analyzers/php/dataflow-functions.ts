/**
 * The functions, methods and closures of a PHP token stream for the data flow (dataflow.ts):
 * each definition's parameters (and which are by reference), its body's token range and its
 * scope number, filed under its name, `Class::name` and `*::name`; closures under their offset.
 * Inner functions start later and overwrite their outer function's scope.
 */
import { argRanges } from './tokens.js';
import { closureKey, collectArrows } from './dataflow-closures.js';
import type { Flow, FnDef } from './dataflow.js';

export function collectFunctions(f: Flow): void {
  const t = f.toks;
  let cls = '';
  let clsClose = -1;
  for (let i = 0; i < t.length; i++) {
    if (i > clsClose) cls = '';
    const tk = t[i]!;
    if (tk.k !== 'id') continue;
    if ((tk.v === 'class' || tk.v === 'trait') && t[i + 1]?.k === 'id' && t[i - 1]?.v !== '::') {
      let j = i + 2;
      while (j < t.length && j < i + 60 && t[j]!.v !== '{') j++;
      const close = f.close(j);
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
    const pclose = f.close(j);
    if (pclose === -1) continue;
    const ranges = argRanges(t, j, f.match);
    const params = ranges.map(([s, e]) => {
      for (let k = s; k < e; k++) if (t[k]!.k === 'var') return t[k]!.v;
      return '';
    });
    const refs = ranges.map(([s, e]) => {
      for (let k = s; k < e; k++) if (t[k]!.k === 'var') return k > s && t[k - 1]!.v === '&';
      return false;
    });
    let b = pclose + 1;
    while (b < t.length && b < pclose + 80 && t[b]!.v !== '{' && t[b]!.v !== ';') b++;
    if (t[b]?.v !== '{') continue;
    const bclose = f.close(b);
    if (bclose === -1) continue;
    const def: FnDef = { name: name && cls && i < clsClose ? `${cls}::${name}` : name, params, refs, scope: f.defs.length + 1, bodyOpen: b, bodyClose: bclose };
    f.defs.push(def);
    if (!named) {
      f.closures.set(i, def);
      f.fns.set(closureKey(i), [def]);
    }
    for (const k of name ? [def.name, name, `*::${name}`] : []) {
      const list = f.fns.get(k);
      if (list) list.push(def);
      else f.fns.set(k, [def]);
    }
  }
  // inner functions start later and overwrite their outer function's scope
  for (const d of f.defs) f.scope.fill(d.scope, d.bodyOpen, d.bodyClose + 1);
  collectArrows(f);
}
