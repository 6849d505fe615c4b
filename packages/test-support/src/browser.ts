import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** The Debian package's Chromium (installed by .ci/run); playwright-core downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium for the browser tests: no sandbox (root in CI), no GPU, no background traffic. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Something with Express's `listen` (an app), served on a free loopback port. */
export interface Listenable {
  listen(port: number, host: string, done: () => void): Server;
}

export interface Served {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 and a port the OS picks. */
export async function serve(app: Listenable): Promise<Served> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
