import { ensureRedis, workerConnection, RegionTable } from '@closrads/core';
import { startSimulator } from '@closrads/simulator';
import { CASES } from '../src/cases';
import { scenarioFor, campaignsFor } from '../src/run-case';
import { startWorkerProcess } from '../src/child';
import { deleteUnder } from '../src/measure';

const spec = CASES.find((c) => c.name === (process.argv[2] ?? 'change-1k'))!;
const r = await ensureRedis('redis://127.0.0.1:6379');
const scenario = scenarioFor(spec);
const sim = await startSimulator({ scenario, latencyMs: 50 });
const prefix = `diag-${Date.now()}`;
const w = await startWorkerProcess({ whatIf: (process.env.WHATIF ?? '').split(',').filter(Boolean), redisUrl: r.url, prefix, closrtechUrl: sim.closrtechUrl, graphUrl: sim.graphUrl, campaigns: campaignsFor(spec, scenario), concurrency: 20, verifyDelayMs: 3000, runTimeoutMs: 600000, rssSampleMs: 50 });
const out = await w.run();
console.log('wall', out.wallMs);
await w.close();
const throttledIds = new Set<string>();
let readsAfterThrottle = 0, readsNoThrottle = 0;
const firstAt = sim.calls[0]!.at;
const noThrottleTimes: number[] = [];
for (const c of sim.calls) {
  if (c.api !== 'graph') continue;
  if (c.throttled && c.objectId) throttledIds.add(c.objectId);
  if (c.method === 'GET' && !c.edge) {
    if (throttledIds.has(c.objectId!)) readsAfterThrottle++; else { readsNoThrottle++; noThrottleTimes.push(c.at - firstAt); }
  }
}
console.log({ readsAfterThrottle, readsNoThrottle, throttledIds: throttledIds.size, sample: noThrottleTimes.slice(0, 10) });
const redis = workerConnection(r.url);
await deleteUnder(redis, prefix);
redis.disconnect();
await sim.close();
void RegionTable;
process.exit(0);
