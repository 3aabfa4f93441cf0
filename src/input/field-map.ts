/**
 * Field maps built from names the log's author chose (JSON keys, W3C `#Fields`, Zeek
 * `#fields`, auditd keys, XML `Data Name=`). A field map is a plain object, so a name like
 * `toString` or `constructor` reads as inherited when the event lacks it, and assigning
 * `__proto__` would replace the object's prototype instead of adding a field. These helpers
 * keep every such name an ordinary own field and never look at inherited properties.
 */
import type { FieldValue, Fields } from '../event/event.js';

/**
 * An empty field map for many keys that no cached shape covers (a layout seen for the first
 * time, or one that changes at every record). A plain object gains a hidden class per
 * added name, copying its whole descriptor list each time, so filling one with 40 new names
 * costs tens of microseconds; V8 keeps an object from which a property other than the last
 * was deleted as a hash table instead, where each addition is one insert. The result is an
 * ordinary object either way (same prototype, keys and order); only the cost differs.
 */
export function dictionaryFields(): Fields {
  const f: Fields = { a: '', b: '' };
  delete f.a;
  delete f.b;
  return f;
}

/** Sets `key` as an own enumerable field, `__proto__` included. */
export function setField(fields: Fields, key: string, value: FieldValue): void {
  if (key === '__proto__') Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  else fields[key] = value;
}

/** Whether the event has its own field `key` (inherited names do not count). */
export function hasField(fields: Fields, key: string): boolean {
  return Object.hasOwn(fields, key);
}

/** The event's own value for `key`, or undefined. */
export function fieldOf(fields: Fields, key: string): FieldValue | undefined {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

/** Sets `key` unless the event already has it (the first occurrence of a name wins). */
export function setFieldIfAbsent(fields: Fields, key: string, value: FieldValue | undefined): void {
  if (value !== undefined && !Object.hasOwn(fields, key)) setField(fields, key, value);
}

/** Adds a value under `key`, turning a repeated key into an array in order of arrival. */
export function addField(fields: Fields, key: string, value: string): void {
  if (!Object.hasOwn(fields, key)) {
    setField(fields, key, value);
    return;
  }
  const old = fields[key]!;
  if (Array.isArray(old)) old.push(value);
  else fields[key] = [old, value];
}
