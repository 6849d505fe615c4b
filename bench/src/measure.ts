import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { keysOfPrefix, type workerConnection } from '@closrads/core';

export type RedisConn = ReturnType<typeof workerConnection>;

/** `INFO commandstats` as command → calls. Commands run inside Lua scripts are counted too. */
export async function commandStats(redis: RedisConn): Promise<Map<string, number>> {
  const text = await redis.info('commandstats');
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

export interface CommandDelta {
  total: number;
  top: Array<[string, number]>;
}

export function commandDelta(
  before: Map<string, number>,
  after: Map<string, number>,
  exclude: string[] = [],
): CommandDelta {
  const diff: Array<[string, number]> = [];
  for (const [name, calls] of after) {
    if (exclude.includes(name)) continue;
    const d = calls - (before.get(name) ?? 0);
    if (d > 0) diff.push([name, d]);
  }
  diff.sort((a, b) => b[1] - a[1]);
  return { total: diff.reduce((n, [, d]) => n + d, 0), top: diff.slice(0, 16) };
}

export interface KeyMemory {
  keys: number;
  bytes: number;
  largest: Array<{ key: string; bytes: number }>;
}

/** Sum of `MEMORY USAGE key SAMPLES 0` (exact) over every key of the prefix. */
export async function memoryUnder(redis: RedisConn, prefix: string): Promise<KeyMemory> {
  const keys = await keysOfPrefix(redis, prefix);
  let bytes = 0;
  const sized: Array<{ key: string; bytes: number }> = [];
  for (let i = 0; i < keys.length; i += 500) {
    const batch = keys.slice(i, i + 500);
    const pipe = redis.pipeline();
    for (const k of batch) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const results = (await pipe.exec()) ?? [];
    results.forEach(([err, value], j) => {
      if (err || typeof value !== 'number') return;
      bytes += value;
      sized.push({ key: batch[j] ?? '', bytes: value });
    });
  }
  sized.sort((a, b) => b.bytes - a.bytes);
  const strip = `{${prefix}}:`;
  return {
    keys: keys.length,
    bytes,
    largest: sized.slice(0, 3).map((k) => ({ key: k.key.replace(strip, ''), bytes: k.bytes })),
  };
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memGiB: number;
  node: string;
  redis: string;
  os: string;
}

export async function machineInfo(redis: RedisConn): Promise<MachineInfo> {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // keep os.cpus()
  }
  const server = await redis.info('server');
  const version = /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown';
  const os = /^os:(.+)$/m.exec(server)?.[1]?.trim() ?? process.platform;
  return {
    nproc,
    cpuModel,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis: version,
    os,
  };
}

/** Redis server CPU seconds so far (user + sys, main thread and children). */
export async function redisCpuSeconds(redis: RedisConn): Promise<number> {
  const text = await redis.info('cpu');
  let total = 0;
  for (const m of text.matchAll(/^used_cpu_(?:sys|user):([\d.]+)/gm)) total += Number(m[1]);
  return total;
}
