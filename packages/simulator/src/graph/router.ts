import type { GraphContext, GraphResult } from './context.js';
import { param } from './context.js';
import { GraphError, unknownPath, unsupported } from './errors.js';
import { parseFieldSpecs, selectFields } from './fields.js';
import { getAdset, listAccountAdsets, listCampaignAdsets, updateAdset } from './adsets.js';
import { getAd, listAdsetAds, listCampaignAds, updateAd } from './ads.js';
import { debugToken, me, search } from './meta.js';
import { campaignField } from './views.js';

function noEdge(ctx: GraphContext, node: string): void {
  if (ctx.edge !== undefined) {
    throw new GraphError(100, `(#100) Tried accessing nonexisting field (${ctx.edge}) on node type (${node})`);
  }
}

/** Dispatches a Graph call (already authenticated and admitted) to its handler. */
export function routeGraph(ctx: GraphContext): GraphResult {
  const { state, method, objectId: id, edge } = ctx;
  if (ctx.rest.length > 0) throw unknownPath(`/${ctx.rest.join('/')}`);
  const isGet = method === 'GET';
  const isPost = method === 'POST';

  if (isGet && id === 'debug_token') return debugToken(ctx);
  if (isGet && id === 'me') return me();
  if (isGet && id === 'search') return search(ctx);

  const adset = state.adsets[id];
  if (adset) {
    if (isGet && edge === 'ads') return listAdsetAds(ctx, adset);
    noEdge(ctx, 'AdSet');
    if (isGet) return getAdset(ctx, adset);
    if (isPost) return updateAdset(ctx, adset);
  }
  const ad = state.ads[id];
  if (ad) {
    noEdge(ctx, 'Ad');
    if (isGet) return getAd(ctx, ad);
    if (isPost) return updateAd(ctx, ad);
  }
  const campaign = state.campaigns[id];
  if (campaign) {
    if (isGet && edge === 'adsets') return listCampaignAdsets(ctx);
    if (isGet && edge === 'ads') return listCampaignAds(ctx);
    noEdge(ctx, 'Campaign');
    if (isGet) {
      const fields = parseFieldSpecs(param(ctx, 'fields'));
      return { body: selectFields(id, fields, (f) => campaignField(campaign, f.name)) };
    }
  }
  const account = state.adAccounts[id];
  if (account) {
    if (isGet && edge === 'adsets') return listAccountAdsets(ctx);
    noEdge(ctx, 'AdAccount');
    if (isGet) {
      const fields = parseFieldSpecs(param(ctx, 'fields'));
      return {
        body: selectFields(id, fields, ({ name: f }) =>
          f === 'account_id' ? id.replace(/^act_/, '') : f === 'name' ? (account.name ?? id) : undefined,
        ),
      };
    }
  }
  throw unsupported(method, id);
}
