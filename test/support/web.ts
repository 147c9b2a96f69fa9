import request from 'supertest';
import type { Express } from 'express';
import type { Role } from '../../domain/accounts';
import { Accounts } from '../../api/web/accounts';
import type { Ledger } from '../../integrations/ledger/ledger';

export const PASSWORD = 'correct-horse-battery';

/** The form token on a page, as a browser would send it back. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1]!;
}

let people = 0;
/** A fresh account with a unique address, so tests do not depend on each other. */
export async function anAccount(ledger: Ledger, role: Role, name = `${role} ${people + 1}`) {
  people += 1;
  const user = await new Accounts(ledger.pool).create({ email: `${role}.${people}.${Date.now()}@empresa.example`, name, role, password: PASSWORD });
  if (!user) throw new Error('account not created');
  return user;
}

/** A browser-like client (cookies kept) signed in as this person. */
export async function signedIn(app: Express, email: string, password = PASSWORD) {
  const agent = request.agent(app);
  const login = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ email, password, _csrf: csrfOf(login.text), next: '/mi-dia' }).expect(303).expect('Location', '/mi-dia');
  const home = await agent.get('/mi-dia').expect(200);
  return { agent, csrf: csrfOf(home.text) };
}
