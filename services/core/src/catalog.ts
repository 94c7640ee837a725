import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policiesDir } from './paths.js';

export type FieldClass = 'A' | 'B' | 'C' | 'D' | 'E';

/** The field catalog: system → field → class. Policy data, shared by the policy and the request validator. */
export interface FieldCatalog {
  readonly systems: Readonly<Record<string, { readonly fields: Readonly<Record<string, FieldClass>> }>>;
}

export const catalogPath = join(policiesDir, 'catalog', 'data.json');

export function loadCatalog(path: string = catalogPath): FieldCatalog {
  return JSON.parse(readFileSync(path, 'utf8')) as FieldCatalog;
}

export function fieldClass(catalog: FieldCatalog, system: string, field: string): FieldClass | undefined {
  const fields = catalog.systems[system]?.fields;
  return fields && Object.hasOwn(fields, field) ? fields[field] : undefined;
}
