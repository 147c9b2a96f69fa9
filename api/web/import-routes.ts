import { Router, type NextFunction, type Request, type Response } from 'express';
import { LeadFileError } from '../../services/lead-file';
import type { LeadImports } from '../../services/lead-import';
import { isUploadError, leadFileUpload } from '../upload';
import type { WebContext } from './context';
import { requireLogin, requireRole, userOf, verifyCsrf } from './guard';
import { previewPage, resultPage, uploadPage } from './pages/import';

export function importRoutes({ imports, ctx }: { imports: LeadImports; ctx: WebContext }): Router {
  const router = Router();
  // Bringing in new leads is the executives' and the director's work, not the closers'.
  router.use(requireLogin, requireRole('executive', 'director'));

  router.get('/', (req, res) => {
    res.send(uploadPage(ctx(req, res)));
  });

  // The form is multipart: its CSRF token is only readable once the upload has been parsed.
  const upload = (req: Request, res: Response, next: NextFunction) =>
    leadFileUpload(req, res, (err: unknown) => {
      if (!err) return next();
      if (!isUploadError(err)) return next(err);
      const message = err.code === 'LIMIT_FILE_SIZE' ? 'El archivo es demasiado grande (máximo 2 MB).' : 'Sube un solo archivo CSV o Excel en el campo indicado.';
      res.status(err.code === 'LIMIT_FILE_SIZE' ? 413 : 400).send(uploadPage(ctx(req, res), { error: message }));
    });

  router.post('/', upload, verifyCsrf, async (req, res) => {
    if (!req.file) return res.status(400).send(uploadPage(ctx(req, res), { error: 'Elige un archivo CSV o Excel (.xlsx).' }));
    try {
      const pending = await imports.stage({ fileName: req.file.originalname.slice(0, 200), content: req.file.buffer, userEmail: userOf(res).email });
      res.send(previewPage(ctx(req, res), pending));
    } catch (err) {
      if (!(err instanceof LeadFileError)) throw err;
      res.status(400).send(uploadPage(ctx(req, res), { error: err.message }));
    }
  });

  router.post('/:importId', verifyCsrf, async (req, res) => {
    const pending = await imports.find({ id: String(req.params.importId), userEmail: userOf(res).email });
    if (!pending) return res.status(404).send(ctx.notFound(req, res));
    const result = await imports.confirm(pending);
    res.send(resultPage(ctx(req, res), { pending, result }));
  });

  return router;
}
