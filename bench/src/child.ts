import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, HelperOutcome, ParentMessage, RunOutcome, WorkerSettings } from './protocol';

const WORKER_ENTRY = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
/** The V8 flags `pnpm worker` runs with (package.json), so the figures are those of the product. */
const WORKER_NODE_FLAGS = ['--max-old-space-size=256'];

/** The repository root: `--import tsx` resolves from the child's working directory. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The worker process, seen from the parent: start it, run once, close it. */
export interface WorkerProcess {
  pid: number;
  readyRssBytes: number;
  run(): Promise<RunOutcome>;
  /** Works the queues (without driving a run) and measures, until `stopHelping`. */
  help(): Promise<void>;
  stopHelping(): Promise<HelperOutcome>;
  close(): Promise<void>;
}

export async function startWorkerProcess(settings: WorkerSettings): Promise<WorkerProcess> {
  // tsx as a loader of a plain node process: no extra wrapper process between us and the workers,
  // so the RSS it reports is the workers' own.
  const child: ChildProcess = fork(WORKER_ENTRY, [], {
    // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of the worker process there (for profiling a case).
    execArgv: [
      '--import',
      'tsx',
      ...WORKER_NODE_FLAGS,
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []),
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
    ],
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const inbox: ChildMessage[] = [];
  const waiters: Array<(m: ChildMessage) => void> = [];
  let exited: Error | undefined;
  child.on('message', (m: ChildMessage) => {
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`worker process exited (code ${code}, signal ${signal})`);
    for (const w of waiters.splice(0)) w({ type: 'error', message: exited.message });
  });
  const next = (): Promise<ChildMessage> => {
    const m = inbox.shift();
    if (m) return Promise.resolve(m);
    if (exited) return Promise.resolve({ type: 'error', message: exited.message });
    return new Promise((resolve) => waiters.push(resolve));
  };
  const post = (m: ParentMessage): void => {
    child.send(m);
  };
  const expect = async <T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> => {
    const m = await next();
    if (m.type === 'error') throw new Error(`worker process: ${m.message}`);
    if (m.type !== type) throw new Error(`worker process answered ${m.type}, expected ${type}`);
    return m as Extract<ChildMessage, { type: T }>;
  };

  post({ type: 'start', settings });
  let ready;
  try {
    ready = await expect('ready');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid ?? 0,
    readyRssBytes: ready.rssBytes,
    run: async () => {
      post({ type: 'run' });
      return expect('done');
    },
    help: async () => {
      post({ type: 'help' });
      await expect('helping');
    },
    stopHelping: async () => {
      post({ type: 'stop' });
      return expect('helped');
    },
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        post({ type: 'close' });
        await Promise.race([expect('closed'), new Promise((r) => setTimeout(r, 10_000))]);
      } catch {
        // closing anyway
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
