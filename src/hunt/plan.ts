/**
 * Planning a hunt: the inputs become jobs — a whole file, a byte range of a big text file
 * whose decoder says its lines stand alone, or a piece of a binary file its decoder can
 * split (EVTX chunk ranges) — in the order their results are emitted.
 */
import { stat } from 'node:fs/promises';
import type { ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { FilePart } from '../input/decoder.js';
import { detectFormat, splitAtLines, splitInfo } from '../input/read.js';
import type { ByteRange } from '../input/sources/file.js';
import { walkInputs } from '../input/walk.js';

export interface HuntJob {
  /** Position in emission order. */
  id: number;
  file: string;
  /** Decoder chosen by the planner (sniffed once, also for split files). */
  format?: string;
  /** A byte range of a text file, and which of the file's ranges it is. */
  range?: ByteRange;
  part?: number;
  parts?: number;
  /** A piece of a binary file from its decoder's `split`. */
  filePart?: FilePart;
  /** Named on the command line, not found by walking a folder. */
  explicit: boolean;
  size: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface Plan {
  jobs: HuntJob[];
  bytes: number;
  files: number;
  /** Files found by walking that nothing recognizes (named, with the reason). */
  skipped: SkippedFile[];
  /** Files per input format. */
  formats: Record<string, number>;
}

export interface PlanOptions {
  inputs: string[];
  inputFormat?: string;
  threads: number;
  /** Files at least this big are split when their format allows it. */
  splitMinBytes: number;
}

export async function planJobs(opts: PlanOptions, problems: ProblemSink): Promise<Plan> {
  const plan: Plan = { jobs: [], bytes: 0, files: 0, skipped: [], formats: {} };
  const sized: { job: Omit<HuntJob, 'id'>; order: number; weight: number }[] = [];
  let order = 0;
  for await (const input of walkInputs(opts.inputs, problems)) {
    if (input.path === '-') {
      sized.push({ job: { file: '-', format: opts.inputFormat, explicit: true, size: 0 }, order: order++, weight: 0 });
      plan.files++;
      continue;
    }
    let size = 0;
    try {
      size = (await stat(input.path)).size;
    } catch (e) {
      problems.report({ kind: 'input', file: input.path, message: `cannot read: ${errorMessage(e)}` });
      continue;
    }
    const decoder = await detectFormat(input.path, { inputFormat: opts.inputFormat }, problems);
    if (!decoder) {
      const reason = 'unrecognized format (use --input-format to force one)';
      if (input.explicit) problems.report({ kind: 'input', file: input.path, message: reason });
      else plan.skipped.push({ path: input.path, reason });
      continue;
    }
    plan.files++;
    plan.bytes += size;
    plan.formats[decoder.format] = (plan.formats[decoder.format] ?? 0) + 1;
    const base = { file: input.path, format: decoder.format, explicit: input.explicit, size };
    const first = order;
    const bigEnough = opts.threads > 1 && size >= opts.splitMinBytes;
    if (bigEnough && decoder.kind === 'file' && decoder.split) {
      const parts = await decoder.split(input.path, opts.threads * 2);
      for (const filePart of parts) sized.push({ job: { ...base, filePart, size: Math.ceil(size / parts.length) }, order: order++, weight: size / parts.length });
    } else if (bigEnough && decoder.kind === 'line' && decoder.splittable) {
      const info = await splitInfo(input.path);
      if (info.plainText && decoder.splittable(info.lines)) {
        const ranges = await splitAtLines(input.path, size, opts.threads * 2);
        ranges.forEach((range, part) => {
          sized.push({ job: { ...base, range, part, parts: ranges.length, size: range.end - range.start }, order: order++, weight: size / ranges.length });
        });
      }
    }
    if (order === first) sized.push({ job: base, order: order++, weight: size });
  }
  // Largest first keeps every thread busy until the end; the pieces of one file share a
  // weight, so they stay together and in order (their line numbers build on each other).
  sized.sort((a, b) => b.weight - a.weight || a.order - b.order);
  plan.jobs = sized.map((s, id) => ({ ...s.job, id }));
  return plan;
}
