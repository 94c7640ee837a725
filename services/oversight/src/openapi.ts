/**
 * The oversight pages' OpenAPI 3.1 paths, merged into /openapi.json beside the gateway's (which defines the
 * `Error` schema). No login: everything here is aggregated and suppressed. The query rules are router.ts's:
 * months YYYY-MM or days YYYY-MM-DD (widened to months), `from` not after `to`, fewer than 120 months at a time.
 */
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
/** Empty means absent: the dashboard's own form sends `from=&to=`. */
const monthOrDay = { type: 'string', pattern: '^([0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$' };
const range = [
  { name: 'from', in: 'query', required: false, schema: monthOrDay, description: 'First month (YYYY-MM, or a day in it); default: `to`. Not after `to`; fewer than 120 months from `from` to `to`.' },
  { name: 'to', in: 'query', required: false, schema: monthOrDay, description: 'Last month (YYYY-MM, or a day in it); default: `from`, else the current month.' },
];
const badQuery = error('A malformed or repeated date, `from` after `to`, or 120 months or more (PF_OVERSIGHT_BAD_QUERY)');

export const oversightOpenApiPaths = {
  '/oversight': {
    get: {
      summary: 'The oversight dashboard (HTML), for the council: aggregated figures, small cells suppressed',
      parameters: range,
      responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, 400: badQuery },
    },
  },
  '/v1/oversight/summary': {
    get: {
      summary: "The dashboard's figures as JSON",
      parameters: range,
      responses: { 200: { description: 'The summary', content: { 'application/json': { schema: { type: 'object' } } } }, 400: badQuery },
    },
  },
  '/v1/oversight/report': {
    get: {
      summary: "A month's transparency report",
      parameters: [
        { name: 'period', in: 'query', required: false, schema: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }, description: 'The month, YYYY-MM (default: the current month).' },
        { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv', 'html'], default: 'json' } },
      ],
      responses: {
        200: {
          description: 'The report in the format asked for',
          content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, 'text/html': { schema: { type: 'string' } } },
        },
        400: error('period is not a month YYYY-MM, or format is not json, csv or html (PF_OVERSIGHT_BAD_QUERY)'),
      },
    },
  },
};
