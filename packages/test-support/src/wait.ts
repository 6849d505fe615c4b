import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `cond` every `stepMs` until it holds; fails naming `what` after `ms`. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  stepMs = 20,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** What waitForEmptyQueues reads of a BullMQ queue. */
export interface CountsJobs {
  name: string;
  getJobCounts(
    ...types: Array<'active' | 'waiting' | 'delayed' | 'prioritized' | 'waiting-children'>
  ): Promise<Record<string, number>>;
}

/**
 * Waits until no queue holds a job that is active, waiting, delayed or waiting for children: the
 * work started so far has all been done, so nothing more can happen because of it. Tests wait for
 * this, never for a fixed time, before asserting that something happened only once.
 */
export async function waitForEmptyQueues(queues: Iterable<CountsJobs>, ms = 20_000): Promise<void> {
  const list = [...queues];
  let busy: string[] = [];
  await waitUntil(
    async () => {
      busy = [];
      for (const q of list) {
        const counts = await q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
        const left = Object.entries(counts).filter(([, n]) => n > 0);
        if (left.length > 0) busy.push(`${q.name} ${left.map(([k, n]) => `${n} ${k}`).join(', ')}`);
      }
      return busy.length === 0;
    },
    ms,
    'every queue to be empty',
    50,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (still: ${busy.join('; ')})`);
  });
}
