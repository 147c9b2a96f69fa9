import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { LeadFileError } from '../../services/lead-file';
import { RejectedError } from '../errors';
import type { LeadImports } from '../../services/lead-import';
import { parseIdempotencyKey } from '../../services/idempotency';
import type { LeadService, UpdateOptions } from '../../services/lead-service';
import type { LeadViews } from '../../integrations/ledger/lead-views';
import { leadChanges } from '../../services/lead-changes';
import { isUploadError, leadFileUpload, MAX_UPLOAD_BYTES } from '../upload';

/** The file itself as the body (`text/csv` or .xlsx); multipart uploads (field `file`) go through `upload`. */
const csvBody = express.raw({ type: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], limit: MAX_UPLOAD_BYTES });
const upload = (req: Request, res: Response, next: NextFunction) =>
  leadFileUpload(req, res, (err: unknown) => next(isUploadError(err) ? Object.assign(new Error(err.message), { status: err.code === 'LIMIT_FILE_SIZE' ? 413 : 400, type: 'upload_rejected' }) : err));

/** The request's `Idempotency-Key` header (checked here so that a bad one is reported under its own name). */
const keyed = (req: Request): UpdateOptions => ({ idempotencyKey: parseIdempotencyKey(req.get('Idempotency-Key'), 'Idempotency-Key') });

export function leadRoutes({ leads, imports, views }: { leads: LeadService; imports: LeadImports; views: LeadViews }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await leadChanges({ views, query: req.query }));
  });
  router.post('/', async (req, res) => {
    const { created, ...result } = await leads.enrol(req.body);
    res.status(created ? 201 : 200).json(result);
  });
  router.post('/import', upload, csvBody, async (req, res) => {
    const xlsx = req.is('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const file = req.file ?? (Buffer.isBuffer(req.body) ? { originalname: xlsx ? 'upload.xlsx' : 'upload.csv', buffer: req.body } : null);
    if (!file) throw new RejectedError('Send the file as multipart/form-data (field "file") or as a text/csv or .xlsx body');
    try {
      res.json(await imports.importFile({ fileName: file.originalname, content: file.buffer, dryRun: req.query.dryRun === 'true' }));
    } catch (err) {
      if (err instanceof LeadFileError) throw new RejectedError(err.message);
      throw err;
    }
  });
  router.get('/:leadId', async (req, res) => {
    const state = await leads.state(req.params.leadId);
    res.json({ ...state, ...(await leads.history(state.leadId)) });
  });
  router.post('/:leadId/outcomes', async (req, res) => {
    res.json(await leads.recordOutcome(req.params.leadId, req.body, keyed(req)));
  });
  router.post('/:leadId/commands', async (req, res) => {
    res.json(await leads.runCommand(req.params.leadId, req.body, keyed(req)));
  });
  router.post('/:leadId/cadence', async (req, res) => {
    res.json(await leads.changeCadence(req.params.leadId, req.body, keyed(req)));
  });
  return router;
}
