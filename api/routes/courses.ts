import express, { Router } from 'express';
import type { Catalog } from '../../integrations/ledger/catalog';
import { readCatalogCsv, saveCourse } from '../../services/course-catalog';
import { NotFoundError } from '../errors';

/** A catalog file is a few hundred rows: 1 MB is far more than enough. */
const catalogBody = express.raw({ type: 'text/csv', limit: '1mb' });

/** The course catalog for machines: read it, put one course, or import a CSV (docs: README, OpenAPI). */
export function courseRoutes({ catalog }: { catalog: Catalog }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ courses: await catalog.list(), unknownCourses: await catalog.unknownCourses() });
  });
  router.post('/import', catalogBody, async (req, res) => {
    const courses = readCatalogCsv(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    res.json(await catalog.saveAll(courses, { by: 'api' }));
  });
  router.get('/:code', async (req, res) => {
    const course = await catalog.find(req.params.code);
    if (!course) throw new NotFoundError('No course with that code in the catalog');
    res.json(course);
  });
  router.put('/:code', async (req, res) => {
    const { course, created } = await saveCourse({ catalog, code: req.params.code, body: req.body, by: 'api' });
    res.status(created ? 201 : 200).json(course);
  });
  return router;
}
