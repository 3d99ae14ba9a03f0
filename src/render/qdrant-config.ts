import { stringify } from 'yaml';

/**
 * The part of Qdrant's configuration this tool sets (vpai §4.8), with the key names and types of
 * Qdrant 1.16's `Settings` (src/settings.rs, lib/storage/src/types.rs `StorageConfig`,
 * lib/segment/src/types.rs `HnswConfig`). Qdrant merges this file over its built-in
 * config/config.yaml, so what is left out keeps Qdrant's default. The API key is not here: it
 * comes from the container's environment (`QDRANT__SERVICE__API_KEY`, from the 0600 env file),
 * so this file holds no secret.
 */
export interface QdrantConfig {
  readonly log_level: 'INFO';
  readonly storage: {
    readonly storage_path: string;
    readonly snapshots_path: string;
    readonly optimizers: { readonly default_segment_number: number };
    readonly hnsw_index: {
      readonly m: number;
      readonly ef_construct: number;
      /**
       * Written under the alias the built-in config uses: Qdrant merges the files into one map, and
       * `full_scan_threshold` beside the built-in `full_scan_threshold_kb` is a "duplicate field"
       * error that stops it at start.
       */
      readonly full_scan_threshold_kb: number;
    };
  };
  readonly service: { readonly host: string; readonly http_port: number; readonly grpc_port: number; readonly enable_tls: boolean };
  /** The backend network is internal: telemetry could not leave anyway, and would only log failures. */
  readonly telemetry_disabled: boolean;
}

/** Where the image reads it: WORKDIR /qdrant, RUN_MODE=production → config/production.yaml (L-B9). */
export const QDRANT_CONFIG_TARGET = '/qdrant/config/production.yaml';
export const QDRANT_HTTP_PORT = 6333;
export const QDRANT_GRPC_PORT = 6334;

export function qdrantConfig(): QdrantConfig {
  return {
    log_level: 'INFO',
    storage: {
      // The catalogue's data folders are mounted here.
      storage_path: '/qdrant/storage',
      snapshots_path: '/qdrant/snapshots',
      optimizers: { default_segment_number: 2 },
      hnsw_index: { m: 16, ef_construct: 100, full_scan_threshold_kb: 10000 },
    },
    service: { host: '0.0.0.0', http_port: QDRANT_HTTP_PORT, grpc_port: QDRANT_GRPC_PORT, enable_tls: false },
    telemetry_disabled: true,
  };
}

export function renderQdrantConfig(config: QdrantConfig = qdrantConfig()): string {
  return `# Written by homelab-wizard: Qdrant's settings (the API key comes from the environment).\n${stringify(config, { lineWidth: 0 })}`;
}
