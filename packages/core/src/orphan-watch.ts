/**
 * Stops a service when the process that launched it is gone. `pnpm worker` runs the service as a
 * child of pnpm; pnpm passes a SIGTERM on, but a SIGKILL of pnpm, or its crash, passes nothing, and
 * the service would run on with no one to stop it. When the parent dies the kernel
 * hands the child to another process (init or a subreaper), so a changed `process.ppid` means the
 * launcher is gone, however it died (SIGTERM, SIGKILL, a crash).
 *
 * Only a process started by a package manager's script (`npm_lifecycle_event` is set) watches:
 * one started with `nohup` or `&` from a shell is meant to outlive that shell, and one started by a
 * service manager or as a container's first process (the Dockerfile's command) is stopped by it.
 */
export function stopWhenOrphaned(
  stop: (reason: string) => void,
  intervalMs = 500,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  const launcher = process.ppid;
  // Not under pnpm/npm, or already the child of init (or a container's first process): nothing to watch.
  if (!env.npm_lifecycle_event || launcher <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    stop(`launcher process ${launcher} exited`);
  }, intervalMs);
  // The watch alone must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
