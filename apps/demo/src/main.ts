import { randomBytes } from 'node:crypto';
import {
  createLogger,
  deletePrefix,
  exitAfterFlush,
  configOrExit,
  parseCommand,
  readCampaignsFile,
} from '@closrads/core';
import { renderTextSummary } from '@closrads/notify';
import { ensureRedis } from '@closrads/test-support/private-redis';
import { startSimulator } from '@closrads/simulator';
import { startLocalSystem } from './local-system';

/**
 * `pnpm demo`: one live sync against the built-in simulator, from nothing but a reachable Redis (a
 * private redis-server is started when none answers). Prints the report and exits 0.
 */
async function main(): Promise<void> {
  parseCommand({
    name: 'demo',
    usage: 'pnpm demo',
    summary:
      'One live sync against the built-in simulator (config/campaigns.example.json), from nothing but a\n' +
      'reachable Redis (REDIS_URL; a private redis-server is started when none answers). Prints the report\n' +
      'as text and as JSON, deletes its keys (a prefix of its own) and exits. No credentials needed.',
    options: {},
    exitCodes: [
      [0, 'the demo run finished'],
      [2, 'no Redis could be reached or started'],
    ],
  });
  const config = configOrExit('demo', ['redis']);
  let redis;
  try {
    redis = await ensureRedis(config.redis.url);
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const { campaigns, problems } = readCampaignsFile('config/campaigns.example.json');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const simulator = await startSimulator({ scenario: 'demo', latencyMs: 20 });
  // A prefix of its own: the demo never touches a real deployment's keys in the same Redis.
  const prefix = `closrads-demo-${randomBytes(3).toString('hex')}`;
  const logger = createLogger({ level: process.env.LOG_LEVEL || 'warn', name: 'demo' }, process.stderr);
  process.stderr.write(
    `demo: simulator at ${simulator.url}, Redis at ${redis.url}${redis.private ? ' (private)' : ''}, prefix {${prefix}}\n`,
  );
  const system = startLocalSystem({
    redisUrl: redis.url,
    prefix,
    simulator,
    campaigns,
    verifyDelayMs: 1000,
    logger,
    out: () => undefined,
  });
  try {
    const report = await system.run({ trigger: 'manual', dryRun: false });
    process.stdout.write(`${renderTextSummary(report)}\n`);
    process.stdout.write(`\nThe report as JSON (the contract's shape):\n${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await deletePrefix(system.deps.redis, prefix).catch(() => undefined);
    await system.close();
    await simulator.close();
    await redis.stop();
  }
  exitAfterFlush(0);
}

void main();
