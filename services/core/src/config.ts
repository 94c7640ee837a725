import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Shared settings, defined once and composed into each service's schema. */
export const sharedEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  KAFKA_BROKERS: z.string().optional().describe('comma-separated host:port list; unset means the embedded in-process bus'),
  SCHEMA_REGISTRY_URL: z.string().url().optional().describe('Confluent-compatible registry; unset means plain Avro'),
};

/**
 * Validates every variable at once and throws one ConfigError listing all problems; the result is frozen.
 * Runs once, in main.ts.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Record<string, string | undefined>): Readonly<z.infer<z.ZodObject<S>>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError('PF_CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`, { details: problems });
  }
  return deepFreeze(result.data);
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function brokerList(value: string): string[] {
  return value.split(',').map((b) => b.trim()).filter(Boolean);
}
