import {
  ClosrtechClient,
  ConfigError,
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

interface Check {
  name: string;
  run: () => Promise<string>;
}

/**
 * `pnpm run doctor` (`pnpm doctor` alone is pnpm's own command): checks configuration, Redis, each campaign's CLOSRTECH access, the Facebook token and
 * the region-key table; one line per check with a verdict. Exit 0 only when every check passes.
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
  const lines: Array<{ ok: boolean; name: string; detail: string }> = [];
  let config: Pick<FullConfig, 'redis' | 'campaigns' | 'closrtech' | 'facebook'> | undefined;
  try {
    config = loadConfig(['log', 'redis', 'campaigns', 'closrtech', 'facebook', 'worker', 'notify', 'schedule', 'dryRun']);
    lines.push({ ok: true, name: 'configuration', detail: 'every variable and the campaigns file are valid' });
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [errorMessage(err)];
    lines.push({ ok: false, name: 'configuration', detail: problems.join('; ') });
  }

  const checks: Check[] = [
    {
      name: 'region keys',
      run: async () => {
        const table = RegionTable.load();
        return `${table.size} states mapped (data/fb_region_keys.json)`;
      },
    },
  ];
  if (config) {
    const c = config;
    const secrets = [c.facebook.accessToken, c.facebook.appSecret, c.closrtech.password, c.closrtech.email];
    checks.push({
      name: 'redis',
      run: async () => {
        await assertRedisReachable(c.redis.url);
        return `answers at ${safeRedisUrl(c.redis.url)}`;
      },
    });
    const closrtech = new ClosrtechClient(c.closrtech, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    const regions = RegionTable.load();
    for (const campaign of c.campaigns.list.filter((x) => x.enabled)) {
      checks.push({
        name: `closrtech ${campaign.name}`,
        run: async () => {
          const plan = planRegions(await closrtech.fetchDemand(campaign.closrtechCampaign), regions);
          return `access granted; ${plan.activeStates.length} states with demand`;
        },
      });
    }
    const graph = new GraphClient(c.facebook, { timeoutMs: 15_000 });
    checks.push({ name: 'facebook token', run: async () => describeToken(graph) });
    const wrap = (check: Check): Check => ({ name: check.name, run: async () => check.run().catch((e: unknown) => Promise.reject(new Error(scrubSecrets(errorMessage(e), secrets)))) });
    checks.splice(0, checks.length, ...checks.map(wrap));
  }

  for (const check of checks) {
    try {
      lines.push({ ok: true, name: check.name, detail: await check.run() });
    } catch (err) {
      lines.push({ ok: false, name: check.name, detail: errorMessage(err) });
    }
  }
  const width = Math.max(...lines.map((l) => l.name.length));
  for (const l of lines) process.stdout.write(`${l.ok ? 'PASS' : 'FAIL'}  ${l.name.padEnd(width)}  ${l.detail}\n`);
  const failed = lines.filter((l) => !l.ok).length;
  process.stdout.write(failed === 0 ? '\nAll checks passed.\n' : `\n${failed} check(s) failed.\n`);
  exitAfterFlush(failed === 0 ? 0 : 1);
}

/** Valid, never expiring or expiring when, and carrying ads_management: what a sync needs. */
async function describeToken(graph: GraphClient): Promise<string> {
  let data: Record<string, unknown>;
  try {
    data = await graph.debugToken();
  } catch {
    const me = await graph.me();
    return `accepted (as ${me.name ?? me.id}); expiry and scopes unknown: debug_token was not allowed`;
  }
  if (data.is_valid !== true) {
    throw new Error('the token is invalid or expired: issue a new System User token and set FB_ACCESS_TOKEN');
  }
  const scopes = Array.isArray(data.scopes) ? (data.scopes as string[]) : [];
  if (!scopes.includes('ads_management')) throw new Error(`the token lacks the ads_management permission (scopes: ${scopes.join(', ') || 'none'})`);
  const expiresAt = Number(data.expires_at ?? 0);
  const expiry = expiresAt === 0 ? 'never expires' : `expires ${new Date(expiresAt * 1000).toISOString()}`;
  if (expiresAt !== 0 && expiresAt * 1000 < Date.now() + 7 * 24 * 3600 * 1000) {
    throw new Error(`the token ${expiry}: issue a new System User token soon`);
  }
  return `valid, ${expiry}, has ads_management`;
}

void main();
