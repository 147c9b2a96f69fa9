import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { temporalAddress, type Config } from '../../config';

/**
 * What every connection to Temporal is made with, the client's (`Connection`) and the worker's
 * (`NativeConnection`) alike: the address and, for Temporal Cloud or a server behind TLS, TLS with an
 * API key or a client certificate (docs/operations.md, "Temporal Cloud"). Plain when none is set, as
 * the compose deployment and `npm start` run it. config/index.ts has refused the combinations that
 * make no sense (a certificate without its key, an API key with a certificate) and unreadable files.
 */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
  metadata?: Record<string, string>;
}

type TemporalSettings = Pick<Config, 'TEMPORAL_ADDRESS' | 'DEV_TEMPORAL_PORT' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_SERVER_NAME'>;

export function temporalConnectionOptions(config: TemporalSettings): TemporalConnectionOptions {
  const address = temporalAddress(config);
  const tls: TLSConfig = {
    ...(config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
      ? { clientCertPair: { crt: readFileSync(config.TEMPORAL_TLS_CERT), key: readFileSync(config.TEMPORAL_TLS_KEY) } }
      : {}),
    ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: readFileSync(config.TEMPORAL_TLS_CA) } : {}),
    ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
  if (config.TEMPORAL_API_KEY) {
    // Temporal Cloud's regional API-key endpoint routes each call by this header.
    return { address, tls, apiKey: config.TEMPORAL_API_KEY, metadata: { 'temporal-namespace': config.TEMPORAL_NAMESPACE } };
  }
  return Object.keys(tls).length ? { address, tls } : { address };
}

/** How the app reaches Temporal, for its logs: never the key or the certificate itself. */
export function describeTemporalConnection(options: TemporalConnectionOptions): string {
  const how = options.apiKey ? 'TLS with an API key' : options.tls?.clientCertPair ? 'mTLS with a client certificate' : options.tls ? 'TLS' : 'plain';
  return `${options.address} (${how})`;
}
