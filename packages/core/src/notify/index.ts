/** Run report rendering (text, email, Slack) and delivery (SMTP, Slack webhook). */
export type { ReportStatus } from './format';
export { reportStatus, statusSentence, subjectTally, changeKind, DEFAULT_MAX_ADSETS_PER_CAMPAIGN, type ChangeKind } from './format';
export { renderTextSummary, renderTextFollowUp, type TextSummaryOptions } from './summary';
export { renderEmail, renderFollowUpEmail, emailSubject, STATUS_COLORS, EMAIL_HTML_BUDGET_BYTES, type EmailMessage, type EmailOptions } from './email';
export { renderSlack, renderSlackFollowUp, SLACK_LIMITS, type SlackPayload, type SlackOptions } from './slack';
export {
  parseSmtpUrl,
  sendEmail,
  postSlack,
  DEFAULT_TIMEOUT_MS,
  type EmailConfig,
  type OutgoingEmail,
  type SendOptions,
} from './channels';
export { escapeHtml, escapeMrkdwn } from './escape';
export { shouldSendReport, shouldSendFollowUp, verdictOf, type Verdict } from './policy';
// The one URL redactor of the product, re-exported where the channels' callers look for it.
export { redactUrl } from '../redact';
