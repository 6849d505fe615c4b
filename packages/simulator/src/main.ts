/**
 * `pnpm simulator [--scenario NAME|PATH] [--port N] [--latency MS]`: serves the fake CLOSRTECH and
 * Graph APIs standalone until SIGINT/SIGTERM, and prints the env lines that point the product at it.
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'demo' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    latency: { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.SIMULATOR_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0) throw new Error(`invalid port: ${String(values.port)}`);
const latencyMs = values.latency === undefined ? undefined : Number(values.latency);

const sim = await startSimulator({
  scenario: values.scenario,
  port,
  host: values.host,
  ...(latencyMs !== undefined && Number.isFinite(latencyMs) ? { latencyMs } : {}),
});

const c = sim.state.closrtech;
// These are the simulator's own fake demo credentials, not secrets.
const lines = [
  `closrads simulator (scenario ${values.scenario}) listening on ${sim.url}`,
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
const shutdown = (signal: string): void => {
  if (closing) return;
  closing = true;
  process.stdout.write(`${signal}: closing simulator\n`);
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
