import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel, type Worker } from '@temporalio/worker';
import { dkimOf, kpiSettingsOf, loadConfig, mailboxOf, mailDomainOf, otlpTracesUrlOf, required, secretsOf, workerTuningOf } from '../config';
import { ensureSchedules } from '../integrations/temporal/schedules';
import { temporalConnectionOptions } from '../integrations/temporal/connection';
import { Ledger } from '../integrations/ledger/ledger';
import { createLogger } from '../lib/logger';
import { metrics, serveMetrics } from '../lib/metrics';
import { startTracing, tracedClientInterceptors } from '../lib/tracing';
import { Routing } from '../integrations/ledger/routing';
import { createMailer } from '../integrations/mailer';
import { ZohoClient } from '../integrations/zoho/client';
import { ZohoOrgMetadata } from '../integrations/zoho/org-metadata';
import { zohoStatusMap } from '../integrations/zoho/status-mapping';
import { createLeadWorker } from './lead-worker';
import { freeLocalPort, sdkMetricsText } from './metrics';
import { workerReadiness } from './health';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ name: 'worker', level: config.LOG_LEVEL });
  // The SDK's own metrics (task latencies, slots, sticky cache) go to an exporter only this process
  // reads: the worker's /metrics serves them after ours. Installed before any connection is made.
  const sdkMetrics = config.WORKER_METRICS_PORT ? `127.0.0.1:${await freeLocalPort()}` : null;
  Runtime.install({
    ...(sdkMetrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetrics, useSecondsForDurations: true } } } } : {}),
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
      // The bundler's multi-line build report is only interesting when debugging.
      const lvl = message.startsWith('asset workflow-bundle') ? 'debug' : (level.toLowerCase() as Lowercase<LogLevel>);
      log[lvl === 'trace' ? 'trace' : lvl](meta ?? {}, message);
    }),
  });

  // Workflow and activity spans continue the API request's trace (off without OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = startTracing({ service: 'seguimiento-worker', url: otlpTracesUrlOf(config) });
  if (tracing) log.info('Traces go to the OTLP endpoint');
  const ledger = Ledger.connect(required(config, 'DATABASE_URL'));
  await ledger.migrate();
  // /health/live and /health/ready ride on the metrics port: not ready until the worker below polls.
  const started: { connection?: Connection; worker?: Worker } = {};
  const metricsServer = sdkMetrics && config.WORKER_METRICS_PORT
    ? await serveMetrics({ port: config.WORKER_METRICS_PORT, more: sdkMetricsText(sdkMetrics), ready: workerReadiness({ namespace: config.TEMPORAL_NAMESPACE, pool: ledger.pool, started }) })
    : null;
  if (metricsServer) {
    const routing = new Routing(ledger.pool);
    metrics.watchLeadsWaiting(() => routing.waitingByPool());
    log.info(`Metrics on http://localhost:${metricsServer.port}/metrics`);
  }
  const mailer = createMailer({
    smtpUrl: required(config, 'SMTP_URL'),
    from: config.MAIL_FROM,
    timeouts: { connectionMs: config.SMTP_CONNECTION_TIMEOUT, greetingMs: config.SMTP_GREETING_TIMEOUT, socketMs: config.SMTP_SOCKET_TIMEOUT },
    dkim: dkimOf(config),
  });
  const zoho = new ZohoClient({
    accountsUrl: required(config, 'ZOHO_ACCOUNTS_URL'),
    apiDomain: config.ZOHO_API_DOMAIN,
    clientId: required(config, 'ZOHO_CLIENT_ID'),
    clientSecret: required(config, 'ZOHO_CLIENT_SECRET'),
    refreshToken: required(config, 'ZOHO_REFRESH_TOKEN'),
  });
  // The org's fields, picklists and users, read now and daily: every Zoho write is fitted to them.
  // Zoho away at start does not stop the worker; the first write that needs them reads them.
  const zohoOrg = new ZohoOrgMetadata(zoho, { onError: (err) => log.warn({ err }, 'Could not read the Zoho org metadata; writes will read it when they need it') });
  await zohoOrg.start();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  // A client too, for what activities tell other workflows (a lead waiting for capacity).
  const clientConnection = await Connection.connect(temporalConnectionOptions(config));
  started.connection = clientConnection;
  const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracedClientInterceptors(tracing) });
  const worker = await createLeadWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, tracing, tuning: workerTuningOf(config), deps: {
      ledger, mailer, zoho, zohoOrg, zohoValues: config.ZOHO_VALUE_MAP,
      directorEmail: config.DIRECTOR_EMAIL,
      temporalUiUrl: config.TEMPORAL_UI_URL,
      namespace: config.TEMPORAL_NAMESPACE,
      publicUrl: config.PUBLIC_URL,
      unsubscribeSecret: secretsOf(config).unsubscribe.current,
      mailDomain: mailDomainOf(config),
      mailbox: { address: mailboxOf(config), dailyCap: config.MAIL_DAILY_CAP },
      teamReplyTo: config.MAIL_REPLY_TO,
      zohoStatus: zohoStatusMap(config.ZOHO_STATUS_MAP),
      routingRules: config.ROUTING_RULES,
      temporal,
    },
    reports: {
      ledger, mailer, directorEmail: config.DIRECTOR_EMAIL, publicUrl: config.PUBLIC_URL, kpiSettings: kpiSettingsOf(config), timeZone: config.COMPANY_TIME_ZONE,
    },
  });
  // The director's weekly report and daily bottleneck check, visible under Schedules in the Temporal UI.
  await ensureSchedules(temporal, config.COMPANY_TIME_ZONE);

  // The SDK drains in-flight tasks on SIGINT/SIGTERM before run() resolves.
  started.worker = worker;
  log.info('Worker started');
  await worker.run();
  zohoOrg.stop();
  metricsServer?.close();
  await connection.close();
  await clientConnection.close();
  mailer.close();
  await ledger.close();
  await tracing?.shutdown();
  log.info('Worker stopped');
}

main().catch((err) => {
  process.stderr.write(`Worker failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
