import { isLoopback, type DashboardConfig } from '@closrads/core';

/**
 * Config validation already refuses this combination; checking again where the socket is opened keeps
 * the rule true even if a caller builds the config by hand.
 */
export function assertListenAllowed(config: DashboardConfig): void {
  if (!config.auth && !isLoopback(config.host)) {
    throw new Error(
      `refusing to listen on ${config.host} without a password: set DASHBOARD_USER and DASHBOARD_PASSWORD, or set DASHBOARD_HOST to a loopback address such as 127.0.0.1`,
    );
  }
}
