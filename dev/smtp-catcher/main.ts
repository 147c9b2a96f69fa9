import express from 'express';
import pino from 'pino';
import { MailCatcher, parseMail } from './catcher';

/**
 * The local SMTP catcher as a process of its own: `--smtp-port`, `--http-port`, `--dir`.
 * Its small JSON API (`GET /messages`) is what the web app's "Correo enviado" page reads.
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const log = pino({ name: 'smtp' });
  const catcher = new MailCatcher(arg('dir', '.data/mail'));
  const smtpPort = await catcher.listen(Number(arg('smtp-port', '1025')));
  const app = express();
  app.get('/messages', async (_req, res) => {
    const mails = await Promise.all(
      catcher.list().map(async (m) => {
        const parsed = await parseMail(m);
        return { id: m.id, receivedAt: m.receivedAt, envelope: m.envelope, subject: parsed.subject, text: parsed.text, html: parsed.html || null };
      }),
    );
    res.json({ messages: mails.reverse() });
  });
  const http = app.listen(Number(arg('http-port', '1080')), '127.0.0.1');
  await new Promise<void>((ok) => http.once('listening', () => ok()));
  log.info(`SMTP catcher on smtp://127.0.0.1:${smtpPort}, messages at http://127.0.0.1:${arg('http-port', '1080')}/messages`);
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
