import express from 'express';
import request from 'supertest';
import { catcherControl, MailCatcher } from '../../dev/smtp-catcher/catcher';
import { createMailer, DeliveryNotAttemptedError, DeliveryOutcomeUnknownError, PermanentDeliveryError, type Mailer } from '../../integrations/mailer';

/**
 * What each SMTP failure proves about a message, against a real SMTP server misbehaving the way real
 * ones do (the catcher's faults): refused (for good or for now), never sent, or maybe accepted.
 */
let catcher: MailCatcher;
let mailer: Mailer;
let port: number;
beforeEach(async () => {
  catcher = new MailCatcher();
  port = await catcher.listen(0);
  // Short waits, so a silent server is given up on in a second rather than in the product's 20 s.
  mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Seguimiento <s@example.com>', timeouts: { connectionMs: 1000, greetingMs: 1000, socketMs: 1000 } });
});
afterEach(async () => {
  mailer.close();
  await catcher.close();
});

let n = 0;
const mail = (to = `lead${++n}@example.com`) => ({ to, subject: 'Hola', text: 'Hola', html: '<p>Hola</p>', messageId: `<t${n}@seguimiento>` });
const to = (address: string) => catcher.list().filter((m) => m.envelope.to.includes(address));

test('accepted: the message is kept once', async () => {
  const m = mail();
  await expect(mailer.send(m)).resolves.toEqual({ messageId: m.messageId });
  expect(to(m.to)).toHaveLength(1);
});

test('5xx at the recipient or after the content: refused for good, nothing kept', async () => {
  catcher.addFault({ kind: 'refuse', code: 550, stage: 'rcpt' });
  const a = mail();
  await expect(mailer.send(a)).rejects.toBeInstanceOf(PermanentDeliveryError);
  catcher.addFault({ kind: 'refuse', code: 554, stage: 'data' });
  const b = mail();
  await expect(mailer.send(b)).rejects.toThrow('SMTP rejected the message (554)');
  expect(catcher.list()).toHaveLength(0);
});

test('4xx: refused for now, provably not sent, and the next try goes through', async () => {
  catcher.addFault({ kind: 'refuse', code: 451, stage: 'data', times: 2 });
  const m = mail();
  await expect(mailer.send(m)).rejects.toBeInstanceOf(DeliveryNotAttemptedError);
  await expect(mailer.send(m)).rejects.toBeInstanceOf(DeliveryNotAttemptedError);
  await mailer.send(m);
  expect(to(m.to)).toHaveLength(1);
});

test('a stopped server (connection refused): provably not sent', async () => {
  await catcher.stop({ forMs: 1500 });
  const m = mail();
  await expect(mailer.send(m)).rejects.toThrow(DeliveryNotAttemptedError);
  await expect(mailer.send(m)).rejects.toThrow(/ECONNREFUSED/);
  await new Promise((r) => setTimeout(r, 1700));
  await mailer.send(m);
  expect(to(m.to)).toHaveLength(1);
});

test('saved, then the connection dropped without an answer: unknown, and indeed the server kept it', async () => {
  catcher.addFault({ kind: 'drop' });
  const m = mail();
  await expect(mailer.send(m)).rejects.toBeInstanceOf(DeliveryOutcomeUnknownError);
  expect(to(m.to)).toHaveLength(1);
});

test('a server silent after the content for longer than the socket timeout: unknown, and it kept the message later', async () => {
  catcher.addFault({ kind: 'delay', ms: 2500 });
  const m = mail();
  const started = Date.now();
  await expect(mailer.send(m)).rejects.toThrow(/SOCKET_TIMEOUT/);
  expect(Date.now() - started).toBeLessThan(2500);
  expect(to(m.to)).toHaveLength(0);
  await catcher.waitFor((x) => x.envelope.to.includes(m.to), 5000);
});

test('faults aim at one recipient when told to', async () => {
  catcher.addFault({ kind: 'refuse', code: 550, stage: 'rcpt', to: 'only-this' });
  await mailer.send(mail('someone@example.com'));
  await expect(mailer.send(mail('only-this@example.com'))).rejects.toBeInstanceOf(PermanentDeliveryError);
});

test('the fault controls over HTTP', async () => {
  const app = express().use('/__catcher', catcherControl(catcher));
  await request(app).post('/__catcher/faults').send({ kind: 'refuse', code: 700 }).expect(400);
  const added = await request(app).post('/__catcher/faults').send({ kind: 'delay', ms: 45_000, to: 'valentina' }).expect(201);
  expect(added.body.pending).toEqual([{ kind: 'delay', ms: 45_000, times: 1, to: 'valentina' }]);
  await request(app).delete('/__catcher/faults').expect(204);
  expect((await request(app).get('/__catcher/faults').expect(200)).body.pending).toEqual([]);
  await request(app).post('/__catcher/stop').send({}).expect(204);
  expect(catcher.listening).toBe(false);
  await expect(mailer.send(mail())).rejects.toBeInstanceOf(DeliveryNotAttemptedError);
  await request(app).post('/__catcher/start').expect(204);
  expect(catcher.listening).toBe(true);
  await mailer.send(mail());
});
