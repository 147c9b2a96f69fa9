import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { Accounts, deviceCookie, LOGIN_LIMITS, PASSWORD_HASHING, TooManyAttemptsError } from '../../api/web/accounts';
import { DEVICE_COOKIE } from '../../api/web/auth-routes';
import { defaultPolicy } from '../../domain/policy';
import { Ledger } from '../../integrations/ledger/ledger';
import { zohoStatusMap } from '../../integrations/zoho/status-mapping';
import { createLogger } from '../../lib/logger';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { API_KEY, PUBLIC_URL, SECRETS, secretsFor } from '../support/stack';
import { anAccount, csrfOf, PASSWORD, signedIn } from '../support/web';

/**
 * Logins against guessing, on a real PostgreSQL: limits that parallel attempts cannot race, and that
 * an attacker cannot turn against the person (issue 12). The app runs without Temporal, which no
 * login reaches, and trusts one proxy hop so that X-Forwarded-For stands for the person's address.
 */
// The module object accounts.ts calls into, so a spy sees every password check it makes.
const argon2 = jest.requireActual<typeof import('@node-rs/argon2')>('@node-rs/argon2');

let pg: TestPostgres;
let ledger: Ledger;
let accounts: Accounts;
let app: Express;
let temporal: Client;

beforeAll(async () => {
  pg = await startTestPostgres();
  ledger = Ledger.connect(pg.databaseUrl);
  await ledger.migrate();
  accounts = new Accounts(ledger.pool);
  temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  app = createApp({
    temporal, ledger, secrets: secretsFor(SECRETS), zohoStatus: zohoStatusMap(), apiKey: { current: API_KEY }, publicUrl: PUBLIC_URL,
    policy: defaultPolicy(), links: { temporalUiUrl: 'http://localhost:8233', namespace: 'default', zohoWebUrl: 'https://crm.zoho.com' },
    trustProxyHops: 1, log: createLogger({ name: 'logins-test', level: 'silent' }),
  });
}, 120_000);

afterAll(async () => {
  await temporal?.connection.close().catch(() => undefined);
  await ledger?.close();
  await pg?.stop();
});

afterEach(() => jest.restoreAllMocks());

