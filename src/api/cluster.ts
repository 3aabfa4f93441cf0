/** The cluster: events shipped to NATS JetStream, detection workers sharing its partitions, PostgreSQL as the store. */
export { shipFiles } from '../stream/ship-files.js';
export type { ShipFilesOptions } from '../stream/ship-files.js';
export { Shipper } from '../stream/ship.js';
export type { ShipOptions, ShipStats } from '../stream/ship.js';
export { clusterNames, clusterSettings, DEFAULT_PARTITIONS, DEFAULT_RETENTION, partitionOf } from '../stream/settings.js';
export type { ClusterNames, ClusterSettings, RetentionSettings } from '../stream/settings.js';
export { ClusterError, connectNats, destroyTopology, ensureTopology, redactNatsUrl } from '../stream/connect.js';
export type { Topology } from '../stream/connect.js';
export { ClusterWorker } from '../stream/worker.js';
export { LagMonitor, partitionLag } from '../stream/lag.js';
export type { LagMonitorOptions, PartitionLag } from '../stream/lag.js';
export type { WorkerOptions, WorkerStatus } from '../stream/worker.js';
export type { ClusterLogger, PartitionStatus } from '../stream/partition.js';
export { openStore } from '../store/store.js';
