import { Router, type Request, type Response } from 'express';
import { directorNumbers } from '../../services/analytics/director';
import { KPI_ROWS } from '../../presentation/kpi-rows';
import type { KpiSettings } from '../../services/analytics/kpis';
import { zonedTime } from '../../domain/calendar';
import { toCsv } from '../../lib/csv';
import { COUNTRIES } from '../../domain/lead';
import { DAY_MS } from '../../domain/policy';
import type { Ledger } from '../../integrations/ledger/ledger';
import type { LeadViews } from '../../integrations/ledger/lead-views';
import type { Accounts } from './accounts';
import type { WebContext } from './context';
import { requireLogin, requireRole, userOf } from './guard';
import { dashboardPage, type DashboardFilters } from './pages/dashboard';

const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
const today = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

/**
 * The director's numbers for a period (whole days in the company's time zone, both ends included),
 * optionally for one executive, country or course. An executive sees only their own.
 */
export function dashboardRoutes({ ledger, views, accounts, settings, timeZone, ctx }: {
  ledger: Ledger; views: LeadViews; accounts: Accounts; settings: Omit<KpiSettings, 'caps'>; timeZone: string; ctx: WebContext;
}): Router {
  const router = Router();

  function filtersOf(req: Request, res: Response): DashboardFilters {
    const user = userOf(res);
    const to = isDate(req.query.to) ? req.query.to : today(timeZone);
    const weekBefore = new Date(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS).toISOString().slice(0, 10);
    const from = isDate(req.query.from) && req.query.from <= to ? req.query.from : weekBefore;
    const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);
    return {
      from, to,
      owner: user.role === 'director' ? text(req.query.owner, 254) : user.email,
      country: COUNTRIES.find((c) => c === req.query.country),
      course: text(req.query.course, 40),
    };
  }

  const numbersFor = (filters: DashboardFilters) => directorNumbers({
    pool: ledger.pool, settings, filters,
    period: { from: zonedTime(filters.from, 0, timeZone).toISOString(), to: new Date(zonedTime(filters.to, 0, timeZone).getTime() + DAY_MS).toISOString() },
  });

  router.get('/panel', requireLogin, requireRole('director', 'executive'), async (req, res) => {
    const filters = filtersOf(req, res);
    const user = userOf(res);
    const [numbers, users, facets] = await Promise.all([numbersFor(filters), accounts.list(), views.facets({ scope: 'all' })]);
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][]).toString();
    res.send(dashboardPage(ctx(req, res), {
      numbers, filters, courses: facets.courses, csvUrl: `/panel.csv?${query}`,
      executives: user.role === 'director' ? users.filter((u) => u.role === 'executive').map(({ email, name }) => ({ email, name })) : null,
    }));
  });

  /** The same figures as rows: overall, then by executive, country and course. */
  router.get('/panel.csv', requireLogin, requireRole('director', 'executive'), async (req, res) => {
    const filters = filtersOf(req, res);
    const { report } = await numbersFor(filters);
    const groups: [string, string, typeof report.overall][] = [
      ['overall', '', report.overall],
      ...Object.entries(report.byExecutive).map(([k, f]) => ['executive', k, f] as [string, string, typeof f]),
      ...Object.entries(report.byCountry).map(([k, f]) => ['country', k, f] as [string, string, typeof f]),
      ...Object.entries(report.byCourse).map(([k, f]) => ['course', k, f] as [string, string, typeof f]),
    ];
    const rows: (string | number | null)[][] = [['period_from', 'period_to', 'group', 'key', 'kpi', 'value']];
    for (const [group, key, figures] of groups) {
      for (const row of KPI_ROWS) rows.push([filters.from, filters.to, group, key, row.key, row.pick(figures)]);
    }
    res.type('text/csv; charset=utf-8').attachment(`kpis-${filters.from}-${filters.to}.csv`).send(toCsv(rows));
  });
  return router;
}
