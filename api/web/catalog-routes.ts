import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Catalog } from '../../integrations/ledger/catalog';
import { catalogCsv, CatalogFileError, readCatalogCsv } from '../../services/course-catalog';
import { isUploadError, leadFileUpload } from '../upload';
import type { WebContext } from './context';
import { flash, requireLogin, requireRole, userOf, verifyCsrf, type CookieOptions } from './guard';
import { catalogPage } from './pages/catalog';

/** The director keeps the course catalog: see it, download it, upload it back. */
export function catalogRoutes({ catalog, cookie, ctx }: { catalog: Catalog; cookie: CookieOptions; ctx: WebContext }): Router {
  const router = Router();
  const director = [requireLogin, requireRole('director')];
  const show = async (req: Request, res: Response, status = 200, problems?: CatalogFileError['problems']) =>
    res.status(status).send(catalogPage(ctx(req, res), { courses: await catalog.list(), unknown: await catalog.unknownCourses(), problems }));

  router.get('/cursos', ...director, async (req, res) => {
    await show(req, res);
  });

  router.get('/cursos.csv', ...director, async (_req, res) => {
    res.type('text/csv').attachment('catalogo-cursos.csv').send(catalogCsv(await catalog.list()));
  });

  // The form is multipart: its CSRF token is only readable once the upload has been parsed.
  const upload = (req: Request, res: Response, next: NextFunction) =>
    leadFileUpload(req, res, (err: unknown) => {
      if (!err) return next();
      if (!isUploadError(err)) return next(err);
      void show(req, res, err.code === 'LIMIT_FILE_SIZE' ? 413 : 400, [{ line: 0, english: err.message, spanish: 'sube un solo archivo CSV de hasta 2 MB' }]).catch(next);
    });

  router.post('/cursos', ...director, upload, verifyCsrf, async (req, res) => {
    if (!req.file) return show(req, res, 400, [{ line: 0, english: 'no file', spanish: 'elige un archivo CSV' }]);
    try {
      const { created, updated } = await catalog.saveAll(readCatalogCsv(req.file.buffer), { by: userOf(res).email });
      flash(res, { kind: 'ok', text: `Catálogo actualizado: ${created} ${created === 1 ? 'curso nuevo' : 'cursos nuevos'}, ${updated} ${updated === 1 ? 'actualizado' : 'actualizados'}.` }, cookie);
      res.redirect(303, '/cursos');
    } catch (err) {
      if (!(err instanceof CatalogFileError)) throw err;
      await show(req, res, 400, err.problems);
    }
  });
  return router;
}
