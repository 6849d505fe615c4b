import type { SimulatorState } from './types.js';

export interface ClosrtechAnswer {
  status: number;
  contentType: string;
  body: string;
}

const text = (status: number, body: string): ClosrtechAnswer => ({
  status,
  contentType: 'text/plain; charset=UTF-8',
  body,
});

/**
 * GET demand.php?campaign=C&email=E&pass=P. Credentials are checked only when the scenario sets
 * both; an unknown campaign is refused the same way as one the account may not see.
 */
export function serveDemand(state: SimulatorState, query: Record<string, string>): ClosrtechAnswer {
  const c = state.closrtech;
  if (c.email && c.password && (query.email !== c.email || query.pass !== c.password)) {
    return text(403, 'Invalid credentials');
  }
  const campaign = query.campaign ?? '';
  if ((c.noAccess ?? []).includes(campaign) || !Object.hasOwn(c.campaigns, campaign)) {
    return text(403, 'No access to this campaign');
  }
  return { status: 200, contentType: 'application/json', body: JSON.stringify(c.campaigns[campaign]) };
}
