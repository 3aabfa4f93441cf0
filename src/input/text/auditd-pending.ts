/**
 * The open groups of one audit node by serial, oldest first: what a Map<number, G> in insertion
 * order gives, without the Map while at most one group is open. Plain audit logs complete each
 * event (EOE) before the next starts, so a node nearly always has zero or one open group; a Map
 * that goes from one entry to none on every event shrinks its table on each delete, a runtime
 * call and an allocation per event that measured ~3% of the decoder's CPU.
 */
export class PendingGroups<G extends { serial: number }> {
  /** The only open group when `map` is empty; undefined otherwise. */
  solo: G | undefined = undefined;
  /** Two or more open groups (or fewer, once groups complete, until it is empty again). */
  map: Map<number, G> | undefined = undefined;

  get size(): number {
    return this.solo !== undefined ? 1 : this.map === undefined ? 0 : this.map.size;
  }

  get(serial: number): G | undefined {
    const solo = this.solo;
    if (solo !== undefined) return solo.serial === serial ? solo : undefined;
    return this.map === undefined ? undefined : this.map.get(serial);
  }

  /** Sets the group for `serial` (g.serial): a new serial goes last, a known one is replaced in place. */
  set(serial: number, g: G): void {
    const solo = this.solo;
    if (solo !== undefined) {
      if (solo.serial === serial) {
        this.solo = g;
        return;
      }
      this.map ??= new Map();
      this.map.set(solo.serial, solo);
      this.solo = undefined;
      this.map.set(serial, g);
    } else if (this.map !== undefined && this.map.size > 0) this.map.set(serial, g);
    else this.solo = g;
  }

  delete(serial: number): void {
    const solo = this.solo;
    if (solo !== undefined) {
      if (solo.serial === serial) this.solo = undefined;
    } else if (this.map !== undefined) this.map.delete(serial);
  }
}
