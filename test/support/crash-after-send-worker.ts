/**
 * A real lead worker that dies (SIGKILL, no clean-up) right after the SMTP server accepted an email:
 * with `--kill-at after-complete` (the default) once the claim is completed in the ledger, before the
 * activity can report to Temporal; with `--kill-at before-complete` before the claim is completed, so
 * the ledger only knows the send was claimed: the worst moment for "nothing is done twice".
 * Arguments: --temporal host:port --namespace N --database URL --smtp PORT --zoho URL [--kill-at …]
 */
import { NativeConnection } from '@temporalio/worker';
import { Ledger } from '../../integrations/ledger/ledger';
import { createMailer } from '../../integrations/mailer';
import { ZohoClient } from '../../integrations/zoho/client';
import { zohoStatusMap } from '../../integrations/zoho/status-mapping';
import { createLeadWorker } from '../../workers/lead-worker';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) {
    if (fallback !== undefined) return fallback;
    throw new Error(`--${name} is required`);
  }
  return process.argv[i + 1]!;
};

async function main(): Promise<void> {
  const ledger = Ledger.connect(arg('database'));
  const killAt = arg('kill-at', 'after-complete');
  const complete = ledger.complete.bind(ledger);
  // An email's claim is completed with its Message-ID, and only once SMTP accepted it.
  const isEmail = (ref: string | null) => ref !== null && /^<[^@]+@[^@]+>$/.test(ref);
  ledger.complete = async (effect) => {
    if (killAt === 'after-complete') await complete(effect);
    if (isEmail(effect.ref)) {
      process.stdout.write(`KILLED after sending ${effect.ref}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    if (killAt !== 'after-complete') await complete(effect);
  };
  const zohoUrl = arg('zoho');
  const worker = await createLeadWorker({
    connection: await NativeConnection.connect({ address: arg('temporal') }),
    namespace: arg('namespace'),
    deps: {
      ledger,
      mailer: createMailer({ smtpUrl: `smtp://127.0.0.1:${arg('smtp')}`, from: 'Seguimiento <seguimiento@example.com>' }),
      zoho: new ZohoClient({ accountsUrl: zohoUrl, clientId: 'it-client', clientSecret: 'it-secret', refreshToken: 'it-refresh' }),
      directorEmail: 'director@example.com',
      temporalUiUrl: 'http://localhost:8233',
      namespace: arg('namespace'),
      publicUrl: 'http://localhost:3000',
      unsubscribeSecret: 'integration-unsubscribe-secret-0000001', // SECRETS.unsubscribe in stack.ts
      mailDomain: 'example.com', // MAIL_DOMAIN in stack.ts
      teamReplyTo: 'equipo@example.com',
      zohoStatus: zohoStatusMap(),
    },
  });
  process.stdout.write('READY\n');
  await worker.run();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
