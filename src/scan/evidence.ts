/**
 * Collects evidence for one analyzed text and turns it into a score. The same reason is
 * counted once (highest weight) so one repeated idiom cannot add up to a verdict.
 */
import type { Evidence, Language } from './types.js';
import { LineIndex, snippetAt } from './text.js';

export class EvidenceCollector {
  private readonly byReason = new Map<string, Evidence>();
  private lines?: LineIndex;
  family?: string;
  familyWeight = 0;

  constructor(
    readonly text: string,
    readonly language: Language,
    readonly layer = 0,
  ) {}

  private lineIndex(): LineIndex {
    this.lines ??= new LineIndex(this.text);
    return this.lines;
  }

  /** Adds evidence at `offset` of the analyzed text (or without location when offset < 0). */
  add(analyzer: string, reason: string, weight: number, offset = -1, length = 0): void {
    const prev = this.byReason.get(reason);
    if (prev && prev.weight >= weight) return;
    const ev: Evidence = { analyzer, reason, weight };
    if (offset >= 0) {
      ev.line = this.lineIndex().lineOf(offset);
      ev.snippet = snippetAt(this.text, offset, length);
    }
    if (this.layer > 0) ev.layer = this.layer;
    this.byReason.set(reason, ev);
  }

  /** Family attribution: keep the best-supported one. */
  setFamily(name: string, weight: number): void {
    if (weight > this.familyWeight) {
      this.family = name;
      this.familyWeight = weight;
    }
  }

  has(reason: string): boolean {
    return this.byReason.has(reason);
  }

  merge(other: EvidenceCollector): void {
    for (const ev of other.list()) {
      // the same behaviour seen in the carrier and in its decoded copy is one behaviour
      const outer = this.byReason.get(ev.reason);
      if (outer && outer.weight >= ev.weight) continue;
      const key = `${ev.reason} (decoded layer ${ev.layer ?? 0})`;
      const prev = this.byReason.get(key);
      if (!prev || prev.weight < ev.weight) this.byReason.set(key, ev);
    }
    if (other.family) this.setFamily(other.family, other.familyWeight);
  }

  /**
   * Multiplies the weight of every piece of evidence by `factor(ev)` (1 keeps it): context that
   * changes what a behaviour means (an application page vs a standalone script) is applied after
   * the analyzers, which see one file and one pattern at a time.
   */
  scale(factor: (ev: Evidence) => number): void {
    for (const ev of this.byReason.values()) {
      const f = factor(ev);
      if (f !== 1) ev.weight = Math.round(ev.weight * f * 10) / 10;
    }
  }

  list(): Evidence[] {
    return [...this.byReason.values()].sort((a, b) => b.weight - a.weight || (a.line ?? 0) - (b.line ?? 0));
  }

  score(): number {
    let s = 0;
    for (const ev of this.byReason.values()) s += ev.weight;
    return Math.round(s * 10) / 10;
  }
}
