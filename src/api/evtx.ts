/** Windows XML event logs read natively: records, and their evtx_dump-JSON and XML renderings. */
export { readEvtx, readEvtxChunks } from '../input/evtx/reader.js';
export { recordToJson } from '../input/evtx/render-json.js';
export { recordToXml } from '../input/evtx/render-xml.js';
export { dumpEvtx } from '../output/evtx-dump.js';
export type { EvtxDumpFormat } from '../output/evtx-dump.js';
