import { CampaignStateStore, DEMAND_HISTORY_DAYS, DemandHistory, dailyDemand } from '@closrads/core';
import { Router } from 'express';
import type { DashboardDeps } from '../deps';
import { campaignPage, campaignsPage, type CampaignOverview } from '../views/campaigns-page';

const DEFAULT_DAYS = 30;
/** Runs looked through for a campaign's recent ones. */
const RUN_SCAN = 200;
const RECENT_RUNS = 20;
const DAY_MS = 24 * 3600 * 1000;

/** `/campaigns` and `/campaigns/:name`: what each campaign targets now, its demand history and runs. */
export function campaignRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const state = new CampaignStateStore(deps.redis, deps.keys);
  const history = new DemandHistory(deps.redis, deps.keys);

  const overview = async (name: string): Promise<CampaignOverview | undefined> => {
    const campaign = deps.config.campaigns.find((c) => c.name === name);
    if (!campaign) return undefined;
    const [live, held] = await Promise.all([state.lastCompleted(name, 'live'), state.held(name, 'live')]);
    return { campaign, live, held };
  };

  router.get('/campaigns', async (_req, res) => {
    const list = await Promise.all(deps.config.campaigns.map((c) => overview(c.name)));
    res
      .status(200)
      .type('html')
      .send(campaignsPage(list.filter((o): o is CampaignOverview => o !== undefined)));
  });

  router.get('/campaigns/:name', async (req, res) => {
    const found = await overview(req.params.name);
    if (!found) {
      res.status(404).type('text/plain').send('No campaign of that name in the campaigns file\n');
      return;
    }
    const asked = Number(req.query.days ?? DEFAULT_DAYS);
    const days = Number.isInteger(asked) && asked >= 7 ? Math.min(asked, DEMAND_HISTORY_DAYS - 1) : DEFAULT_DAYS;
    const now = Date.now();
    const [points, runs] = await Promise.all([
      history.since(found.campaign.name, now - days * DAY_MS),
      deps.store.listRuns(RUN_SCAN),
    ]);
    const mine = runs
      .filter(({ meta, report }) =>
        report
          ? report.campaigns.some((c) => c.name === found.campaign.name)
          : meta.campaigns.length === 0 || meta.campaigns.includes(found.campaign.name),
      )
      .slice(0, RECENT_RUNS);
    res
      .status(200)
      .type('html')
      .send(campaignPage({ overview: found, days: dailyDemand(points, days, now), runs: mine }));
  });

  return router;
}
