import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state chatter drowns test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
} catch {
  /* already installed by an earlier test file in this process */
}
