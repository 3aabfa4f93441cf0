/** Native EVTX reading: the public surface of src/input/evtx/. */
export { readEvtx, readEvtxXml, readEvtxTrees, readEvtxChunks, countChunks } from './reader.js';
export type { EvtxReadOptions, EvtxRecord, EvtxXmlRecord, EvtxTreeRecord, EvtxChunkRecords } from './reader.js';
export { recordToJson } from './render-json.js';
export type { JsonObject, JsonValue } from './render-json.js';
export { recordToXml } from './render-xml.js';
export { evtxDecoder, readEvtxEvents } from './decoder.js';
export type { ChunkRange } from './decoder.js';
