/**
 * Every renderer's output for the fixture reports, pinned: a refactor of the report's assembly or of
 * the renderers must leave what operators read (terminal, email, Slack) exactly as it was. A change
 * meant to alter the output updates the snapshot in the same commit, where the diff shows what moved.
 */
import { describe, expect, it } from 'vitest';
import {
  renderEmail,
  renderFollowUpEmail,
  renderSlack,
  renderSlackFollowUp,
  renderTextFollowUp,
  renderTextSummary,
} from '../src';
import {
  bigReport,
  cleanReport,
  dryRunReport,
  followUp,
  manyCampaignsReport,
  mixedReport,
  revertedOnlyReport,
  warningReport,
} from './fixtures';

const reports = {
  cleanReport,
  mixedReport,
  warningReport,
  dryRunReport,
  bigReport,
  manyCampaignsReport,
  revertedOnlyReport,
};

describe('rendered outputs stay as they are', () => {
  for (const [name, make] of Object.entries(reports)) {
    it(`${name}: text, email and Slack`, () => {
      const report = make();
      expect(renderTextSummary(report)).toMatchSnapshot('text');
      const email = renderEmail(report);
      expect(email.subject).toMatchSnapshot('email subject');
      expect(email.text).toMatchSnapshot('email text');
      expect(email.html).toMatchSnapshot('email html');
      expect(renderSlack(report)).toMatchSnapshot('slack');
    });
  }

  it('follow-up: text, email and Slack', () => {
    const f = followUp();
    expect(renderTextFollowUp(f)).toMatchSnapshot('text');
    expect(renderFollowUpEmail(f)).toMatchSnapshot('email');
    expect(renderSlackFollowUp(f)).toMatchSnapshot('slack');
    const failing = {
      ...f,
      success: false,
      verdict: 'failed' as const,
      changes: [
        {
          ...f.changes[0]!,
          adset: { ...f.changes[0]!.adset, outcome: 'failed' as const, error: '(#100) Invalid parameter' },
        },
      ],
    };
    expect(renderTextFollowUp(failing)).toMatchSnapshot('failing text');
    expect(renderSlackFollowUp(failing)).toMatchSnapshot('failing slack');
  });
});
