import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create, list } from 'tar';
import { PolicyError } from '@firewall/core';

/** The files of an OPA bundle archive, by path relative to the bundle root (no leading `/` or `./`). */
export type BundleFiles = Map<string, Buffer>;

export function normaliseName(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '');
}

/** Reads a .tar.gz bundle fully into memory (bundles are small: a wasm module and some JSON). */
export function readBundleArchive(path: string): BundleFiles {
  const files: BundleFiles = new Map();
  try {
    list({
      file: path,
      sync: true,
      strict: true,
      onReadEntry: (entry) => {
        if (entry.type !== 'File') return;
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => files.set(normaliseName(entry.path), Buffer.concat(chunks)));
      },
    });
  } catch (cause) {
    throw new PolicyError('PF_POLICY_BUNDLE_INVALID', 'The policy bundle is not a readable .tar.gz archive.', { cause });
  }
  if (files.size === 0) throw new PolicyError('PF_POLICY_BUNDLE_INVALID', 'The policy bundle archive is empty.');
  return files;
}

/** Writes files as a gzipped tar with stable metadata (portable, fixed mtime) so the same files give the same bytes. */
export function writeBundleArchive(path: string, files: BundleFiles): void {
  const staging = mkdtempSync(join(tmpdir(), 'pf-bundle-'));
  try {
    const names = [...files.keys()].sort();
    for (const name of names) {
      const target = join(staging, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, files.get(name)!);
    }
    mkdirSync(dirname(path), { recursive: true });
    create({ gzip: true, file: path, cwd: staging, sync: true, portable: true, mtime: new Date(0) }, names.map((n) => `./${n}`));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
