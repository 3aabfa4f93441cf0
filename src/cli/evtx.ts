/**
 * `warden evtx dump FILE... [--format jsonl|xml]`: prints every recoverable record of
 * Windows event logs, as evtx_dump-compatible JSON lines or as XML. Damage is reported
 * on stderr (exit code 1) and never stops the dump.
 */
import type { Command } from 'commander';
import { formatProblem, UsageError, type Problem, type ProblemSink } from '../errors.js';
import { readEvtxChunks } from '../input/evtx/reader.js';
import { recordToJson } from '../input/evtx/render-json.js';
import { recordToXml } from '../input/evtx/render-xml.js';

type Format = 'jsonl' | 'xml';

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

export async function dumpEvtx(files: string[], format: Format, out: NodeJS.WritableStream, problems: ProblemSink): Promise<number> {
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

export function register(program: Command): void {
  const evtx = program.command('evtx').description('Windows XML event log (.evtx) tools');
  evtx
    .command('dump')
    .description('print every recoverable record as JSON lines (evtx_dump shape) or XML')
    .argument('<files...>', '.evtx files')
    .option('-f, --format <format>', 'jsonl or xml', 'jsonl')
    .action(async (files: string[], opts: { format: string }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'xml') throw new UsageError(`--format must be jsonl or xml, not "${opts.format}"`);
      let count = 0;
      const sink: ProblemSink = {
        report(p: Problem): void {
          count++;
          process.stderr.write(formatProblem(p) + '\n');
        },
      };
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
      await dumpEvtx(files, opts.format, process.stdout, sink);
      process.exitCode = count > 0 ? 1 : 0;
    });
}
