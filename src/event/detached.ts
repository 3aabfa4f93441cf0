/**
 * A copy of s that keeps no other string alive. A substring of 13 or more characters (a value
 * a decoder sliced from a line) is a view of its parent, and through the line of the whole
 * chunk read from the file: kept in a table or cache it would keep a megabyte per entry.
 * Flattening a concatenation copies the characters; slicing the copy again makes a view of the
 * copy only. Shorter strings are copied by V8 already (no sliced or cons string is that short).
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
