import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLines, writeFileAtomic, type FileLine } from './fs-util.js';
import { tempDir } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function lines(content: string, chunkSize: number): Promise<FileLine[]> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const path = join(t.dir, 'f');
  await writeFile(path, content);
  const out: FileLine[] = [];
  for await (const l of readLines(path, chunkSize)) out.push(l);
  return out;
}

describe('readLines', () => {
  it('when lines straddle chunk boundaries, then text, offsets and the unterminated tail come out right', async () => {
    for (const chunk of [1, 2, 3, 7, 1 << 20]) {
      expect(await lines('ab\ncdé\n\nxyz', chunk)).toEqual([
        { text: 'ab', offset: 0, length: 2, terminated: true },
        { text: 'cdé', offset: 3, length: 4, terminated: true },
        { text: '', offset: 8, length: 0, terminated: true },
        { text: 'xyz', offset: 9, length: 3, terminated: false },
      ]);
    }
  });

  it('when the file is empty or ends with a newline, then there is no unterminated line', async () => {
    expect(await lines('', 4)).toEqual([]);
    expect((await lines('a\n', 4)).map((l) => l.terminated)).toEqual([true]);
  });
});

describe('writeFileAtomic', () => {
  it('when a file is replaced, then it holds the new content with the given mode', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'jwks.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two', 0o600);
    expect(await readFile(path, 'utf8')).toBe('two');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
