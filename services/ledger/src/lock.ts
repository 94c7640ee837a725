import { hostname } from 'node:os';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LedgerError } from './errors.js';
import { fsyncDir, isExists, isNotFound } from './fs-util.js';
import { LOCK_FILE } from './layout.js';

export interface LedgerLock {
  readonly path: string;
  /** True when a lock left by a dead process was removed to take this one. */
  readonly staleRemoved: boolean;
  release(): Promise<void>;
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const v = JSON.parse(text) as Partial<Owner>;
    return Number.isSafeInteger(v.pid) && typeof v.host === 'string' ? (v as Owner) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx', 0o644);
  } catch (err) {
    if (isExists(err)) return false;
    throw err;
  }
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

/**
 * Whether the lock at `path` (holding `text`) belongs to nobody: its pid is dead on this host. A lock from another
 * host, or one being written right now (empty and fresh), counts as held.
 */
async function isStale(path: string, text: string): Promise<boolean> {
  const owner = parseOwner(text);
  if (owner === undefined) {
    const age = Date.now() - (await stat(path)).mtimeMs;
    return age > 5_000;
  }
  return owner.host === hostname() && !isAlive(owner.pid);
}

/** Moves a stale lock aside only if it is still the one we judged stale; puts back anything else. */
async function removeStale(path: string, seen: string): Promise<boolean> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (isNotFound(err)) return true; // someone else removed it; retry the create
    throw err;
  }
  if ((await readFile(aside, 'utf8')) === seen) {
    await unlink(aside);
    return true;
  }
  // A live writer took the lock between our read and our rename: give it back (link never overwrites).
  await link(aside, path).catch(() => undefined);
  await unlink(aside);
  return false;
}

/**
 * Takes the folder's single-writer lock: exclusive create of LOCK holding this pid and host. A lock whose pid is
 * dead on this host is stale and taken over; any other existing lock refuses with PF_LEDGER_LOCKED.
 */
export async function acquireLock(dir: string): Promise<LedgerLock> {
  const path = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  let staleRemoved = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, mine)) {
      await fsyncDir(dir);
      return { path, staleRemoved, release: () => releaseLock(path, mine) };
    }
    let seen: string;
    try {
      seen = await readFile(path, 'utf8');
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    if (!(await isStale(path, seen)) || !(await removeStale(path, seen))) {
      const owner = parseOwner(seen);
      throw new LedgerError('PF_LEDGER_LOCKED', 'another writer holds the ledger folder', {
        details: [path, owner === undefined ? 'owner unknown' : `pid ${owner.pid} on ${owner.host}`],
      });
    }
    staleRemoved = true;
  }
  throw new LedgerError('PF_LEDGER_LOCKED', 'could not take the ledger lock', { details: [path] });
}

async function releaseLock(path: string, mine: string): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')) !== mine) return;
    await unlink(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
