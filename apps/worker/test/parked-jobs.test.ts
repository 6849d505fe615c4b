import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRedis, Keyspace, type AvailableRedis } from '@closrads/core';
import { startSimulator, type Simulator } from '@closrads/simulator';
import { startLocalSystem, type LocalSystem } from '../../demo/src/local-system';
import { FAST, campaign } from './harness';
import { CREDENTIALS, TOKEN, adset, baseScenario } from './scenarios';

const VET = campaign({ name: 'Veterans', closrtechCampaign: 'VET', adAccountId: 'act_1', facebookCampaignIds: ['9001'], protection: false });

/**
 * A paced ad set job sleeps in BullMQ's delayed set until its reserved moment and wakes once: it
 * reads its gates twice (before parking, on waking) and never in between. Counted from every command
 * Redis received (MONITOR on a private redis-server of this test's own), not from time.
 */
describe('parked ad set jobs', () => {
  let server: AvailableRedis;
  let sim: Simulator;
  let system: LocalSystem;
  let monitor: Socket;
  /** Every command Redis received, one MONITOR line each (`… [0 127.0.0.1:port] "get" "key"`). */
  const seen: string[] = [];
  const prefix = 'parked';
  const keys = new Keyspace(prefix);

  beforeAll(async () => {
    server = await ensureRedis('redis://127.0.0.1:1');
    const scenario = baseScenario();
    // Three ad sets of act_1 need a change: 201, 204, 205.
    scenario.graph.adsets.push(adset('204', '9001', ['WA']), adset('205', '9001', ['GA']));
    sim = await startSimulator({ scenario, latencyMs: 0 });
    system = startLocalSystem({ ...FAST, redisUrl: server.url, prefix, simulator: sim, campaigns: [VET], closrtechCredentials: CREDENTIALS, accessToken: TOKEN, out: () => undefined });
    // MONITOR over a plain socket: the lines are only counted.
    const { hostname, port } = new URL(server.url);
    monitor = connect(Number(port), hostname);
    let rest = '';
    monitor.on('data', (chunk) => {
      const lines = (rest + chunk.toString('utf8')).split('\r\n');
      rest = lines.pop() ?? '';
      seen.push(...lines);
    });
    await new Promise<void>((resolve) => monitor.once('connect', () => resolve()));
    monitor.write('MONITOR\r\n');
    while (!seen.includes('+OK')) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    monitor?.destroy();
    await system?.close();
    await sim?.close();
    await server?.stop();
  });

  it('wakes once at its moment: two gate reads per paced job, none while it waits', async () => {
    // Usage near the limit with a 1 s window: act_1's calls are spaced about a second apart, so two of
    // the three jobs get a moment in the future and park until it.
    await system.deps.pacer.record({ adAccountId: 'act_1', percent: 80, resetMs: 1000, waitMs: 0 });
    const report = await system.run({ dryRun: false }, 60_000);
    expect(report.success).toBe(true);
    const lines = report.campaigns[0]!.adsets;
    expect(lines.filter((l) => l.outcome === 'updated').map((l) => l.id).sort()).toEqual(['201', '204', '205']);

    // The gate pipeline's read of the ad set's change record, sent by the worker (not from a script).
    const gateReads = (id: string): number => seen.filter((l) => /\[\d+ [\d.]+:\d+\] "get" /i.test(l) && l.endsWith(`"${keys.adsetJournal(id)}"`)).length;
    const reads = ['201', '204', '205'].map(gateReads);
    // One job went at once (one read), the others parked once each (two reads), never more.
    expect(reads.sort()).toEqual([1, 2, 2]);
  });
});
