/**
 * An auditd event whose fields are built when first read (see GroupReader.fields): until then
 * it holds its group's records, and lets go of them once the fields are built.
 */
import type { EventOrigin, Fields, LogSource } from '../../event/event.js';
import { LazyEvent } from '../../event/lazy-event.js';
import type { GroupReader } from './auditd-fields.js';
import type { Group } from './auditd-group.js';

export class AuditdEvent extends LazyEvent {
  #group: Group | undefined;
  #reader: GroupReader | undefined;

  constructor(group: Group, reader: GroupReader, logsource: LogSource, origin: EventOrigin, raw: string) {
    // as makeEvent: no host member without a host, no timestamp without a finite one
    super(logsource, origin, raw, group.time, group.node);
    this.#group = group;
    this.#reader = reader;
  }

  protected buildFields(): Fields {
    const f = this.#reader!.fields(this.#group!);
    this.#group = undefined;
    this.#reader = undefined;
    return f;
  }
}