let addresses = 0;
/** An address no other attempt in this file came from, so each test starts with clean counts. */
const anAddress = () => {
  addresses += 1;
  return `10.0.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
};

type TestAgent = ReturnType<typeof request.agent>;

/** The login form's token for a browser at `address`. */
async function formToken(agent: TestAgent, address: string): Promise<string> {
  return csrfOf((await agent.get('/login').set('X-Forwarded-For', address).expect(200)).text);
}

function postLogin(agent: TestAgent, { email, password, address, csrf }: { email: string; password: string; address: string; csrf: string }) {
  return agent.post('/login').set('X-Forwarded-For', address).type('form').send({ email, password, _csrf: csrf, next: '/mi-dia' });
}

/** A browser at `address` that has the login form, then signs in (or tries to). */
async function browserAt(address: string) {
  const agent = request.agent(app);
  const csrf = await formToken(agent, address);
  return { agent, login: (email: string, password = PASSWORD) => postLogin(agent, { email, password, address, csrf }) };
}

/** A browser at `address` with nothing but this device cookie (and the login form), signing in. */
async function loginWithDevice({ device, email, address }: { device: string; email: string; address: string }) {
  const form = await request(app).get('/login').set('X-Forwarded-For', address).expect(200);
  const preLogin = setCookies(form).find((c) => c.startsWith('seg_login_csrf='))!.split(';')[0]!;
  return request(app).post('/login').set('X-Forwarded-For', address).set('Cookie', `${preLogin}; ${DEVICE_COOKIE}=${device}`)
    .type('form').send({ email, password: PASSWORD, _csrf: csrfOf(form.text), next: '/mi-dia' });
}

const setCookies = (res: { headers: Record<string, unknown> }) => (res.headers['set-cookie'] ?? []) as string[];

const attemptsFor = async (email: string) =>
  Number((await ledger.pool.query<{ n: string }>('SELECT count(*) AS n FROM login_attempts WHERE email = $1', [email])).rows[0]!.n);

const storedHash = async (id: number) =>
  (await ledger.pool.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [id])).rows[0]!.password_hash;

describe('guessing from one address', () => {
  test('20 wrong passwords at once: five are checked, the others refused before any hashing', async () => {
    const director = await anAccount(ledger, 'director');
    const address = anAddress();
    const attacker = await browserAt(address);
    const verify = jest.spyOn(argon2, 'verify');

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attacker.login(director.email, `guess-${i}-xxxxxxxxxx`)));
    const statuses = answers.map((a) => a.status);
    console.log(`20 parallel wrong passwords from one address: ${statuses.filter((s) => s === 401).length} checked (401), ${statuses.filter((s) => s === 429).length} refused (429)`);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMITS.perAccountAndAddress);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LOGIN_LIMITS.perAccountAndAddress);
    // Refused attempts reach neither argon2 nor the table: only the five checked ones were recorded.
    expect(verify).toHaveBeenCalledTimes(LOGIN_LIMITS.perAccountAndAddress);
    expect(await attemptsFor(director.email)).toBe(LOGIN_LIMITS.perAccountAndAddress);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.text).toContain('Demasiados intentos fallidos. Espera 15 minutos');
    expect(refused.headers['retry-after']).toBe(String(LOGIN_LIMITS.windowMinutes * 60));

    // Even the right password is refused from there, without being checked…
    verify.mockClear();
    await attacker.login(director.email).expect(429);
    expect(verify).not.toHaveBeenCalled();
    // …while the director, elsewhere, signs in right after.
    const own = await browserAt(anAddress());
    await own.login(director.email).expect(303).expect('Location', '/mi-dia');
    await own.agent.get('/mi-dia').expect(200);
  });

  test('one address guessing many accounts is stopped after 20 failures in all', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => anAccount(ledger, 'executive')));
    const ip = anAddress();
    const results = await Promise.allSettled(
      people.flatMap((p) => Array.from({ length: 5 }, (_, i) => accounts.authenticate({ email: p.email, password: `guess-${i}-xxxxxxxxxx`, ip }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(LOGIN_LIMITS.perAddress);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof TooManyAttemptsError)).toBe(true);
  });

  test('a success clears that address\'s failures for the account, so the person has their full count again', async () => {
    const person = await anAccount(ledger, 'executive');
    const ip = anAddress();
    for (let i = 0; i < LOGIN_LIMITS.perAccountAndAddress - 1; i++) await accounts.authenticate({ email: person.email, password: `typo-${i}-xxxxxxxxxx`, ip });
    // A failure from elsewhere is not the person's to clear.
    await accounts.authenticate({ email: person.email, password: 'from-elsewhere-xxxxxx', ip: anAddress() });
    expect(await accounts.authenticate({ email: person.email, password: PASSWORD, ip })).toMatchObject({ id: person.id });
    expect(await attemptsFor(person.email)).toBe(1);
  });
});

describe('a distributed attack on one account', () => {
  test('exhausts the account for unknown browsers, but a browser that signed in before still gets in', async () => {
    const director = await anAccount(ledger, 'director');
    const home = anAddress();
    const own = await browserAt(home);
    const first = await own.login(director.email).expect(303);
    const deviceSetCookie = setCookies(first).find((c) => c.startsWith(`${DEVICE_COOKIE}=`))!;
    expect(deviceSetCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=31536000$/);
    const device = deviceSetCookie.split(';')[0]!.slice(DEVICE_COOKIE.length + 1);

    // 60 wrong passwords at once, each from an address of its own: no per-address limit applies.
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => accounts.authenticate({ email: director.email, password: `guess-${i}-xxxxxxxxxx`, ip: anAddress() })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(LOGIN_LIMITS.perAccount);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof TooManyAttemptsError)).toBe(true);

    // A browser without the device cookie is refused even with the right password, wherever it is…
    await (await browserAt(anAddress())).login(director.email).expect(429);
    await (await browserAt(home)).login(director.email).expect(429);
    // …and so is one with a forged cookie (not signed with our secret) or another account's cookie.
    const forged = deviceCookie({ userId: director.id, secret: { current: 'not-our-session-secret-000000000' } });
    expect((await loginWithDevice({ device: forged, email: director.email, address: anAddress() })).status).toBe(429);
    const other = await anAccount(ledger, 'executive');
    const borrowed = await browserAt(anAddress());
    await borrowed.login(other.email).expect(303);
    await borrowed.login(director.email).expect(429);

    // The director's own browser signs in, at home or anywhere else.
    await own.login(director.email).expect(303).expect('Location', '/mi-dia');
    await own.agent.get('/mi-dia').expect(200);
    expect((await loginWithDevice({ device, email: director.email, address: anAddress() })).status).toBe(303);
  });

  test('a known browser has its own count: five wrong passwords there lock only that browser', async () => {
    const person = await anAccount(ledger, 'executive');
    const own = await browserAt(anAddress());
    await own.login(person.email).expect(303);
    for (let i = 0; i < LOGIN_LIMITS.perDevice; i++) await own.login(person.email, `typo-${i}-xxxxxxxxxx`).expect(401);
    await own.login(person.email).expect(429);
    await (await browserAt(anAddress())).login(person.email).expect(303);
  });
});

describe('password hashing', () => {
  test('new passwords are hashed with argon2id at OWASP\'s minimum, and so is the check for unknown accounts', async () => {
    const person = await anAccount(ledger, 'executive');
    expect(await storedHash(person.id)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await accounts.update(person.id, { password: 'otra-clave-bien-larga' });
    expect(await storedHash(person.id)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const verify = jest.spyOn(argon2, 'verify');
    expect(await accounts.authenticate({ email: 'nadie@empresa.example', password: 'whatever-xxxxxxxx', ip: anAddress() })).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(String(verify.mock.calls[0]![0])).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const started = process.hrtime.bigint();
    await argon2.hash(PASSWORD, PASSWORD_HASHING);
    console.log(`one argon2id hash at m=19456,t=2,p=1 took ${Number(process.hrtime.bigint() - started) / 1e6} ms`);
  });

  test('a hash made with weaker parameters is replaced at the next successful login; a stronger one is kept', async () => {
    const person = await anAccount(ledger, 'executive');
    // Below the policy (4 MiB, 3 passes), as a hash from an older setting or another library may be.
    const weak = await argon2.hash(PASSWORD, { memoryCost: 4096, timeCost: 3, parallelism: 1 });
    await ledger.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [person.id, weak]);
    expect(await accounts.authenticate({ email: person.email, password: 'wrong-password-xxxx', ip: anAddress() })).toBeNull();
    expect(await storedHash(person.id)).toBe(weak);
    expect(await accounts.authenticate({ email: person.email, password: PASSWORD, ip: anAddress() })).toMatchObject({ id: person.id });
    const upgraded = await storedHash(person.id);
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await accounts.authenticate({ email: person.email, password: PASSWORD, ip: anAddress() })).toMatchObject({ id: person.id });
    expect(await storedHash(person.id)).toBe(upgraded);

    const strong = await argon2.hash(PASSWORD, { ...PASSWORD_HASHING, memoryCost: 65_536, timeCost: 3 });
    await ledger.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [person.id, strong]);
    expect(await accounts.authenticate({ email: person.email, password: PASSWORD, ip: anAddress() })).toMatchObject({ id: person.id });
    expect(await storedHash(person.id)).toBe(strong);
  });
});

test('the password-change form refuses a wrong current password and changes nothing', async () => {
  const person = await anAccount(ledger, 'executive');
  const before = await storedHash(person.id);
  const { agent, csrf } = await signedIn(app, person.email);
  const refused = await agent.post('/cuenta').type('form').send({ _csrf: csrf, current: 'not-my-password', password: 'una-clave-nueva-larga' }).expect(400);
  expect(refused.text).toContain('no es correcta');
  expect(await storedHash(person.id)).toBe(before);
  // The session goes on, and the old password is still the one that works.
  await agent.get('/cuenta').expect(200);
  expect(await accounts.authenticate({ email: person.email, password: 'una-clave-nueva-larga', ip: anAddress() })).toBeNull();
  expect(await accounts.authenticate({ email: person.email, password: PASSWORD, ip: anAddress() })).toMatchObject({ id: person.id });
});

test('the password-change form guesses no better than the login: the current password is limited the same way', async () => {
  const person = await anAccount(ledger, 'executive');
  const { agent, csrf } = await signedIn(app, person.email);
  const statuses: number[] = [];
  for (let i = 0; i < LOGIN_LIMITS.perAccountAndAddress + 2; i++) {
    statuses.push((await agent.post('/cuenta').type('form').send({ _csrf: csrf, current: `guess-${i}-xxxxxxxx`, password: 'una-clave-nueva-larga' })).status);
  }
  expect(statuses).toEqual([...Array(LOGIN_LIMITS.perAccountAndAddress).fill(400), 429, 429]);
  // Even the right one now waits for the window: a borrowed session gets no extra guesses.
  const right = await agent.post('/cuenta').type('form').send({ _csrf: csrf, current: PASSWORD, password: 'una-clave-nueva-larga' }).expect(429);
  expect(right.text).toContain('demasiados intentos');
});
