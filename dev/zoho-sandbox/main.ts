import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { createLogger } from '../../lib/logger';
import { createZohoSandbox } from './app';

/**
 * The Zoho sandbox as a process of its own:
 *   --port 4010 --client-id … --client-secret … --refresh-token … --state .data/zoho-sandbox.json
 * Credentials come from arguments, not the environment (only config/ reads that); the defaults
 * are public sandbox values that grant nothing real.
 */
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      'client-id': { type: 'string', default: 'sandbox-client-id' },
      'client-secret': { type: 'string', default: 'sandbox-client-secret' },
      'refresh-token': { type: 'string', default: 'sandbox-refresh-token' },
      state: { type: 'string' },
    },
  });
  const log = createLogger({ name: 'zoho-sandbox', level: 'info' });
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${args.port}`);
  let boundPort = port;
  const sandbox = createZohoSandbox({
    clientId: args['client-id'],
    clientSecret: args['client-secret'],
    refreshToken: args['refresh-token'],
    ...(args.state ? { statePath: args.state } : {}),
    publicUrl: () => `http://127.0.0.1:${boundPort}`,
    logger: log,
  });
  const server: Server = sandbox.app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // With --port 0 the OS picks the port; api_domain must name the real one.
  const address = server.address();
  if (address && typeof address === 'object') boundPort = address.port;
  log.info(`Zoho sandbox listening on http://127.0.0.1:${boundPort}`);

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`Zoho sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
