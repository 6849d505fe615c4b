import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src';

function problems(env: Record<string, string>, sections: Parameters<typeof loadConfig>[0]): string[] {
  try {
    loadConfig(sections, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration of the commands', () => {
  it('LOG_FORMAT is json, pretty or unset', () => {
    expect(loadConfig(['log'], {}).log).toEqual({ level: 'info', format: undefined });
    expect(loadConfig(['log'], { LOG_FORMAT: 'pretty' }).log.format).toBe('pretty');
    expect(loadConfig(['log'], { LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(problems({ LOG_FORMAT: 'xml' }, ['log'])).toEqual(['LOG_FORMAT must be one of json, pretty']);
  });

  it('a campaigns file without a campaign is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'closrads-config-'));
    const path = join(dir, 'campaigns.json');
    writeFileSync(path, JSON.stringify({ campaigns: [] }));
    expect(problems({ CAMPAIGNS_FILE: path }, ['campaigns'])).toEqual([
      `CAMPAIGNS_FILE ${path}: campaigns: must list at least one campaign`,
    ]);
  });
});
