import type { Request, Response } from 'express';
import { sessionOf, takeFlash, type CookieOptions } from './guard';
import { errorPage, type PageContext } from './pages/layout';

/** What every page needs from the request: who is signed in, their form token, a pending message. */
export interface WebContext {
  (req: Request, res: Response): PageContext;
  notFound(req: Request, res: Response): string;
}

export function webContext({ cookie, sentMail }: { cookie: CookieOptions; sentMail: boolean }): WebContext {
  const ctx = ((req: Request, res: Response): PageContext => {
    const session = sessionOf(res);
    return { user: session?.user, csrf: session?.csrf, flash: takeFlash(req, res, cookie), sentMail };
  }) as WebContext;
  ctx.notFound = (req, res) => errorPage(ctx(req, res), 'No encontrado', 'Esa página o ese lead no existe.');
  return ctx;
}
