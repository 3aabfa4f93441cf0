/** `warden ship`: inputs read and decoded here, their events shipped to the cluster's stream. */
import type { ProblemSink } from '../errors.js';
import { readEventBatches, type ReadOptions } from '../input/read.js';
import { connectNats, ensureTopology } from './connect.js';
import { type ClusterSettings, clusterSettings } from './settings.js';
import { type ShipOptions, type ShipStats, Shipper } from './ship.js';

export interface ShipFilesOptions extends ShipOptions {
  paths: string[];
  /** nats://HOST:PORT (several separated by commas). */
  url: string;
  settings?: Partial<ClusterSettings>;
  read?: ReadOptions;
  /** Mark the end of input on every partition after the events (see wire.ts). */
  end?: boolean;
  onProgress?: (s: ShipStats) => void;
}

export async function shipFiles(opts: ShipFilesOptions, problems: ProblemSink): Promise<ShipStats> {
  const nc = await connectNats({ url: opts.url, name: 'warden ship' });
  try {
    const topology = await ensureTopology(nc, clusterSettings(opts.settings));
    const shipper = new Shipper(nc, topology, opts);
    let last = 0;
    for await (const batch of readEventBatches(opts.paths, opts.read ?? {}, problems)) {
      await shipper.add(batch);
      if (opts.onProgress && Date.now() - last > 500) {
        last = Date.now();
        opts.onProgress(shipper.stats);
      }
    }
    return await shipper.finish({ end: opts.end });
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
