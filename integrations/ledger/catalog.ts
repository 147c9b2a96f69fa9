import type { Pool } from 'pg';
import { catalogCourseSchema, type CatalogCourse } from '../../domain/catalog';
import { inTransaction } from './transaction';

type CourseRow = { code: string; name: string; countries: string[]; cohorts: unknown; updated_at: Date; updated_by: string };

/** A course as the catalog keeps it, with who changed it last. */
export type CatalogEntry = CatalogCourse & { updatedAt: string; updatedBy: string };

/** Course codes that leads carry and the catalog does not know, for the director to fill in. */
export interface UnknownCourse { code: string; name: string; leads: number }

function toEntry(row: CourseRow): CatalogEntry {
  // Parsed again on the way out: a row is only ever used in the shape the domain checks.
  const course = catalogCourseSchema.parse({ code: row.code, name: row.name, countries: row.countries, cohorts: row.cohorts });
  return { ...course, updatedAt: row.updated_at.toISOString(), updatedBy: row.updated_by };
}

/** The course catalog in the ledger (migration 10). */
export class Catalog {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<CatalogEntry[]> {
    const { rows } = await this.pool.query<CourseRow>('SELECT * FROM courses ORDER BY code');
    return rows.map(toEntry);
  }

  async find(code: string): Promise<CatalogEntry | null> {
    const { rows } = await this.pool.query<CourseRow>('SELECT * FROM courses WHERE code = $1', [code]);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /** Creates or replaces a course with all its cohorts; answers whether it was new. */
  async save(course: CatalogCourse, { by }: { by: string }): Promise<{ created: boolean }> {
    return { created: (await this.saveAll([course], { by })).created === 1 };
  }

  /** Creates or replaces each course with all its cohorts, all or none (a CSV import). */
  async saveAll(courses: CatalogCourse[], { by }: { by: string }): Promise<{ created: number; updated: number }> {
    let created = 0;
    await inTransaction(this.pool, async (client) => {
      for (const course of courses) {
        const { rows } = await client.query<{ created: boolean }>(
          `INSERT INTO courses (code, name, countries, cohorts, updated_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (code) DO UPDATE SET name = $2, countries = $3, cohorts = $4, updated_by = $5, updated_at = now()
           RETURNING (xmax = 0) AS created`,
          [course.code, course.name, course.countries, JSON.stringify(course.cohorts), by],
        );
        if (rows[0]!.created) created += 1;
      }
    });
    return { created, updated: courses.length - created };
  }

  /** Codes on leads that the catalog lacks: accepted at enrolment, flagged here for the director. */
  async unknownCourses(): Promise<UnknownCourse[]> {
    const { rows } = await this.pool.query<{ code: string; name: string; leads: string }>(
      `SELECT v.course_code AS code, max(v.view->>'courseName') AS name, count(*) AS leads
       FROM lead_views v LEFT JOIN courses c ON c.code = v.course_code
       WHERE c.code IS NULL GROUP BY v.course_code ORDER BY count(*) DESC, v.course_code LIMIT 200`,
    );
    return rows.map((r) => ({ code: r.code, name: r.name, leads: Number(r.leads) }));
  }
}
