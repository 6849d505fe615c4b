import { createLogger, type Campaign } from '@closrads/core';
import { createApp } from '@closrads/dashboard/app';
import { createDashboardDeps, type DashboardDeps } from '@closrads/dashboard/deps';
import type { Express } from 'express';
import { deleteUnder, testRedisUrl, uniquePrefix } from './redis';

/** The dashboard app on the test Redis, for the dashboard's tests and the worker's fault tests. */
export const USER = 'ops';
export const PASSWORD = 'correct horse battery staple';
export const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

export const CAMPAIGNS: Campaign[] = [
  {
    name: 'Veterans',
    closrtechCampaign: 'VND_VETERAN_LEADS',
    adAccountId: 'act_1',
    facebookCampaignIds: ['9001'],
    protection: true,
    enabled: true,
  },
  {
    name: 'Truckers',
    closrtechCampaign: 'VND_TRUCKER_LEADS',
    adAccountId: 'act_1',
    facebookCampaignIds: ['9002'],
    protection: true,
    enabled: true,
  },
  {
    name: 'Solar',
    closrtechCampaign: 'VND_SOLAR_LEADS',
    adAccountId: 'act_2',
    facebookCampaignIds: ['9003'],
    protection: true,
    enabled: false,
  },
];

export interface TestDashboard {
  app: Express;
  deps: DashboardDeps;
  prefix: string;
  close(): Promise<void>;
}

/** The app against the test Redis under a fresh prefix; `auth: false` runs it the loopback-only way. */
export async function testDashboard(
  opts: { auth?: boolean; redisUrl?: string; prefix?: string; publicUrl?: string } = {},
): Promise<TestDashboard> {
  const prefix = opts.prefix ?? uniquePrefix('dash');
  const redisUrl = opts.redisUrl ?? testRedisUrl();
  const deps = createDashboardDeps({
    redisUrl,
    prefix,
    config: {
      dashboard: {
        host: '127.0.0.1',
        port: 0,
        auth: opts.auth === false ? undefined : { user: USER, password: PASSWORD },
        publicUrl: opts.publicUrl,
      },
      campaigns: CAMPAIGNS,
      dryRun: true,
    },
    logger: createLogger({ level: 'silent' }),
  });
  if (!opts.redisUrl) await deps.ready();
  return {
    app: createApp(deps),
    deps,
    prefix,
    close: async () => {
      await deps.close();
      if (!opts.redisUrl) await deleteUnder(redisUrl, prefix);
    },
  };
}
