import { parseArgs } from 'node:util';

/**
 * Argument parsing, `--help` and usage errors, the same way for every command. Dependency-free (the
 * simulator imports it through `@closrads/core/cli`).
 *
 *   const { values } = parseCommand({ name: 'enqueue', usage: 'pnpm enqueue [options]', summary: '…',
 *     options: { wait: { type: 'boolean', help: 'wait for the report' } }, exitCodes: [[0, 'ok']] });
 *
 * `--help` (or `-h`) prints the usage, the options and the exit codes to stdout and exits 0 before
 * the command reads any configuration or opens any connection. A bad argument prints one line (with
 * the usage) to stderr and exits 2.
 */

export interface CommandOption {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in the help after the flag, e.g. `NAME`. */
  value?: string;
  help: string;
}

export interface CommandSpec<O extends Record<string, CommandOption>> {
  /** The command's name as it prefixes its error lines, e.g. `enqueue`. */
  name: string;
  /** The usage line(s), without the leading `usage: `. */
  usage: string;
  /** What the command does, in a sentence or two. */
  summary: string;
  options: O;
  /** Positional arguments, for the help (`[['RUN_ID', 'the run to undo']]`); none allowed when absent. */
  positionals?: ReadonlyArray<readonly [string, string]>;
  exitCodes: ReadonlyArray<readonly [number, string]>;
  /** Anything else worth knowing (environment variables, signals). */
  notes?: string;
}

type ValueOf<O extends CommandOption> = O['type'] extends 'boolean'
  ? O['multiple'] extends true
    ? boolean[]
    : boolean
  : O['multiple'] extends true
    ? string[]
    : string;

export type CommandValues<O extends Record<string, CommandOption>> = { [K in keyof O]?: ValueOf<O[K]> };

export const USAGE_EXIT_CODE = 2;

export function renderHelp<O extends Record<string, CommandOption>>(spec: CommandSpec<O>): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).map(([flag, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${flag}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    `${o.help}${o.multiple ? ' (repeatable)' : ''}`,
  ]);
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([f]) => f.length), ...(spec.positionals ?? []).map(([p]) => p.length));
  const lines = [`usage: ${spec.usage}`, '', spec.summary, ''];
  if (spec.positionals?.length) {
    lines.push('arguments:', ...spec.positionals.map(([p, h]) => `  ${p.padEnd(width)}  ${h}`), '');
  }
  lines.push('options:', ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`), '');
  lines.push('exit codes:', ...spec.exitCodes.map(([c, h]) => `  ${String(c).padEnd(3)} ${h}`));
  if (spec.notes) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}

/** Parses `argv`; prints the help and exits 0 on `--help`, prints a usage error and exits 2 on a bad argument. */
export function parseCommand<O extends Record<string, CommandOption>>(
  spec: CommandSpec<O>,
  argv: string[] = process.argv.slice(2),
): { values: CommandValues<O>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [flag, o] of Object.entries(spec.options)) {
    options[flag] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  // `pnpm x -- --flag` passes the `--` through; it separates nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  // Help wins over anything else on the line, even a bad option next to it.
  if (args.includes('--help') || args.includes('-h')) exitWith(0, renderHelp(spec), 'stdout');
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: spec.positionals !== undefined });
  } catch (err) {
    usageError(spec, (err as Error).message);
  }
  return { values: parsed.values as CommandValues<O>, positionals: parsed.positionals };
}

/** One line saying what is wrong, with the usage, on stderr; exit 2. */
export function usageError(
  spec: Pick<CommandSpec<Record<string, CommandOption>>, 'name' | 'usage'>,
  message: string,
): never {
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
  exitWith(
    USAGE_EXIT_CODE,
    `${spec.name}: ${oneLine(message)} (usage: ${oneLine(spec.usage)}; --help for more)\n`,
    'stderr',
  );
}

function exitWith(code: number, text: string, to: 'stdout' | 'stderr'): never {
  // Writes to pipes, files and terminals are synchronous on Linux, and help text is far below a pipe's
  // buffer: exiting at once loses nothing and guarantees nothing else runs.
  (to === 'stdout' ? process.stdout : process.stderr).write(text);
  process.exit(code);
}
