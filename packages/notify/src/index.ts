/** Run report rendering (text, email, Slack) and delivery (SMTP, Slack webhook). */
export type { ReportStatus } from './format';
export { reportStatus } from './format';
export { renderTextSummary, renderTextFollowUp } from './summary';
export { renderEmail, renderFollowUpEmail, STATUS_COLORS, EMAIL_HTML_BUDGET_BYTES } from './email';
export { renderSlack, renderSlackFollowUp, SLACK_LIMITS, type SlackPayload } from './slack';
export { sendEmail, postSlack } from './channels';
export { escapeHtml } from './escape';
export { shouldSendReport, shouldSendFollowUp, verdictOf } from './policy';
export { renderTileMapTable } from './tile-map';
