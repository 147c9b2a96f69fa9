import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger';

test('lead data and credentials are redacted wherever a log line carries them', () => {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const log = createLogger({ name: 'test', level: 'info', destination });
  log.info({
    leadId: 'L-0000000000001',
    lead: { email: 'valentina@example.co', phone: '+57 300 123 4567', firstName: 'Valentina', lastName: 'Rojas' },
    login: { email: 'director@empresa.example', password: 'correct-horse-battery' },
    session: { token: 'secret-session-token' },
    req: { headers: { authorization: 'Bearer api-key-value', cookie: 'seg_session=abc', 'x-webhook-secret': 'value-of-the-hook-secret', 'x-signature': 'sha256=ff' } },
  }, 'something happened');
  const text = lines.join('');
  for (const secret of ['valentina@example.co', '+57 300', 'Valentina', 'Rojas', 'director@empresa.example', 'correct-horse', 'secret-session-token', 'api-key-value', 'seg_session', 'value-of-the-hook-secret', 'sha256=ff']) {
    expect(text).not.toContain(secret);
  }
  expect(text).toContain('L-0000000000001');
  expect(text).toContain('[redacted]');
});
