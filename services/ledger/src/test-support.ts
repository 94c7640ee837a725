// Helpers for this package's tests (fixtures, temporary folders, line surgery). Not exported from index.ts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestEvent } from './canonical.js';
import type { LedgerEvent } from './ledger-event.js';
import { segmentName } from './layout.js';

export async function tempDir(prefix = 'pf-ledger-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sampleEvent(i: number, requestId = `req-${i}`): LedgerEvent {
  return {
    type: i % 2 === 0 ? 'REQUEST_RECEIVED' : 'DECISION',
    requestId,
    eventDigest: digestEvent({ i, requestId }),
    policyRevision: 'rev-1',
    summary: { agency: 'ICE_ERO', purpose: 'CIVIL_IMMIGRATION', system: 'municipal_id', fields: ['full_name'], decision: 'DENY', rules: ['R1'] },
  };
}

export function events(n: number, from = 0): LedgerEvent[] {
  return Array.from({ length: n }, (_, i) => sampleEvent(from + i));
}

export const firstSegment = (dir: string): string => join(dir, segmentName(0));

/** The lines of a file, without the final empty string. */
export async function fileLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined);
}

export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await writeFile(path, lines.map((l) => l + '\n').join(''));
}

/** Rewrites a file's lines through `edit`. */
export async function editLines(path: string, edit: (lines: string[]) => string[]): Promise<void> {
  await writeLines(path, edit(await fileLines(path)));
}
