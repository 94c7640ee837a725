import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found from this file (services/core/{src,dist}/paths.*), so schemas/ and policies/ are
 * read from the same place whether the code runs from sources (tests) or from the build.
 */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const schemasDir = join(repoRoot, 'schemas');
export const policiesDir = join(repoRoot, 'policies');
