/**
 * `pnpm simulator [--scenario NAME|PATH] [--port N] [--host H] [--latency MS]`: serves the fake
 * CLOSRTECH and Graph APIs standalone until SIGINT/SIGTERM (or until its launcher exits), and prints
 * the env lines that point the product at it. Misuse gets one line on stderr and exit 2.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommand, usageError } from '@closrads/core/cli';
import { stopWhenOrphaned } from '@closrads/core/orphan-watch';
import { loadScenario } from './scenario.js';
import { startSimulator } from './simulator.js';
import type { Scenario } from './types.js';

const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));
const bundled = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

const COMMAND = {
  name: 'simulator',
  usage: 'pnpm simulator [--scenario NAME|PATH] [--port N] [--host HOST] [--latency MS]',
  summary:
    'Serves the simulated CLOSRTECH and Meta Graph APIs on one HTTP port until SIGINT/SIGTERM, and prints the\n' +
    'environment lines (CLOSRTECH_URL, FB_GRAPH_URL, credentials) that point the product at it.',
  options: {
    scenario: {
      type: 'string',
      value: 'NAME|PATH',
      help: `a bundled scenario (${bundled.join(', ')}; default demo) or a JSON file`,
    },
    port: { type: 'string', value: 'N', help: 'port to listen on (default SIMULATOR_PORT or 4010; 0 = any free port)' },
    host: { type: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
    latency: { type: 'string', value: 'MS', help: "added to every answer (default: the scenario's latencyMs)" },
  },
  exitCodes: [
    [0, 'stopped after a signal'],
    [1, 'the server failed while closing'],
    [2, 'invalid usage: unknown option, bad number, unknown or invalid scenario, port in use'],
  ],
  notes: 'Faults (packages/simulator/README.md): POST /__sim/faults, or a scenario\'s "faults" list.',
} as const;

const { values } = parseCommand(COMMAND);

function whole(flag: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > max)
    usageError(COMMAND, `--${flag} must be a whole number from 0 to ${max}, not "${raw}"`);
  return n;
}

const portRaw = values.port ?? process.env.SIMULATOR_PORT;
const port = whole('port', portRaw, 65_535) ?? 4010;
const latencyMs = whole('latency', values.latency, 600_000);
const host = values.host ?? '127.0.0.1';
const scenarioName = values.scenario ?? 'demo';

let scenario: Scenario;
try {
  scenario = loadScenario(scenarioName);
} catch (err) {
  const reason =
    err instanceof SyntaxError ? `scenario ${scenarioName} is not valid JSON: ${err.message}` : (err as Error).message;
  usageError(COMMAND, `${reason} (bundled: ${bundled.join(', ')})`);
}
if (
  typeof scenario !== 'object' ||
  scenario === null ||
  typeof scenario.closrtech !== 'object' ||
  typeof scenario.graph !== 'object'
) {
  usageError(
    COMMAND,
    `scenario ${scenarioName} needs "closrtech" and "graph" objects (see packages/simulator/scenarios/demo.json)`,
  );
}

let sim;
try {
  sim = await startSimulator({ scenario, port, host, ...(latencyMs !== undefined ? { latencyMs } : {}) });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') usageError(COMMAND, `port ${port} on ${host} is in use: pick another with --port`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES')
    usageError(COMMAND, `cannot listen on ${host}:${port} (${code})`);
  usageError(COMMAND, `the scenario ${scenarioName} could not be loaded: ${(err as Error).message}`);
}

const c = sim.state.closrtech;
// These are the simulator's own fake demo credentials, not secrets.
const lines = [
  `closrads simulator (scenario ${scenarioName}) listening on ${sim.url}`,
  `  CLOSRTECH: ${sim.closrtechUrl}`,
  `  Graph:     ${sim.graphUrl}/v25.0/...`,
  `  Admin:     ${sim.url}/__sim/state | /__sim/calls | POST /__sim/faults | POST /__sim/reset | /__sim/review`,
  '',
  'Environment for the product:',
  `CLOSRTECH_URL=${sim.closrtechUrl}`,
  `CLOSRTECH_EMAIL=${c.email ?? ''}`,
  `CLOSRTECH_PASSWORD=${c.password ?? ''}`,
  `FB_GRAPH_URL=${sim.graphUrl}`,
  `FB_ACCESS_TOKEN=${sim.state.graph.accessToken}`,
  ...(sim.state.graph.appSecret ? [`FB_APP_SECRET=${sim.state.graph.appSecret}`] : []),
];
process.stdout.write(`${lines.join('\n')}\n`);

let closing = false;
const running = sim;
const shutdown = (reason: string): void => {
  if (closing) return;
  closing = true;
  process.stdout.write(`${reason}: closing simulator\n`);
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
stopWhenOrphaned(shutdown);
