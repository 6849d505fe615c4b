import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { appsecretProof, secretForms, webhookSecrets, type RunReport } from '@closrads/core';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, testDashboard, type TestDashboard } from '@closrads/test-support/dashboard';
import { runScript } from '@closrads/test-support/cli';
import { startSmtp, type SmtpSink } from '@closrads/test-support/sinks';
import { testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import {
  ACCOUNT,
  CAMPAIGNS,
  DEMAND,
  DESIRED_KEYS,
  TOKEN,
  adsetId,
  regionKeysSorted,
  removeDir,
  startFaultRig,
  startWorker,
  targetingWrites,
  tempCampaignsFile,
  type FaultRig,
  type WorkerProcess,
} from '@closrads/test-support/faults';

/** Credentials whose URL-encoded, HTML-escaped and JSON-escaped forms all differ from the raw one. */
const EMAIL = 'ops+ads@client.example';
const PASSWORD = 'p&ss w<rd>"42/+x';
const APP_SECRET = 'hostile-app-secret-0123';
const PROOF = appsecretProof(TOKEN, APP_SECRET);
const SMTP_USER = 'mailer';
const SMTP_PASSWORD = 'sm&tp pw/+1"';

/** `pnpm enqueue --live --wait`, as an operator runs it: its output is one more place secrets must not reach. */
async function enqueueAndWait(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const r = await runScript('apps/scheduler/src/enqueue.ts', ['--live', '--wait', '--timeout', '120'], env);
  return { code: r.code, output: r.stdout + r.stderr };
}

/** The hostile CLOSRTECH: one behaviour per `campaign` parameter. */
const HOSTILE = {
  HUGE: 'a valid answer of 20 MB',
  JUNK: 'hundreds of thousands of junk codes',
  DRIP: 'a body that drips forever',
  REDIRECT: 'a redirect to another host',
  ECHO: 'a refusal echoing the credentials in every encoding',
  LOOKALIKE: 'look-alike state codes only',
} as const;
type Hostile = keyof typeof HOSTILE;

function echoed(url: string): string {
  const values = [...new URLSearchParams(url.slice(url.indexOf('?') + 1)).values()];
  const html = (v: string) =>
    v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [
    url,
    values.join(' '),
    values.map(encodeURIComponent).join(' '),
    values.map(html).join(' '),
    JSON.stringify(values),
  ].join(' | ');
}

async function hostileClosrtech(elsewhereUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const campaign = new URL(req.url ?? '/', 'http://x').searchParams.get('campaign') as Hostile | string;
    switch (campaign) {
      case 'HUGE': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"OH": {"demand": 4, "stock": "`);
        const chunk = 'x'.repeat(1 << 20);
        let sent = 0;
        const more = () => {
          while (sent < 20 && res.write(chunk)) sent++;
          if (sent >= 20) res.end('"}}');
          else res.once('drain', more);
        };
        res.on('close', () => (sent = 99));
        return more();
      }
      case 'JUNK':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`J${i}`, 1]))));
      case 'DRIP': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        const timer = setInterval(() => res.write(' '), 50);
        return res.on('close', () => clearInterval(timer));
      }
      case 'REDIRECT':
        res.writeHead(307, { location: `${elsewhereUrl}/demand.php?stolen=1` });
        return res.end();
      case 'ECHO':
        res.writeHead(403, { 'content-type': 'text/html' });
        return res.end(`<p>No access for ${echoed(req.url ?? '')}</p>`);
      case 'LOOKALIKE':
        res.writeHead(200, { 'content-type': 'application/json' });
        // Dotless ı + L, Kelvin sign + Y, no-break space + CA, fullwidth ＣＡ.
        return res.end(JSON.stringify({ '\u0131l': 5, '\u212Ay': 4, '\u00A0CA': 3, '\uFF23\uFF21': 2 }));
      default:
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(DEMAND));
    }
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/demand.php`,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/** Every string Redis holds under the prefix, whatever the key's type (keys included). */
async function everythingStored(redis: Redis, prefix: string): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      out.push(key);
      const type = await redis.type(key);
      if (type === 'string') out.push((await redis.get(key)) ?? '');
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return out.join('\n');
}

/**
 * A live run of one healthy campaign and one campaign per hostile CLOSRTECH answer, with Meta throttling
 * one ad set for centuries and echoing the token and appsecret_proof on another, against a real
 * worker process and real Redis. The worker survives all of it, each hostile campaign aborts alone
 * with its reason, the healthy one is synced, and no form of any secret reaches any output.
 */
describe('hostile upstreams against a real worker', () => {
  const prefix = uniquePrefix('hostile');
  let rig: FaultRig;
  let worker: WorkerProcess;
  let closrtech: { url: string; close(): Promise<void> };
  let elsewhere: { url: string; hits: number; close(): Promise<void> };
  let campaignsDir: string;
  let report: RunReport | undefined;
  let stored = '';
  let smtp: SmtpSink;
  let cli: { code: number; output: string };
  let dashboard: TestDashboard;
  const pages: Record<string, string> = {};
  const healthy = Array.from({ length: 6 }, (_, i) => adsetId(i));
  const [centuries, echoing] = [healthy[0]!, healthy[1]!];

  beforeAll(async () => {
    rig = await startFaultRig({
      redisUrl: testRedisUrl(),
      prefix,
      count: healthy.length,
      latencyMs: 0,
      cleanPrefix: true,
    });
    let hits = 0;
    const other = createServer((_req, res) => (hits++, res.end('{"OH": 99}')));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    elsewhere = {
      url: `http://127.0.0.1:${(other.address() as AddressInfo).port}`,
      get hits() {
        return hits;
      },
      close: () => new Promise<void>((r) => (other.closeAllConnections(), other.close(() => r()))),
    };
    closrtech = await hostileClosrtech(elsewhere.url);
    const hostileCampaigns = (Object.keys(HOSTILE) as Hostile[]).map((name, i) => ({
      ...CAMPAIGNS[0]!,
      name,
      closrtechCampaign: name,
      facebookCampaignIds: [`13000000000000000${i}`],
    }));
    const campaigns = tempCampaignsFile([...CAMPAIGNS, ...hostileCampaigns]);
    campaignsDir = campaigns.dir;

    rig.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: centuries },
      times: -1,
      response: { kind: 'graph-error', code: 17, estimatedMinutes: 100 * 365 * 24 * 60 },
    });
    rig.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: echoing },
      times: -1,
      response: {
        kind: 'graph-error',
        code: 100,
        message: `Invalid parameter (appsecret_proof=${PROOF}&access_token=${TOKEN})`,
        userTitle: `Proof ${PROOF} rejected`,
        userMsg: `You sent ${encodeURIComponent(TOKEN)} with ${PROOF}`,
      },
    });

    smtp = await startSmtp({ user: SMTP_USER, pass: SMTP_PASSWORD });
    worker = startWorker({
      ...rig.env,
      SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${smtp.port}`,
      NOTIFY_EMAIL: 'client@example.com',
      NOTIFY_FROM: 'closrads@example.com',
      CAMPAIGNS_FILE: campaigns.file,
      CLOSRTECH_URL: closrtech.url,
      CLOSRTECH_EMAIL: EMAIL,
      CLOSRTECH_PASSWORD: PASSWORD,
      FB_APP_SECRET: APP_SECRET,
      HTTP_TIMEOUT_MS: '2000',
    });
    await worker.waitForLine(/worker started/, 20_000);
    cli = await enqueueAndWait({ REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, CAMPAIGNS_FILE: campaigns.file });
    const runId = (await rig.control.store.listRuns())[0]!.meta.runId;
    // The email goes out from a job (retried with backoff when SMTP is slow): wait for every queue to be
    // empty, not for a fixed time; the secrets test below checks that it arrived.
    await rig.control.settled(150_000);
    ({ report } = await rig.finish(worker, runId, 90_000));
    stored = await everythingStored(rig.control.redis, prefix);

    dashboard = await testDashboard({ redisUrl: testRedisUrl(), prefix });
    const paths = [
      '/runs',
      `/runs/${runId}`,
      '/api/runs',
      `/api/runs/${runId}`,
      '/metrics',
      '/queues/api/queues?activeQueue=update-adset&status=failed&page=1',
      '/queues/api/queues?activeQueue=plan-sync&status=completed&page=1',
      '/queues/api/queues?activeQueue=finalize-report&status=completed&page=1',
    ];
    for (const path of paths) {
      const res = await request(dashboard.app).get(path).set('Authorization', AUTH);
      expect(res.status, path).toBe(200);
      pages[path] = res.text;
    }
  }, 200_000);

  afterAll(async () => {
    await dashboard?.close();
    await smtp?.close();
    await rig?.close();
    await closrtech?.close();
    await elsewhere?.close();
    if (campaignsDir) removeDir(campaignsDir);
  });

  it('the worker survives every answer and the run ends with a report', () => {
    expect(report, `no report; worker lines:\n${worker.lines.join('\n')}`).toBeDefined();
    expect(worker.lines.filter((l) => /worker started/.test(l))).toHaveLength(1);
    expect(worker.lines.join('\n')).not.toMatch(/heap out of memory|FATAL ERROR|uncaught/i);
    expect(report!.success).toBe(false);
  });

  it('each hostile campaign aborts alone, with its reason', () => {
    const byName = new Map(report!.campaigns.map((c) => [c.name, c]));
    const reasons: Record<Exclude<Hostile, 'LOOKALIKE'>, RegExp> = {
      HUGE: /more than 64 KB/,
      JUNK: /more than 64 KB|more than there are US states/,
      DRIP: /answer timed out after 2 s/,
      REDIRECT: /redirect \(HTTP 307 to http:\/\/127\.0\.0\.1:\d+\); redirects are not followed/,
      ECHO: /refused the request \(HTTP 403\): No access/,
    };
    for (const [name, reason] of Object.entries(reasons)) {
      expect(byName.get(name)?.status, name).toBe('aborted');
      expect(byName.get(name)?.abortReason, name).toMatch(reason);
    }
    expect(byName.get('LOOKALIKE')).toMatchObject({
      status: 'aborted',
      abortReason: expect.stringMatching(/none of the states with demand/),
    });
    expect(byName.get('LOOKALIKE')!.unmappedStates.every((c) => c.startsWith('"'))).toBe(true);
    expect(elsewhere.hits).toBe(0);
  });

  it('the healthy campaign is synced; the over-long throttle and the echoing error fail their ad sets only', () => {
    const veterans = report!.campaigns.find((c) => c.name === CAMPAIGNS[0]!.name)!;
    expect(veterans.status).toBe('completed');
    const outcome = new Map(veterans.adsets.map((a) => [a.id, a]));
    expect(outcome.get(centuries)).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/Meta asks to wait 36500 d .*more than the 1 h/),
    });
    expect(outcome.get(echoing)).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/^\(#100\) Invalid parameter/),
    });
    for (const id of healthy.slice(2)) {
      expect(outcome.get(id)?.outcome, id).toBe('updated');
      expect(regionKeysSorted(rig.sim.state.adsets[id]!.targeting)).toEqual(DESIRED_KEYS);
    }
    // Nothing written from bad data: only the healthy campaign's ad sets were ever written.
    expect([...targetingWrites(rig.sim).keys()].every((id) => healthy.includes(id))).toBe(true);
    expect(rig.sim.calls.filter((c) => c.api === 'graph' && c.adAccountId && c.adAccountId !== ACCOUNT)).toEqual([]);
  });

  it('no form of any secret in the report, Redis, the logs, Slack, the email, the CLI or the dashboard', () => {
    expect(smtp.messages.length, 'the email report was delivered').toBeGreaterThan(0);
    const email = smtp.messages
      .map((m) => `${m.subject ?? ''}\n${m.text ?? ''}\n${typeof m.html === 'string' ? m.html : ''}`)
      .join('\n');
    const outputs: Record<string, string> = {
      report: JSON.stringify(report),
      redis: stored,
      logs: worker.lines.join('\n'),
      slack: rig.slack.bodies.join('\n'),
      email,
      cli: cli.output,
      ...Object.fromEntries(Object.entries(pages).map(([path, text]) => [`dashboard ${path}`, text])),
    };
    expect(stored.length).toBeGreaterThan(1000);
    expect(rig.slack.bodies.length).toBeGreaterThan(0);
    // Each output really carries the failures that echoed the secrets.
    for (const where of ['report', 'slack', 'email', 'cli', `dashboard /api/runs/${report!.runId}`])
      expect(outputs[where], where).toMatch(/ECHO/);
    expect(outputs['dashboard /queues/api/queues?activeQueue=update-adset&status=failed&page=1']).toMatch(
      /Invalid parameter/,
    );
    expect(cli.code).toBe(1);
    const secrets = [
      EMAIL,
      PASSWORD,
      TOKEN,
      APP_SECRET,
      PROOF,
      SMTP_PASSWORD,
      ...webhookSecrets(rig.slack.url).filter((s) => s.length >= 4),
    ];
    for (const [where, text] of Object.entries(outputs)) {
      const lower = text.toLowerCase();
      for (const secret of secrets)
        for (const form of secretForms(secret))
          expect(lower.includes(form.toLowerCase()), `${where} holds ${JSON.stringify(form)}`).toBe(false);
    }
  });
});
