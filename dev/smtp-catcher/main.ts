import { parseArgs } from 'node:util';
import express from 'express';
import pino from 'pino';
import { catcherControl, MailCatcher, parseMail } from './catcher';

/**
 * The local SMTP catcher as a process of its own: `--smtp-port`, `--http-port`, `--dir`.
 * Its small JSON API (`GET /messages`) is what the web app's "Correo enviado" page reads; its fault
 * controls are under `/__catcher` (catcher.ts, `catcherControl`).
 */
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { 'smtp-port': { type: 'string', default: '1025' }, 'http-port': { type: 'string', default: '1080' }, dir: { type: 'string', default: '.data/mail' } },
  });
  const log = pino({ name: 'smtp' });
  const catcher = new MailCatcher(args.dir);
  const smtpPort = await catcher.listen(Number(args['smtp-port']));
  const app = express();
  app.use('/__catcher', catcherControl(catcher));
  app.get('/messages', async (_req, res) => {
    const mails = await Promise.all(
      catcher.list().map(async (m) => {
        const parsed = await parseMail(m);
        return { id: m.id, receivedAt: m.receivedAt, envelope: m.envelope, subject: parsed.subject, text: parsed.text, html: parsed.html || null };
      }),
    );
    res.json({ messages: mails.reverse() });
  });
  const http = app.listen(Number(args['http-port']), '127.0.0.1');
  await new Promise<void>((ok) => http.once('listening', () => ok()));
  log.info(`SMTP catcher on smtp://127.0.0.1:${smtpPort}, messages at http://127.0.0.1:${args['http-port']}/messages`);
  const stop = async () => {
    http.close();
    await catcher.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`SMTP catcher failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
