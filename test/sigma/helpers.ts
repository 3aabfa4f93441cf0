/** Small helpers for Sigma unit tests: compile a detection from YAML and match field maps. */
import { ProblemList } from '../../src/errors.js';
import { emptyCollection, loadRuleText, type RuleCollection } from '../../src/sigma/collection.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { link } from '../../src/sigma/link.js';
import { FieldView } from '../../src/event/fields.js';
import type { Fields } from '../../src/event/event.js';

export function loadText(text: string, placeholders?: Record<string, string[]>): { col: RuleCollection; problems: ProblemList } {
  const problems = new ProblemList();
  const col = emptyCollection();
  loadRuleText(text, 'test.yml', { placeholders }, problems, col);
  return { col, problems };
}

/** A rule with the given detection body (YAML, indented by 4 under `detection:`). */
export function ruleText(detection: string): string {
  const body = detection
    .trim()
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
  return `title: Test\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n    product: windows\ndetection:\n${body}\nlevel: high\n`;
}

export function compile(detection: string, placeholders?: Record<string, string[]>): SigmaRule {
  const { col, problems } = loadText(ruleText(detection), placeholders);
  if (problems.count) throw new Error(problems.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; '));
  return col.rules[0]!;
}

/** The load error of a detection (message), or undefined when it loads. */
export function loadError(detection: string, placeholders?: Record<string, string[]>): string | undefined {
  const { problems } = loadText(ruleText(detection), placeholders);
  return problems.problems[0]?.message;
}

const view = new FieldView();

/** Test events are literal objects; their optional keys widen to `undefined`, which Fields lacks. */
export function matches(rule: SigmaRule, fields: object): boolean {
  return link(rule.detection.op)(view.reset(fields as Fields));
}

/** Compiles `selection` + `condition: selection` and matches each field map. */
export function sel(selection: string, ...events: Fields[]): boolean[] {
  const r = compile(
    `selection:\n${selection
      .trim()
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n')}\ncondition: selection`,
  );
  return events.map((e) => matches(r, e));
}
