import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port free on 127.0.0.1 now, for the Temporal SDK's Prometheus exporter: it is only read by this
 * worker's own /metrics, and two workers on one host must not want the same one. (Core binds the
 * address itself and cannot tell us a port it chose.)
 */
export async function freeLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * The SDK exporter's text, to follow ours on the worker's /metrics. When it does not answer, the scrape
 * still serves the product's metrics, and `seguimiento_temporal_sdk_metrics_up 0` says what is missing.
 */
export const SDK_METRICS_UP = 'seguimiento_temporal_sdk_metrics_up';

export function sdkMetricsText(address: string): () => Promise<string> {
  const up = (value: 0 | 1) =>
    `# HELP ${SDK_METRICS_UP} Whether the Temporal SDK's metrics answered this scrape.\n# TYPE ${SDK_METRICS_UP} gauge\n${SDK_METRICS_UP} ${value}\n`;
  return async () => {
    try {
      const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) return up(0);
      return `${up(1)}${await res.text()}`;
    } catch {
      return up(0);
    }
  };
}
