export * from './errors';
export * from './redact';
export * from './config';
export * from './campaigns';
export * from './logger';
export * from './region-keys';
export * from './domain/demand';
export * from './domain/targeting';
export * from './domain/ad-health';
export * from './domain/watch';
export * from './domain/undo';
export * from './domain/guardrails';
export * from './domain/demand-change';
export * from './domain/us-tiles';
export { renderTileMapTable, TILE_COLORS } from './notify/tile-map';
export * from './clients/retry';
export * from './clients/closrtech';
export * from './clients/graph';
export * from './clients/graph-errors';
export * from './clients/usage';
export * from './queue/keys';
export * from './queue/jobs';
export * from './queue/error-policy';
export * from './queue/redis';
export * from './queue/run-id';
export * from './queue/start-run';
export * from './queue/adset-journal';
export * from './queue/pacer';
export * from './report/types';
export * from './report/build';
export * from './report/verdict';
export * from './report/run-store';
export * from './report/campaign-state';
export * from './demand/history';
export * from './demand/check-stats';
export {
  reportStatus,
  changeKind,
  type ChangeKind,
  renderTextSummary,
  renderTextFollowUp,
  renderEmail,
  renderFollowUpEmail,
  renderSlack,
  renderSlackFollowUp,
  sendEmail,
  postSlack,
  escapeHtml,
  shouldSendReport,
  shouldSendFollowUp,
  verdictOf,
  type ReportStatus,
  type Verdict,
} from './notify';
export * from './queue/wait-report';
export * from './queue/run-progress';
export * from './queue/schedule';
export * from './exit';
export * from './queue/key-scan';
export * from './cli';
export * from './orphan-watch';
export * from './process';
