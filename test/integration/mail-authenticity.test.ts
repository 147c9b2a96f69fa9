import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { dkimOf, mailDomainOf, parseConfig } from '../../config';
import { followUpKey, leadIdFor, messageIdFor, touchKey, touchKeyOfMessageId } from '../../domain/ids';
import { MailCatcher, type CaughtMail } from '../../dev/smtp-catcher/catcher';
import { createMailer, type DkimSettings } from '../../integrations/mailer';
import { pythonMessageIds } from '../support/rfc5322';

/**
 * What receivers check before they trust a mail: Message-IDs that a standard RFC 5322 parser reads
 * back unchanged, and a DKIM signature that a DKIM verifier accepts, covering the List-Unsubscribe
 * headers. Mails go over real SMTP to the catcher; nothing is mocked but DNS.
 */

let catcher: MailCatcher;
let port: number;
beforeAll(async () => {
  catcher = new MailCatcher();
  port = await catcher.listen(0);
});
afterAll(() => catcher.close());

const unsubscribe = 'https://seguimiento.example.com/unsubscribe/L-0000000000001.abc';
async function send({ to, messageId, dkim, from = 'Seguimiento <seguimiento@example.com>' }: { to: string; messageId: string; dkim?: DkimSettings | null; from?: string }): Promise<CaughtMail> {
  const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from, dkim });
  try {
    await mailer.send({
      to, messageId, subject: 'Tu interés en Ciencia de Datos', text: 'Hola, Ana', html: '<p>Hola, Ana</p>',
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  } finally {
    mailer.close();
  }
  return catcher.waitFor((m) => m.envelope.to.includes(to));
}

test('every kind of Message-ID we send reads back unchanged with a standard RFC 5322 parser, on the sender\'s domain', async () => {
  const config = parseConfig({ MAIL_FROM: 'Seguimiento <seguimiento@cursos.example.com>' });
  const domain = mailDomainOf(config);
  expect(domain).toBe('cursos.example.com');
  const leadId = leadIdFor('ana@example.co');
  const returning = followUpKey({ leadId, lead: { createdAt: '2026-12-01T15:00:00.000Z', returning: { previousStage: 'lost' } } });
  const keys = [
    touchKey({ leadId, step: 0, attempt: 1 }), // the welcome
    touchKey({ leadId: returning, step: 3, attempt: 2 }), // a touch of a later follow-up (its key carries a '.')
    `${leadId}:escalation:2026-12-14T15:00:00.000Z`,
    `${leadId}:sla:1`,
    'integration-failure:zoho:ZohoAuthError:2026-12-14',
    'report:weekly:2026-12-14T14:00:00.000Z',
    'report:bottlenecks:2026-12-14T13:30:00.000Z',
  ];
  const ids = keys.map((key) => messageIdFor(key, domain));
  expect(ids[0]).toBe(`<${leadId}.step-0.attempt-1@cursos.example.com>`);
  expect(new Set(ids).size).toBe(keys.length);
  // Read back to the key: how replies and the chaos tally find the touch a mail came from.
  expect(ids.map(touchKeyOfMessageId)).toEqual(keys);
  // Ids stored before this change still read as the key they were made from.
  expect(touchKeyOfMessageId(`<${leadId}:step-0:attempt-1@seguimiento>`)).toBe(`${leadId}:step-0:attempt-1`);

  const raws: string[] = [];
  for (const [i, id] of ids.entries()) raws.push((await send({ to: `msgid-${i}@example.co`, messageId: id, from: config.MAIL_FROM })).raw);
  expect(pythonMessageIds(raws)).toEqual(ids.map((id) => ({ id, defects: [] })));
  // What the parser makes of the old shape: the reason for the change.
  const [old] = pythonMessageIds([raws[0]!.replace(ids[0]!, `<${keys[0]}@seguimiento>`)]);
  expect(old).toEqual({ id: `<${leadId}`, defects: ['InvalidHeaderDefect', 'InvalidHeaderDefect'] });
});

describe('DKIM', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const txt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  /** DNS as a receiver would ask it: only the selector's key record exists. */
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === 's2026._domainkey.example.com') return [[txt]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
  // Configured as an operator would: the key as one line with \n escapes.
  const config = parseConfig({ MAIL_FROM: 'Seguimiento <seguimiento@example.com>', DKIM_SELECTOR: 's2026', DKIM_PRIVATE_KEY: pem.trim().replaceAll('\n', '\\n') });

  it('a signed mail passes DKIM verification, aligned with From, with List-Unsubscribe and List-Unsubscribe-Post signed', async () => {
    expect(dkimOf(config)).toEqual({ domainName: 'example.com', keySelector: 's2026', privateKey: pem.trim() });
    const mail = await send({ to: 'dkim-pass@example.co', messageId: messageIdFor('L-0000000000001:step-0:attempt-1', 'example.com'), dkim: dkimOf(config) });
    const { results } = await dkimVerify(mail.raw, { resolver, sender: 'seguimiento@example.com' });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ signingDomain: 'example.com', selector: 's2026', status: { result: 'pass', aligned: 'example.com' } });
    // mailauth reports the signed header names (the h= tag) as `signingHeaders.keys`, which its typings omit.
    const { signingHeaders } = results[0] as unknown as { signingHeaders?: { keys: string } };
    const signed = (signingHeaders?.keys ?? '').toLowerCase().split(':').map((h: string) => h.trim());
    expect(signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
  });

  it('changing the List-Unsubscribe link in transit breaks the signature', async () => {
    const mail = await send({ to: 'dkim-tamper@example.co', messageId: messageIdFor('L-0000000000002:step-0:attempt-1', 'example.com'), dkim: dkimOf(config) });
    const tampered = mail.raw.replace(unsubscribe, 'https://evil.example.net/unsubscribe/x');
    expect(tampered).not.toBe(mail.raw);
    const { results } = await dkimVerify(tampered, { resolver, sender: 'seguimiento@example.com' });
    expect(results[0]!.status.result).toBe('fail');
  });

  it('without DKIM settings, development sends unsigned mail', async () => {
    expect(dkimOf(parseConfig({}))).toBeNull();
    const mail = await send({ to: 'unsigned@example.co', messageId: messageIdFor('L-0000000000003:step-0:attempt-1', 'example.com'), dkim: dkimOf(parseConfig({})) });
    expect(mail.raw).not.toMatch(/^DKIM-Signature:/im);
  });
});
