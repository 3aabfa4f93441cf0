/** Searching normalized events for text or patterns (`warden search`). */
export { EventMatcher, SearchSpecError } from '../search/matcher.js';
export type { FieldMatch, SearchSpec } from '../search/matcher.js';
export { emptySearchStats, searchEvents } from '../search/search.js';
export type { SearchHit, SearchOptions, SearchStats } from '../search/search.js';
export { searchRecord } from '../search/record.js';
export type { SearchRecord } from '../search/record.js';
