import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsync a directory so a created, renamed or removed entry in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` atomically: write a temporary sibling, fsync it, rename over, fsync the folder. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(path));
}

/** Writes all of `data` at the end of an O_APPEND file, then fdatasync: resolved means durable. */
export async function appendDurably(fh: FileHandle, data: string): Promise<void> {
  const buf = Buffer.from(data, 'utf8');
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
  await fh.datasync();
}

export interface FileLine {
  readonly text: string;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  /** Byte length without the newline. */
  readonly length: number;
  /** False only for a last line with no newline after it (a write that may have been cut short). */
  readonly terminated: boolean;
}

/** Streams the lines of a file (split on LF) without loading it whole. */
export async function* readLines(path: string, chunkSize = 1 << 20): AsyncGenerator<FileLine> {
  const fh = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = 0;
    const chunk = Buffer.alloc(chunkSize);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunkSize, null);
      if (bytesRead === 0) break;
      const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
        yield { text: data.toString('utf8', start, nl), offset: carryOffset + start, length: nl - start, terminated: true };
        start = nl + 1;
      }
      carryOffset += start;
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length > 0) yield { text: carry.toString('utf8'), offset: carryOffset, length: carry.length, terminated: false };
  } finally {
    await fh.close();
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export function isExists(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EEXIST';
}
