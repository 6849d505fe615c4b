/** Realistic run reports for the notify tests. */
import type { AdsetResult, CampaignReport, FollowUp, OutcomeCounts, RunReport } from '@closrads/core';

export const XSS_NAME = 'VET <script>alert("x")</script> & "friends"';

const US = [
  'AK',
  'AL',
  'AR',
  'AZ',
  'CA',
  'CO',
  'CT',
  'DC',
  'DE',
  'FL',
  'GA',
  'HI',
  'IA',
  'ID',
  'IL',
  'IN',
  'KS',
  'KY',
  'LA',
  'MA',
  'MD',
  'ME',
  'MI',
  'MN',
  'MO',
  'MS',
  'MT',
  'NC',
  'ND',
  'NE',
  'NH',
  'NJ',
  'NM',
  'NV',
  'NY',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VA',
  'VT',
  'WA',
  'WI',
  'WV',
  'WY',
];

export function countsOf(adsets: AdsetResult[]): OutcomeCounts {
  const n = (o: AdsetResult['outcome']) => adsets.filter((a) => a.outcome === o).length;
  return {
    processed: adsets.length,
    updated: n('updated'),
    wouldUpdate: n('would_update'),
    unchanged: n('unchanged'),
    skippedPreflight: n('skipped_preflight'),
    reverted: n('reverted'),
    failed: n('failed'),
    superseded: n('superseded'),
    deferred: n('deferred'),
    skippedChanged: n('skipped_changed'),
  };
}

function campaign(
  name: string,
  activeStates: string[],
  adsets: AdsetResult[],
  extra: Partial<CampaignReport> = {},
): CampaignReport {
  return { name, status: 'completed', activeStates, unmappedStates: [], counts: countsOf(adsets), adsets, ...extra };
}

function adset(
  id: string,
  name: string,
  outcome: AdsetResult['outcome'],
  extra: Partial<AdsetResult> = {},
): AdsetResult {
  return { id, name, facebookCampaignId: '120000000000000001', outcome, added: [], removed: [], ...extra };
}

const base = {
  runId: 'r-20261126-130000-4f2a',
  trigger: 'schedule' as const,
  dryRun: false,
  startedAt: '2026-11-26T13:00:00.000Z',
  finishedAt: '2026-11-26T13:00:41.512Z',
  dashboardUrl: 'https://ads.example.com/runs/r-20261126-130000-4f2a',
};

export function cleanReport(): RunReport {
  return {
    ...base,
    success: true,
    campaigns: [
      campaign(
        'Veterans',
        ['CA', 'DC', 'OH', 'TX'],
        [
          adset('201', 'VET broad', 'updated', { added: ['CA', 'DC', 'TX'], removed: ['NY'] }),
          adset('202', 'VET lookalike', 'unchanged'),
        ],
      ),
      campaign('Final Expense', ['FL', 'GA'], [adset('301', 'FE 50+', 'unchanged')]),
    ],
  };
}

/** Every outcome, an aborted campaign, a user-controlled name with markup. */
export function mixedReport(): RunReport {
  const veterans = [
    adset('120200000000000201', 'VET broad', 'updated', { added: ['CA', 'DC', 'TX'], removed: ['NY'] }),
    adset('120200000000000202', 'VET lookalike 1%', 'unchanged'),
    adset('120200000000000204', 'VET rejects', 'failed', {
      added: ['CA', 'DC', 'OH', 'TX'],
      removed: ['NY'],
      error: '(#100/1885364) Missing Target Audience Location: Your audience is missing a location.',
      errorCode: 100,
      errorSubcode: 1885364,
    }),
    adset('120200000000000205', XSS_NAME, 'skipped_preflight', {
      added: ['OH'],
      ads: [
        {
          id: '120210000000000901',
          name: 'Flag video v3',
          effectiveStatus: 'WITH_ISSUES',
          issue: 'Ad creative rejected: text over image',
          errorCode: 1487390,
        },
        {
          id: '120210000000000902',
          name: 'Carousel <b>bold</b>',
          effectiveStatus: 'DISAPPROVED',
          issue: 'DISAPPROVED',
        },
      ],
    }),
    adset('120200000000000206', 'VET retarget', 'reverted', {
      added: ['TX'],
      removed: ['CA'],
      rolledBack: true,
      ads: [
        {
          id: '120210000000000903',
          name: 'Testimonial 15s',
          effectiveStatus: 'WITH_ISSUES',
          issue: 'Landing page not working',
        },
      ],
    }),
    adset('120200000000000207', 'VET overnight', 'superseded', { supersededBy: 'r-20261126-140000-9b1c' }),
  ];
  return {
    ...base,
    success: false,
    campaigns: [
      campaign('Veterans', ['CA', 'DC', 'OH', 'TX'], veterans, { unmappedStates: ['XX'] }),
      campaign('Truckers', [], [], {
        status: 'aborted',
        abortReason: 'every state reports zero demand; targeting left as it is',
      }),
    ],
  };
}

