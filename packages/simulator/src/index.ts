export { startSimulator } from './simulator.js';
export type { StartOptions, Simulator, ReviewSummary } from './simulator.js';
export { generateScenario, benchCampaignsFile } from './generate.js';
export type { GenerateOptions, BenchCampaignsFile } from './generate.js';
export { loadScenario } from './scenario.js';
export { REGIONS, regionByKey, regionByUsps, keyOf } from './region-table.js';
export type { Region } from './region-table.js';
export { appsecretProof } from './proof.js';
export type {
  Scenario,
  SimulatorState,
  FaultRule,
  FaultMatch,
  FaultResponse,
  RecordedCall,
  WriteRecord,
  GraphSettings,
  ClosrtechScenario,
  GraphScenario,
  ScenarioAdAccount,
  ScenarioCampaign,
  ScenarioAdset,
  ScenarioAd,
  IssueInfo,
  PendingReview,
  OnGeoChange,
  RateBudget,
  RateTier,
  UsageHeaderSet,
} from './types.js';
