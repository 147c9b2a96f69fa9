import { Client, Connection } from '@temporalio/client';
import { apiKeysOf, firstAdminOf, kpiSettingsOf, loadConfig, otlpTracesUrlOf, policyOf, required, secretsOf } from '../config';
import { Ledger } from '../integrations/ledger/ledger';
import { temporalConnectionOptions } from '../integrations/temporal/connection';
import { zohoStatusMap } from '../integrations/zoho/status-mapping';
import { createLogger } from '../lib/logger';
import { serveMetrics } from '../lib/metrics';
import { startTracing, tracedClientInterceptors } from '../lib/tracing';
import { createApp } from './app';
import { Accounts } from './web/accounts';
import { httpMailbox } from './web/sent-mailbox';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ name: 'api', level: config.LOG_LEVEL });
  if (!config.API_KEY) log.warn(`API_KEY is not set: using the development key "${apiKeysOf(config).current}"`);
  // Before the client: its calls join each request's trace (off without OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = startTracing({ service: 'seguimiento-api', url: otlpTracesUrlOf(config) });
  if (tracing) log.info('Traces go to the OTLP endpoint');
  // Connection.lazy lets the API come up (and answer 503s) while Temporal is still starting.
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracedClientInterceptors(tracing) });
  const ledger = Ledger.connect(required(config, 'DATABASE_URL'));
  await ledger.migrate();
  const accounts = new Accounts(ledger.pool);
  if ((await accounts.count()) === 0) {
    const admin = firstAdminOf(config);
    if (!admin) throw new Error('There are no web accounts yet: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first director');
    await accounts.ensureFirstAdmin(admin);
    log.warn(`Created the first web account ${admin.email}${config.ADMIN_PASSWORD ? '' : ` with the development password "${admin.password}"`}: change it in the app`);
  }
  const app = createApp({
    temporal, ledger, secrets: secretsOf(config), zohoStatus: zohoStatusMap(config.ZOHO_STATUS_MAP), apiKey: apiKeysOf(config), publicUrl: config.PUBLIC_URL,
    policy: policyOf(config), log, routingRules: config.ROUTING_RULES,
    director: { kpiSettings: kpiSettingsOf(config), timeZone: config.COMPANY_TIME_ZONE },
    trustProxyHops: config.TRUST_PROXY_HOPS,
    links: { temporalUiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE, zohoWebUrl: config.ZOHO_WEB_URL },
    // Caught mail is shown only in development: in production mail goes to real people.
    sentMail: config.MAIL_CATCHER_URL && config.NODE_ENV !== 'production' ? httpMailbox(config.MAIL_CATCHER_URL) : undefined,
  });
  // On a port of its own, for Prometheus only: the public port never serves /metrics.
  const metricsServer = config.METRICS_PORT ? await serveMetrics({ port: config.METRICS_PORT }) : null;
  if (metricsServer) log.info(`Metrics on http://localhost:${metricsServer.port}/metrics`);
  const server = app.listen(config.PORT, () => log.info(`API and web app on http://localhost:${config.PORT}`));
  server.on('error', (err) => {
    log.error({ err: err.message }, 'API could not listen');
    process.exit(1);
  });
  const shutdown = () => {
    log.info('Shutting down');
    metricsServer?.close();
    server.close(() => {
      void Promise.allSettled([connection.close(), ledger.close(), tracing?.shutdown()]).finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err) => {
  process.stderr.write(`API failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
