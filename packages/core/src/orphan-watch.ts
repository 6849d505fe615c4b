/**
 * Stops a service when the process that launched it is gone. `pnpm worker` runs the service as a
 * child of pnpm, and pnpm does not pass SIGTERM on: a service manager that stops the pnpm process
 * would otherwise leave the service running with no one to stop it. When the parent dies the kernel
 * hands the child to another process (init or a subreaper), so a changed `process.ppid` means the
 * launcher is gone, however it died (SIGTERM, SIGKILL, a crash).
 *
 * A process started directly by a service manager or as a container's first process (the
 * Dockerfile's command) keeps its parent for life, and the watch never fires.
 */
export function stopWhenOrphaned(stop: (reason: string) => void, intervalMs = 500): () => void {
  const launcher = process.ppid;
  // Already the child of init (or the first process of a container): nothing to watch.
  if (launcher <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    stop(`launcher process ${launcher} exited`);
  }, intervalMs);
  // The watch alone must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
