import {
  ClosrtechClient,
  ConfigError,
  configSecrets,
  GraphClient,
  RegionTable,
  assertRedisReachable,
  errorMessage,
  loadConfig,
  loadDotEnv,
  planRegions,
  safeRedisUrl,
  scrubSecrets,
  type FullConfig,
  exitAfterFlush,
  parseCommand,
} from '@closrads/core';
import { checkApiVersion, type CheckResult } from './doctor/api-versions';
import { checkFacebookCampaign } from './doctor/campaigns';
import { doctorExitCode, formatDoctorLines, type DoctorLine } from './doctor/output';
import { checkToken } from './doctor/token';

interface Check {
  name: string;
  /** Resolves to a result, a detail string (a pass), or throws (a failure). */
  run: () => Promise<CheckResult | string>;
}

type DoctorConfig = Pick<FullConfig, 'redis' | 'campaigns' | 'closrtech' | 'facebook' | 'notify'>;

/**
 * `pnpm run doctor` (`pnpm doctor` alone is pnpm's own command): checks what makes a run fail on day
 * one: configuration, Redis, each campaign's CLOSRTECH access, each Facebook campaign (exists, reached
 * by the token, in the configured ad account), the token's type and scopes, the Graph API version's
 * support, and the region-key table. One line per check: PASS, WARN, FAIL or SKIP.
 * Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on invalid configuration.
 */
async function main(): Promise<void> {
  parseCommand({
    name: 'doctor',
    usage: 'pnpm run doctor',
    summary:
      "Checks the configuration, Redis, each enabled campaign's CLOSRTECH access, the Facebook token and the\n" +
      'region-key table, and prints one line per check with its verdict. It changes nothing.',
    options: {},
    exitCodes: [
      [0, 'every check passed'],
      [1, 'a check failed (its line says why)'],
    ],
  });
  loadDotEnv();
  const lines: DoctorLine[] = [];
  let config: DoctorConfig | undefined;
  try {
    config = loadConfig([
      'log',
      'redis',
      'campaigns',
      'closrtech',
      'facebook',
      'worker',
      'notify',
      'schedule',
      'dryRun',
    ]);
    lines.push({ status: 'pass', name: 'configuration', detail: 'every variable and the campaigns file are valid' });
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [errorMessage(err)];
    lines.push({ status: 'fail', name: 'configuration', detail: problems.join('; ') });
  }

  const checks: Check[] = [
    { name: 'region keys', run: async () => `${RegionTable.load().size} states mapped (data/fb_region_keys.json)` },
  ];
  if (config) checks.push(...configuredChecks(config));

  for (const check of checks) {
    try {
      const result = await check.run();
      lines.push({ name: check.name, ...(typeof result === 'string' ? { status: 'pass', detail: result } : result) });
    } catch (err) {
      lines.push({ status: 'fail', name: check.name, detail: errorMessage(err) });
    }
  }
  if (!config) {
    for (const name of ['redis', 'closrtech', 'facebook campaigns', 'facebook token', 'graph api version']) {
      lines.push({ status: 'skip', name, detail: 'skipped: the configuration is invalid' });
    }
  }
  process.stdout.write(formatDoctorLines(lines));
  exitAfterFlush(doctorExitCode(lines, config === undefined));
}

function configuredChecks(c: DoctorConfig): Check[] {
  const secrets = configSecrets(c);
  const checks: Check[] = [
    {
      name: 'redis',
      run: async () => {
        await assertRedisReachable(c.redis.url);
        return `answers at ${safeRedisUrl(c.redis.url)}`;
      },
    },
  ];
  const closrtech = new ClosrtechClient(c.closrtech, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
  const regions = RegionTable.load();
  const graph = new GraphClient(c.facebook, { timeoutMs: 15_000 });
  for (const campaign of c.campaigns.list) {
    if (!campaign.enabled) {
      checks.push({
        name: `campaign ${campaign.name}`,
        run: async () => ({ status: 'skip', detail: 'skipped: the campaign is disabled (enabled: false)' }),
      });
      continue;
    }
    checks.push({
      name: `closrtech ${campaign.name}`,
      run: async () => {
        const plan = planRegions(await closrtech.fetchDemand(campaign.closrtechCampaign), regions);
        return `access granted; ${plan.activeStates.length} states with demand`;
      },
    });
    for (const id of campaign.facebookCampaignIds) {
      checks.push({ name: `facebook ${campaign.name} ${id}`, run: () => checkFacebookCampaign(graph, campaign, id) });
    }
  }
  checks.push({ name: 'facebook token', run: () => checkToken(graph) });
  checks.push({ name: 'graph api version', run: async () => checkApiVersion(c.facebook.apiVersion, new Date()) });
  // Whatever an upstream echoes back, the doctor never prints a credential.
  return checks.map((check) => ({
    name: check.name,
    run: async () => {
      try {
        const result = await check.run();
        return typeof result === 'string'
          ? scrubSecrets(result, secrets)
          : { ...result, detail: scrubSecrets(result.detail, secrets) };
      } catch (err) {
        throw new Error(scrubSecrets(errorMessage(err), secrets));
      }
    },
  }));
}

void main();
