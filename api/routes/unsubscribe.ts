import express, { Router, type Response } from 'express';
import type { Ledger } from '../../integrations/ledger/ledger';
import type { LeadViews } from '../../integrations/ledger/lead-views';
import { verifyUnsubscribeToken } from '../../lib/unsubscribe-token';
import type { Logger } from '../../lib/logger';
import type { Secret } from '../../lib/secret';
import type { Language } from '../../presentation/emails/templates';
import { unsubscribePage, type UnsubscribePageState } from '../../presentation/unsubscribe-page';
import type { LeadService } from '../../services/lead-service';

/** RFC 8058: a one-click POST carries exactly this field; our page's button sends the same. */
const ONE_CLICK = 'One-Click';

/**
 * The signed link in every email. GET only shows a page with a button: corporate mail scanners fetch
 * every link, and a fetch must not unsubscribe anyone. POST (that button, or a mail client's RFC 8058
 * one-click from `List-Unsubscribe-Post`) opts the lead out at once and for good.
 */
export function unsubscribeRoutes({ leads, views, ledger, secret, log }: {
  leads: LeadService; views: LeadViews; ledger: Ledger; secret: Secret; log: Logger;
}): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }));

  /** The lead's language, as its emails use it; Spanish when the lead cannot be looked up. */
  const languageOf = async (leadId: string): Promise<Language> => {
    const view = await views.get({ leadId }).catch(() => null);
    return view?.country === 'BR' || view?.country === 'PT' ? 'pt' : 'es';
  };
  const show = (res: Response, status: number, state: UnsubscribePageState, lang: Language) => {
    // The token is a capability: the page is not cached, indexed or passed on as a referrer.
    res.status(status).set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' }).type('html').send(unsubscribePage({ state, lang }));
  };

  router.get('/:token', async (req, res) => {
    const leadId = verifyUnsubscribeToken({ token: String(req.params.token), secret });
    if (!leadId) return show(res, 404, 'invalid', 'es');
    const optedOut = await ledger.isOptedOut({ leadId });
    show(res, 200, optedOut ? 'already' : 'confirm', await languageOf(leadId));
  });

  router.post('/:token', async (req, res) => {
    const leadId = verifyUnsubscribeToken({ token: String(req.params.token), secret });
    if (!leadId) return show(res, 404, 'invalid', 'es');
    const lang = await languageOf(leadId);
    if (req.body?.['List-Unsubscribe'] !== ONE_CLICK) return show(res, 400, 'bad-request', lang);
    const { workflowTold } = await leads.optOut(leadId, 'unsubscribe-link');
    if (!workflowTold) log.warn({ leadId }, 'Opt-out recorded in the ledger; Temporal did not take the signal (the next send will close the lead)');
    show(res, 200, 'done', lang);
  });
  return router;
}
