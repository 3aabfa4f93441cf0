/**
 * `warden evtx dump`: every recoverable record of Windows event logs as evtx_dump-compatible
 * JSON lines or as XML. Damage is reported to the problem sink and never stops the dump.
 */
import type { ProblemSink } from '../errors.js';
import { readEvtxChunks } from '../input/evtx/reader.js';
import { recordToJson } from '../input/evtx/render-json.js';
import { recordToXml } from '../input/evtx/render-xml.js';

export type EvtxDumpFormat = 'jsonl' | 'xml';

/** Buffers output and honours stdout back-pressure, so a dump of any size stays flat in memory. */
class Output {
  private buf = '';
  constructor(private readonly stream: NodeJS.WritableStream) {}
  async write(s: string): Promise<void> {
    this.buf += s;
    if (this.buf.length >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const data = this.buf;
    this.buf = '';
    if (!this.stream.write(data)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }
}

export async function dumpEvtx(files: string[], format: EvtxDumpFormat, out: NodeJS.WritableStream, problems: ProblemSink): Promise<number> {
  const o = new Output(out);
  let records = 0;
  for (const file of files) {
    for await (const chunk of readEvtxChunks(file, { problems })) {
      const parts: string[] = [];
      for (const r of chunk.records) {
        if (format === 'xml') parts.push(`Record ${r.recordId}\n`, recordToXml(r.tree), '\n');
        else parts.push(JSON.stringify(recordToJson(r.tree)), '\n');
      }
      await o.write(parts.join(''));
      records += chunk.records.length;
    }
  }
  await o.flush();
  return records;
}
