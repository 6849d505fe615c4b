import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_GUARDRAILS } from './domain/guardrails';

const GuardrailsSchema = z.strictObject({
  minStates: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(DEFAULT_GUARDRAILS.minStates),
  maxDropPercent: z
    .number()
    .min(0, 'must be at least 0')
    .max(100, 'must be at most 100')
    .default(DEFAULT_GUARDRAILS.maxDropPercent),
});

export const CampaignSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty'),
  closrtechCampaign: z.string().trim().min(1, 'must not be empty'),
  adAccountId: z.string().regex(/^act_\d+$/, 'must look like act_1234567890'),
  facebookCampaignIds: z
    .array(z.string().regex(/^\d+$/, 'must be a numeric Facebook campaign id'))
    .min(1, 'must list at least one Facebook campaign id'),
  protection: z.boolean().default(true),
  enabled: z.boolean().default(true),
  /** Holds the campaign before any write when demand looks wrong (see domain/guardrails); unset: the defaults. */
  guardrails: GuardrailsSchema.optional(),
});
export type Campaign = z.output<typeof CampaignSchema>;

// A file without a campaign would run nothing every day while looking healthy: refuse it.
const CampaignsFileSchema = z.strictObject({
  campaigns: z.array(CampaignSchema).min(1, 'must list at least one campaign'),
});

/**
 * Reads and validates the campaigns file. Returns the campaigns, or the list of every problem found
 * (the caller reports them together with the rest of the configuration).
 */
export function readCampaignsFile(path: string): { campaigns: Campaign[]; problems: string[] } {
  const fullPath = resolve(process.cwd(), path);
  let raw: string;
  try {
    raw = readFileSync(fullPath, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return { campaigns: [], problems: [`CAMPAIGNS_FILE ${path}: ${reason}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { campaigns: [], problems: [`CAMPAIGNS_FILE ${path}: not valid JSON (${(err as Error).message})`] };
  }
  const parsed = CampaignsFileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      campaigns: [],
      problems: parsed.error.issues.map((i) => `CAMPAIGNS_FILE ${path}: ${formatPath(i.path)}: ${i.message}`),
    };
  }
  const campaigns = parsed.data.campaigns;
  return { campaigns, problems: crossCampaignProblems(campaigns, path) };
}

/** Rules that span campaigns: unique names, and no Facebook campaign fed by two demands. */
function crossCampaignProblems(campaigns: Campaign[], path: string): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const c of campaigns) {
    if (names.has(c.name)) problems.push(`CAMPAIGNS_FILE ${path}: campaign name "${c.name}" is used twice`);
    names.add(c.name);
    for (const id of c.facebookCampaignIds) {
      const owner = owners.get(id);
      if (owner && owner !== c.name) {
        problems.push(
          `CAMPAIGNS_FILE ${path}: Facebook campaign ${id} is listed under both "${owner}" and "${c.name}"`,
        );
      }
      owners.set(id, c.name);
    }
  }
  if (campaigns.length > 0 && !campaigns.some((c) => c.enabled)) {
    problems.push(`CAMPAIGNS_FILE ${path}: no campaign is enabled`);
  }
  return problems;
}

function formatPath(path: PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(root)'
  );
}
