import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REGION_KEYS_FILE, GraphClient } from '@closrads/core';
import { startSimulator, type Simulator } from '@closrads/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DC_KEY, STATE_NAMES, regenerate, tableProblems } from '../src/region-keys';
import { ROOT, childEnv } from '@closrads/test-support/cli';

const DATA_FILE = fileURLToPath(DEFAULT_REGION_KEYS_FILE);
const CURRENT = readFileSync(DATA_FILE, 'utf8');

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ scenario: 'demo' });
  dir = mkdtempSync(join(tmpdir(), 'closrads-region-keys-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  sim.clearFaults();
  sim.clearCalls();
});

const graph = () =>
  new GraphClient(
    { graphUrl: sim.graphUrl, apiVersion: 'v25.0', accessToken: 'sim-token', appSecret: undefined },
    { timeoutMs: 5000 },
  );
let n = 0;
const tempPath = () => join(dir, `keys-${n++}.json`);
const searches = () => sim.calls.filter((c) => c.api === 'graph' && c.objectId === 'search');

describe('region-keys', () => {
  it('regenerates the committed table exactly, one search per state', async () => {
    const out = tempPath();
    const printed: string[] = [];
    const result = await regenerate({ graph: graph(), out, dryRun: false, print: (l) => printed.push(l) });
    expect(result.code).toBe(0);
    expect(result.written).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(CURRENT);
    expect(searches()).toHaveLength(51);
    expect(result.table?.DC?.key).toBe(DC_KEY);
    expect(result.table?.WA?.name).toBe('Washington');
    expect(result.table?.VA?.name).toBe('Virginia');
    expect(result.table?.KS?.name).toBe('Kansas');
    expect(printed.join('\n')).toMatch(/51 changes against .* \(new file\)/);
  });

  it('says "no change" when the file is already right, and shows a diff when it is not', async () => {
    const out = tempPath();
    copyFileSync(DATA_FILE, out);
    const same: string[] = [];
    expect((await regenerate({ graph: graph(), out, dryRun: false, print: (l) => same.push(l) })).diff).toEqual([]);
    expect(same.join('\n')).toMatch(/no change/);

    const stale = JSON.parse(CURRENT) as Record<string, { key: string; name: string }>;
    stale.CA!.key = '9999';
    stale.OH!.name = 'Ohio State';
    delete stale.WY;
    writeFileSync(out, JSON.stringify(stale));
    const printed: string[] = [];
    const result = await regenerate({ graph: graph(), out, dryRun: false, print: (l) => printed.push(l) });
    expect(result.diff).toEqual([
      '~ CA  key 9999 → 3847  (California)',
      '~ OH  name "Ohio State" → "Ohio"',
      '+ WY  3893  Wyoming',
    ]);
    expect(printed.join('\n')).toMatch(/3 changes/);
    expect(readFileSync(out, 'utf8')).toBe(CURRENT);
  });

  it('--dry-run prints the diff and writes nothing', async () => {
    const out = tempPath();
    const stale = JSON.parse(CURRENT) as Record<string, { key: string }>;
    stale.TX!.key = '1';
    writeFileSync(out, JSON.stringify(stale));
    const before = readFileSync(out, 'utf8');
    const printed: string[] = [];
    const result = await regenerate({ graph: graph(), out, dryRun: true, print: (l) => printed.push(l) });
    expect(result).toMatchObject({ code: 0, written: false });
    expect(printed.join('\n')).toMatch(/TX {2}key 1 → 3886/);
    expect(printed.join('\n')).toMatch(/dry run/);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('refuses to write when a state is not found, and leaves the file alone', async () => {
    const out = tempPath();
    copyFileSync(DATA_FILE, out);
    sim.addFault({
      match: { objectId: 'search', nth: 7 },
      response: { kind: 'http', status: 200, body: '{"data":[]}', contentType: 'application/json' },
    });
    const printed: string[] = [];
    const result = await regenerate({ graph: graph(), out, dryRun: false, print: (l) => printed.push(l) });
    expect(result.code).toBe(1);
    expect(result.problems.join('\n')).toMatch(/no region named/);
    expect(result.problems.join('\n')).toMatch(/50 entries instead of 51/);
    expect(printed[0]).toMatch(/refusing to write/);
    expect(readFileSync(out, 'utf8')).toBe(CURRENT);
  });

  it('refuses two states sharing a key, a non-numeric key, and an ambiguous answer', async () => {
    const out = tempPath();
    const answer = (data: unknown) => ({
      kind: 'http' as const,
      status: 200,
      body: JSON.stringify({ data }),
      contentType: 'application/json',
    });
    // Calls go AL, AK, AZ, AR…: AL gets AK's key, AZ a non-numeric key, AR two exact matches.
    // (Added highest nth first: a rule that fires stops the rules after it from counting that call.)
    sim.addFault({
      match: { objectId: 'search', nth: 4 },
      response: answer([
        { key: '3846', name: 'Arkansas', country_code: 'US' },
        { key: '4846', name: 'arkansas', country_code: 'US' },
      ]),
    });
    sim.addFault({
      match: { objectId: 'search', nth: 3 },
      response: answer([{ key: 'AZ-1', name: 'Arizona', country_code: 'US' }]),
    });
    sim.addFault({
      match: { objectId: 'search', nth: 1 },
      response: answer([{ key: '3844', name: 'Alabama', country_code: 'US' }]),
    });
    const result = await regenerate({ graph: graph(), out, dryRun: false, print: () => undefined });
    expect(result.code).toBe(1);
    const text = result.problems.join('\n');
    expect(text).toMatch(/AK and AL have the same key 3844|AL and AK have the same key 3844/);
    expect(text).toMatch(/AZ: key "AZ-1" is not numeric/);
    expect(text).toMatch(/AR: 2 regions/);
    expect(existsSync(out)).toBe(false);
  });

  it('ignores regions of other countries, and finds DC by its key', async () => {
    const out = tempPath();
    sim.addFault({
      match: { objectId: 'search', nth: 5 },
      response: {
        kind: 'http',
        status: 200,
        body: JSON.stringify({
          data: [
            { key: '500', name: 'California', country_code: 'MX' },
            { key: '3847', name: 'California', country_code: 'US' },
          ],
        }),
        contentType: 'application/json',
      },
    });
    const result = await regenerate({ graph: graph(), out, dryRun: true, print: () => undefined });
    expect(result.code).toBe(0);
    expect(result.table?.CA?.key).toBe('3847');
    expect(searches().find((c) => c.query.q === 'Washington' && result.table?.DC)).toBeDefined();
  });

  it('checks a table the way it will be used', () => {
    const good = JSON.parse(CURRENT) as Record<string, { key: string; name: string; country: string }>;
    expect(tableProblems(good)).toEqual([]);
    expect(Object.keys(STATE_NAMES).sort()).toEqual(Object.keys(good).sort());
    expect(tableProblems({ ...good, PR: { key: '1', name: 'Puerto Rico', country: 'US' } }).join()).toMatch(
      /52 entries.*PR is not a US state code/,
    );
  });

  describe('the command', () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'apps/scheduler/src/region-keys.ts', ...args], {
          cwd: ROOT,
          env: childEnv({ LOG_LEVEL: 'warn', ...env }),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('exit', (code) => res({ code, stdout, stderr }));
      });
    const fbEnv = () => ({ FB_GRAPH_URL: sim.graphUrl, FB_API_VERSION: 'v25.0', FB_ACCESS_TOKEN: 'sim-token' });

    it('writes --out, and --dry-run writes nothing', async () => {
      const out = tempPath();
      const dry = await run(['--out', out, '--dry-run'], fbEnv());
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/dry run, nothing written/);
      expect(existsSync(out)).toBe(false);
      const live = await run(['--out', out], fbEnv());
      expect(live.code, live.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(CURRENT);
    });

    it('exits 2 on bad usage or missing token, 1 when the Graph API refuses, never printing the token', async () => {
      expect((await run(['--bogus'], fbEnv())).code).toBe(2);
      const noToken = await run(['--dry-run'], { FB_GRAPH_URL: sim.graphUrl });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/FB_ACCESS_TOKEN is required/);
      const out = tempPath();
      const refused = await run(['--out', out], { ...fbEnv(), FB_ACCESS_TOKEN: 'wrong-token-123456' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Graph search failed, nothing written: \(#190/);
      expect(refused.stderr + refused.stdout).not.toContain('wrong-token-123456');
      expect(existsSync(out)).toBe(false);
    });
  });
});
