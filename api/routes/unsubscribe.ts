import express, { Router } from 'express';
import { html } from '../../lib/html';
import { verifyUnsubscribeToken } from '../../lib/unsubscribe-token';
import type { LeadService } from '../../services/lead-service';

const page = (title: string, text: string) =>
  html`<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p></body></html>`.value;

/**
 * The signed link in every email. GET (the visible link) and POST (RFC 8058 one-click from mail
 * clients) both opt the lead out at once and for good.
 */
export function unsubscribeRoutes({ leads, secret }: { leads: LeadService; secret: string }): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '2kb' }));
  const handle: express.RequestHandler = async (req, res) => {
    const leadId = verifyUnsubscribeToken({ token: String(req.params.token), secret });
    if (!leadId) {
      res.status(404).type('html').send(page('Enlace no válido', 'Este enlace para darte de baja no es válido. Si quieres dejar de recibir correos, responde a cualquiera de nuestros mensajes.'));
      return;
    }
    await leads.optOut(leadId, 'unsubscribe-link');
    res.type('html').send(page('Listo: te diste de baja', 'No volverás a recibir correos ni llamadas nuestras sobre este curso. / Pronto: você não receberá mais e-mails nossos.'));
  };
  router.get('/:token', handle);
  router.post('/:token', handle);
  return router;
}
