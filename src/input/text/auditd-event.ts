/**
 * An auditd event whose fields are built when first read (see GroupReader.fields): until then
 * it holds its group's records. `fields` is an accessor of the class, so JSON.stringify is
 * given the plain shape by toJSON; a copy by structuredClone or spreading would lack the fields
 * (nothing in Warden copies an Event that way).
 */
import type { Event, EventOrigin, Fields, LogSource } from '../../event/event.js';
import type { Group } from './auditd-group.js';
import type { GroupReader } from './auditd-fields.js';

export class AuditdEvent implements Event {
  readonly logsource: LogSource;
  origin: EventOrigin;
  raw: string;
  declare host?: string;
  declare timestamp?: number;
  #group: Group | undefined;
  #reader: GroupReader | undefined;
  #fields: Fields | undefined = undefined;

  constructor(group: Group, reader: GroupReader, logsource: LogSource, origin: EventOrigin, raw: string) {
    this.logsource = logsource;
    this.origin = origin;
    this.raw = raw;
    // As makeEvent: no host member without a host, no timestamp without a finite one.
    if (group.node !== undefined && group.node !== '') this.host = group.node;
    if (Number.isFinite(group.time)) this.timestamp = group.time;
    this.#group = group;
    this.#reader = reader;
  }

  get fields(): Fields {
    if (this.#fields === undefined) {
      this.#fields = this.#reader!.fields(this.#group!);
      this.#group = undefined;
      this.#reader = undefined;
    }
    return this.#fields;
  }

  set fields(f: Fields) {
    this.#fields = f;
    this.#group = undefined;
    this.#reader = undefined;
  }

  /** The members in makeEvent's order. */
  toJSON(): Event {
    const e: Event = { fields: this.fields, logsource: this.logsource, origin: this.origin, raw: this.raw };
    if (this.host !== undefined) e.host = this.host;
    if (this.timestamp !== undefined) e.timestamp = this.timestamp;
    return e;
  }
}
