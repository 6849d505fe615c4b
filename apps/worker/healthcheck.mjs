// The worker container's healthcheck (docker-compose.yml): healthy while a worker process of this
// host holds its BullMQ connections in Redis. BullMQ names a worker's Redis connections `…:w:NAME`,
// and every worker of one process shares the NAME workerProcessName() gives it (`HOST-PID`, HOST with
// anything but letters, digits, `.`, `_` and `-` replaced by `_`, as below). Plain JavaScript with
// only ioredis, so that a probe every few seconds costs no TypeScript loader.
import { hostname } from 'node:os';
import { Redis } from 'ioredis';

const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  connectTimeout: 3000,
  maxRetriesPerRequest: 1,
  retryStrategy: () => null,
});
redis.on('error', () => {});
try {
  const clients = String(await redis.client('LIST'));
  const mine = clients.split('\n').filter((line) => / name=\S*:w:/.test(line) && line.includes(`:w:${host}-`));
  process.exitCode = mine.length > 0 ? 0 : 1;
  if (mine.length === 0) console.error(`no BullMQ worker connection of ${host} in Redis`);
} catch (err) {
  console.error(`Redis unreachable: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
