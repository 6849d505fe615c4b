import { describe, expect, it } from 'vitest';
import { renderHelp } from '../../src';

describe('renderHelp', () => {
  const help = renderHelp({
    name: 'undo',
    usage: 'pnpm undo RUN_ID [--wait]',
    summary: 'Starts an undo run.',
    options: {
      campaign: { type: 'string', multiple: true, value: 'NAME', help: 'only this campaign' },
      wait: { type: 'boolean', short: 'w', help: 'wait for the report' },
    },
    positionals: [['RUN_ID', 'the run to undo']],
    exitCodes: [
      [0, 'done'],
      [2, 'invalid usage'],
    ],
    notes: 'See the runbook.',
  });

  it('lists usage, arguments, options (help included) and exit codes, aligned', () => {
    expect(help).toBe(
      [
        'usage: pnpm undo RUN_ID [--wait]',
        '',
        'Starts an undo run.',
        '',
        'arguments:',
        '  RUN_ID           the run to undo',
        '',
        'options:',
        '  --campaign NAME  only this campaign (repeatable)',
        '  -w, --wait       wait for the report',
        '  -h, --help       print this help and exit',
        '',
        'exit codes:',
        '  0   done',
        '  2   invalid usage',
        '',
        'See the runbook.',
        '',
      ].join('\n'),
    );
  });
});
