/** `--data` and `--store`: where the component baselines live (the same store as `warden serve`). */
import type { Command } from 'commander';

export interface StoreFlags {
  data?: string;
  store?: string;
}

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', "Warden's data folder (the SQLite store is <dir>/warden.db)", 'warden-data')
    .option('--store <url>', 'a postgres:// URL to keep the store in PostgreSQL instead');
}

export async function openStoreFrom(flags: StoreFlags) {
  const { openStore } = await import('../api/integrity.js');
  return openStore(flags.store ? { url: flags.store } : { data: flags.data });
}
