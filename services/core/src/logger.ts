import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Paths that may hold personal data if someone ever passes a record or request by mistake: pino removes them.
 * The rule is still: log ids, codes and counts, never record values.
 */
const redactPaths = [
  'record', 'records', 'body', 'payload', 'token', 'authorization', 'headers.authorization',
  'req.headers.authorization', '*.full_name', '*.residential_address', '*.phone', '*.date_of_birth',
  'request.legalBasis.court', 'request.purpose.text', 'subjectIds', '*.subjectIds',
];

export function createLogger(options: { service: string; level?: LevelWithSilent; destination?: pino.DestinationStream }): Logger {
  return pino(
    { base: { service: options.service }, level: options.level ?? 'info', redact: { paths: redactPaths, remove: true } },
    options.destination,
  );
}
