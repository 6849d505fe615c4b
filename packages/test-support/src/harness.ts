import { Writable } from 'node:stream';
import { createLogger, type Campaign } from '@closrads/core';
import { startSimulator, type Scenario, type Simulator } from '@closrads/simulator';
import {
  startLocalSystem,
  type LocalNotifyConfig,
  type LocalSystem,
  type LocalSystemOptions,
} from '@closrads/demo/local-system';
import { deleteUnder, testRedisUrl, uniquePrefix } from './redis';
import { waitForEmptyQueues } from './wait';

/** Retry and backoff delays shrunk so that tests of retries take milliseconds, not minutes. */
export const FAST = {
  timing: { adsetRetryDelayMs: 20, baseRetryDelayMs: 20 },
  planningRetry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 200 },
  closrtechRetry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
};

export interface Harness {
  sim: Simulator;
  system: LocalSystem;
  prefix: string;
  redisUrl: string;
  /** Every log line the workers wrote, raw JSON text. */
  logs: string[];
  /** What the finalizer printed (the readable summaries). */
  printed: string[];
  /** Resolves once every queue of the system is empty: whatever the test started has been done. */
  settled(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<LocalSystemOptions, 'simulator' | 'campaigns'>> {
  scenario: Scenario | string;
  campaigns: Campaign[];
  latencyMs?: number;
  notify?: LocalNotifyConfig;
}

/** A simulator, real Redis under a fresh prefix, and the workers wired against them. */
export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const redisUrl = testRedisUrl();
  const prefix = opts.prefix ?? uniquePrefix();
  const sim = await startSimulator({ scenario: opts.scenario, latencyMs: opts.latencyMs ?? 0 });
  const logs: string[] = [];
  const printed: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', name: 'test' }, sink);
  const system = startLocalSystem({
    ...FAST,
    verifyDelayMs: 50,
    ...opts,
    redisUrl,
    prefix,
    simulator: sim,
    campaigns: opts.campaigns,
    logger,
    out: (t) => printed.push(t),
  });
  return {
    sim,
    system,
    prefix,
    redisUrl,
    logs,
    printed,
    settled: (ms) => waitForEmptyQueues(Object.values(system.deps.queues), ms),
    close: async () => {
      await system.close();
      await sim.close();
      await deleteUnder(redisUrl, prefix);
    },
  };
}

export function campaign(
  c: Partial<Campaign> & Pick<Campaign, 'name' | 'closrtechCampaign' | 'adAccountId' | 'facebookCampaignIds'>,
): Campaign {
  return { protection: true, enabled: true, ...c };
}

/** The base scenario's two campaigns (scenarios.ts), protection off: what most pipeline tests run. */
export const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
  protection: false,
});
export const MTG = campaign({
  name: 'Mortgage',
  closrtechCampaign: 'MTG',
  adAccountId: 'act_2',
  facebookCampaignIds: ['9002', '9003'],
  protection: false,
});