/** Pre-flight skips only: orange. */
export function warningReport(): RunReport {
  const adsets = [
    adset('401', 'MED broad', 'updated', { added: ['AZ'] }),
    adset('402', 'MED video', 'skipped_preflight', {
      ads: [{ id: '901', name: 'Doctor clip', effectiveStatus: 'WITH_ISSUES', issue: 'Video too short' }],
    }),
  ];
  return { ...base, success: true, campaigns: [campaign('Medicare', ['AZ', 'NV'], adsets)] };
}

export function dryRunReport(): RunReport {
  const adsets = [
    adset('501', 'ACA broad', 'would_update', { added: ['NC', 'SC'], removed: ['VA'] }),
    adset('502', 'ACA families', 'unchanged'),
  ];
  return {
    ...base,
    runId: 'r-20261127-090000-aa11',
    trigger: 'manual',
    dryRun: true,
    startedAt: '2026-11-27T09:00:00.000Z',
    finishedAt: '2026-11-27T09:00:05.000Z',
    success: true,
    campaigns: [campaign('ACA', ['NC', 'SC'], adsets)],
  };
}

/** 5,000 ad sets: 300 failed, 1,700 updated, the rest unchanged. */
export function bigReport(): RunReport {
  const adsets: AdsetResult[] = [];
  for (let i = 0; i < 5000; i++) {
    const id = String(120200000000100000 + i);
    if ((i < 2500 && i % 25 === 7) || (i >= 4000 && i < 4200)) {
      adsets.push(
        adset(id, `BIG adset #${i} <geo test>`, 'failed', {
          added: US.slice(0, 20),
          removed: US.slice(40, 45),
          error: `(#2/0) Service temporarily unavailable — request ${i} timed out after 3 attempts`,
          errorCode: 2,
        }),
      );
    } else if (i % 3 === 0) {
      adsets.push(adset(id, `BIG adset #${i}`, 'updated', { added: US.slice(0, 25), removed: US.slice(30, 40) }));
    } else {
      adsets.push(adset(id, `BIG adset #${i}`, 'unchanged'));
    }
  }
  return { ...base, success: false, campaigns: [campaign('Bulk', US.slice(0, 25), adsets)] };
}

export function manyCampaignsReport(n = 40): RunReport {
  const campaigns: CampaignReport[] = [];
  for (let c = 0; c < n; c++) {
    const adsets = [
      adset(`${c}01`, `C${c} broad`, c % 7 === 3 ? 'failed' : 'updated', {
        added: ['CA'],
        error: c % 7 === 3 ? '(#1) Unknown error' : undefined,
      }),
      adset(`${c}02`, `C${c} narrow`, 'unchanged'),
    ];
    campaigns.push(campaign(`Campaign ${c}`, ['CA', 'TX'], adsets));
  }
  return { ...base, success: false, campaigns };
}

export function followUp(): FollowUp {
  return {
    runId: base.runId,
    revision: 2,
    dryRun: false,
    success: true,
    dashboardUrl: base.dashboardUrl,
    changes: [
      {
        campaign: 'Veterans',
        previousOutcome: 'failed',
        adset: adset('120200000000000204', 'VET <rejects>', 'updated', { added: ['CA', 'DC'], removed: ['NY'] }),
      },
    ],
  };
}

/** One ad set reverted (its original targeting restored), the rest fine: verdict `attention`. */
export function revertedOnlyReport(): RunReport {
  const adsets = [
    adset('401', 'VET broad', 'updated', { added: ['CA'], removed: [] }),
    adset('402', 'VET retarget', 'reverted', {
      added: ['TX'],
      removed: ['CA'],
      rolledBack: true,
      ads: [{ id: '9401', name: 'Flag video', effectiveStatus: 'DISAPPROVED', issue: 'Ad creative rejected' }],
    }),
  ];
  return { ...base, success: true, verdict: 'attention', campaigns: [campaign('Veterans', ['CA', 'TX'], adsets)] };
}

/** Every ad set failed with a long error, in many campaigns: the worst case for the email's size. */
export function hugeFailingReport(campaigns = 60, perCampaign = 400): RunReport {
  const list: CampaignReport[] = [];
  for (let c = 0; c < campaigns; c++) {
    const adsets: AdsetResult[] = [];
    for (let i = 0; i < perCampaign; i++) {
      adsets.push(
        adset(`${c}-${i}`, `HUGE ${c} adset #${i} ${'x'.repeat(60)}`, i % 2 ? 'updated' : 'failed', {
          added: US.slice(0, 30),
          removed: US.slice(30, 50),
          ...(i % 2 ? {} : { error: `(#2/0) Service temporarily unavailable ${'y'.repeat(200)}` }),
        }),
      );
    }
    list.push(campaign(`Campaign ${c} ${'z'.repeat(80)}`, US.slice(0, 30), adsets));
  }
  return { ...base, success: false, verdict: 'failed', campaigns: list };
}
