import { Router } from 'express';
import type { LeadService } from '../lead-service';

export function leadRoutes(leads: LeadService): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const { created, ...result } = await leads.enrol(req.body);
    res.status(created ? 201 : 200).json(result);
  });
  router.get('/:leadId', async (req, res) => {
    res.json(await leads.state(req.params.leadId));
  });
  router.post('/:leadId/outcomes', async (req, res) => {
    res.json(await leads.recordOutcome(req.params.leadId, req.body));
  });
  router.post('/:leadId/commands', async (req, res) => {
    res.json(await leads.runCommand(req.params.leadId, req.body));
  });
  router.post('/:leadId/cadence', async (req, res) => {
    res.json(await leads.changeCadence(req.params.leadId, req.body));
  });
  return router;
}
