import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from './layout.js';
import { acquireLock } from './lock.js';
import { tempDir } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
async function dir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('ledger lock', () => {
  it('when a live process holds the lock, then a second writer is refused with PF_LEDGER_LOCKED', async () => {
    const d = await dir();
    const lock = await acquireLock(d);
    expect(JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(acquireLock(d)).rejects.toMatchObject({ code: 'PF_LEDGER_LOCKED' });
    await lock.release();
    const again = await acquireLock(d);
    expect(again.staleRemoved).toBe(false);
    await again.release();
  });

  it('when the lock names a dead pid, then it is stale and taken over', async () => {
    const d = await dir();
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ pid: await deadPid(), host: hostname(), since: 'then' }));
    const lock = await acquireLock(d);
    expect(lock.staleRemoved).toBe(true);
    expect(JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('when the lock comes from another host, then it is not judged stale', async () => {
    const d = await dir();
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ pid: await deadPid(), host: `not-${hostname()}`, since: 'then' }));
    await expect(acquireLock(d)).rejects.toMatchObject({ code: 'PF_LEDGER_LOCKED' });
  });

  it('when released, then only our own lock file is removed', async () => {
    const d = await dir();
    const lock = await acquireLock(d);
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'now' }));
    await lock.release();
    expect(JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8')).host).toBe('elsewhere');
  });
});
