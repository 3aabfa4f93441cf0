/** Event sources: files, folders and stdin in every supported format, and the scanner's findings. */
export { FileSource } from '../input/sources/file.js';
export type { ByteRange, FileSourceOptions } from '../input/sources/file.js';
export { detectFormat, readEventBatches, readEvents } from '../input/read.js';
export type { ReadOptions } from '../input/read.js';
export { knownFormats } from '../input/detect.js';
export { zoneResolver } from '../input/text/common.js';
export { ScanSource } from '../scan/source.js';
export type { ScanSourceOptions } from '../scan/source.js';
export { walkInputs } from '../input/walk.js';
