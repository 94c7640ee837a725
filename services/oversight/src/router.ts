import express, { type Request, type Response } from 'express';
import { FirewallError } from '@firewall/core';
import { renderDashboard } from './dashboard-page.js';
import { isPeriod } from './report.js';
import { contentTypes, isReportFormat, renderReport } from './render.js';
import { OversightStore, type OversightStoreOptions } from './store.js';
import { monthsBetween } from './summary.js';

export interface OversightRouterDeps extends OversightStoreOptions {
  /** An existing store (shared with the metrics service); otherwise one is made from the options. */
  readonly store?: OversightStore;
}

const DAY = /^(\d{4}-(0[1-9]|1[0-2]))-(0[1-9]|[12]\d|3[01])$/;

/** YYYY-MM or YYYY-MM-DD → its month (the unit of publication); undefined when absent; null when malformed. */
export function monthParam(value: unknown): string | undefined | null {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return null;
  if (isPeriod(value)) return value;
  const day = DAY.exec(value);
  return day && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? day[1]! : null;
}

const badQuery = (why: string) => new FirewallError('PF_OVERSIGHT_BAD_QUERY', why);

/**
 * The oversight committee's surface, mounted on the firewall's HTTP app:
 *   GET /oversight                                            the dashboard page (from, to: YYYY-MM or YYYY-MM-DD)
 *   GET /v1/oversight/summary?from=YYYY-MM-DD&to=YYYY-MM-DD   the same figures as JSON
 *   GET /v1/oversight/report?period=YYYY-MM&format=json|csv|html   the month's transparency report
 * No login: everything served here is aggregated by closed vocabularies, with small cells suppressed, so it is
 * publishable as it is. Dates are widened to whole UTC months (see summary.ts for why).
 */
export function createOversightRouter(deps: OversightRouterDeps): express.Router {
  const store = deps.store ?? new OversightStore(deps);
  const router = express.Router();

  const range = (req: Request): { from: string; to: string } => {
    const from = monthParam(req.query.from);
    const to = monthParam(req.query.to);
    if (from === null || to === null) throw badQuery('from and to must be dates (YYYY-MM-DD) or months (YYYY-MM)');
    const end = to ?? from ?? store.currentMonth;
    const start = from ?? end;
    if (start > end) throw badQuery('from must not be after to');
    if (monthsBetween(start, end).length >= 120) throw badQuery('at most 120 months at a time');
    return { from: start, to: end };
  };

  // Refusals and failures go to the shared edge's error middleware, mounted after every router.
  const handle = (run: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    await store.sync();
    await run(req, res);
  };

  router.get('/oversight', handle(async (req, res) => {
    const { from, to } = range(req);
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'");
    res.type('html').send(renderDashboard(store.summary(from, to)));
  }));

  router.get('/v1/oversight/summary', handle(async (req, res) => {
    const { from, to } = range(req);
    res.json(store.summary(from, to));
  }));

  router.get('/v1/oversight/report', handle(async (req, res) => {
    const period = req.query.period ?? store.currentMonth;
    const format = req.query.format ?? 'json';
    if (!isPeriod(period)) throw badQuery('period must be a month, YYYY-MM');
    if (!isReportFormat(format)) throw badQuery('format must be json, csv or html');
    if (format === 'html') res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    if (format === 'csv') res.set('Content-Disposition', `inline; filename="firewall-transparency-${period}.csv"`);
    res.set('Content-Type', contentTypes[format]).send(renderReport(store.report(period), format));
  }));

  return router;
}
