/**
 * Exits once everything written to stdout and stderr has been flushed. `process.exit` alone can cut
 * a large output (a report JSON) short when stdout is a pipe.
 */
export function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
