import { describe, expect, it } from 'vitest';
import { WriteQueue } from './write-queue.js';

describe('WriteQueue', () => {
  it('when items arrive while a write is in flight, then they are merged into the next write, in order', async () => {
    const writes: number[][] = [];
    const queue = new WriteQueue<number, number>(async (items) => {
      writes.push([...items]);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([queue.add([1]), queue.add([2]), queue.add([3, 4]), queue.add([5])]);
    expect(results).toEqual([[10], [20], [30, 40], [50]]);
    expect(writes).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('when a task is queued between items, then it runs alone between the writes', async () => {
    const log: string[] = [];
    const queue = new WriteQueue<string, string>(async (items) => {
      log.push(`write ${items.join(',')}`);
      return [...items];
    });
    await Promise.all([queue.add(['a']), queue.task(async () => log.push('task')), queue.add(['b'])]);
    expect(log).toEqual(['write a', 'task', 'write b']);
  });

  it('when a group is larger than the limit, then it is split between jobs, never inside one', async () => {
    const sizes: number[] = [];
    const queue = new WriteQueue<number, number>(async (items) => {
      sizes.push(items.length);
      return [...items];
    }, 3);
    await Promise.all([queue.add([1, 2]), queue.add([3, 4]), queue.add([5, 6, 7, 8])]);
    expect(sizes).toEqual([2, 2, 4]);
  });

  it('when the queue is failed, then every later job is rejected with that error', async () => {
    const queue = new WriteQueue<number, number>(async (items) => [...items]);
    queue.fail(new Error('disk gone'));
    await expect(queue.add([1])).rejects.toThrow('disk gone');
    await expect(queue.task(async () => 1)).rejects.toThrow('disk gone');
  });

  it('when a write throws, then only its group is rejected', async () => {
    let n = 0;
    const queue = new WriteQueue<number, number>(async (items) => {
      if (n++ === 0) throw new Error('signing failed');
      return [...items];
    });
    await expect(queue.add([1])).rejects.toThrow('signing failed');
    await expect(queue.add([2])).resolves.toEqual([2]);
  });
});

describe('WriteQueue repair', () => {
  it('when a write has failed, then jobs are rejected until a repair succeeds, and run again after it', async () => {
    let broken = true;
    const queue = new WriteQueue<number, number>(async (items) => {
      if (broken) {
        queue.fail(new Error('ENOSPC'));
        throw new Error('ENOSPC');
      }
      return [...items];
    });
    await expect(queue.add([1])).rejects.toThrow('ENOSPC');
    await expect(queue.add([2])).rejects.toThrow('ENOSPC');
    await expect(queue.repair(async () => { throw new Error('still full'); })).rejects.toThrow('still full');
    await expect(queue.add([3])).rejects.toThrow('ENOSPC');
    broken = false;
    let repaired = 0;
    await queue.repair(async () => void repaired++);
    expect(queue.failed).toBeUndefined();
    expect(await queue.add([4])).toEqual([4]);
    await queue.repair(async () => void repaired++); // healthy: nothing to do
    expect(repaired).toBe(1);
  });
});
