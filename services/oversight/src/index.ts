/**
 * @firewall/oversight: what the council oversight committee sees. Prometheus metrics with closed-vocabulary
 * labels, the dashboard page and its JSON, and the monthly transparency report (JSON, CSV, HTML), all computed
 * from the audit ledger with small cells suppressed.
 */
export {
  agencyClasses, agencyClassLabels, basisTypeLabels, createVocabulary, decisionLabels, decisions, domainRules, federalClasses,
  reasonCodes, systemLabels, type AgencyClass, type DecisionCode, type PolicyData, type Vocabulary, type VocabularyOptions,
} from './vocabulary.js';
export { LedgerFolderReader, fromAuditMessage, readLedgerFolder, type LedgerHead, type OversightEntry } from './ledger-source.js';
export { OversightIndex, monthOf, type DecisionFact, type ReasonFact, type ReviewBacklog } from './oversight-index.js';
export { suppress, type CellStatus, type Equation, type Published, type Suppressed, type SuppressionOptions } from './suppression.js';
export { learnRules, ruleCatalogFromBundleFiles, ruleCatalogFromDecisions, ruleCatalogFromRego, type RuleCatalog, type RuleInfo } from './rule-catalog.js';
export {
  REPORT_FORMAT, buildReport, countMonth, isPeriod, periodBounds,
  type ReasonTable, type ReportOptions, type ReportRow, type ReportSource, type ReportTable, type TransparencyReport,
} from './report.js';
export { contentTypes, isReportFormat, renderReport, reportCsv, reportFormats, reportHtml, type ReportFormat } from './render.js';
export { buildSummary, combine, formatFigure, monthsBetween, type Figure, type FigureRow, type FigureTable, type OversightSummary } from './summary.js';
export { renderDashboard } from './dashboard-page.js';
export { OversightStore, type OversightStoreOptions } from './store.js';
export { createOversightRouter, monthParam, type OversightRouterDeps } from './router.js';
export { createOversightMetrics, type LedgerStats, type OversightMetrics, type OversightMetricsOptions } from './metrics.js';
export {
  instrumentEvaluator, startMetricsService, startOversight, type MetricsServiceDeps, type OversightDeps, type RunningOversight,
} from './service.js';
export { reportCommand, reportHelp, type ReportCommandOptions } from './report-command.js';
export { oversightOpenApiPaths } from './openapi.js';
export { registerReadinessMetrics } from './readiness-metrics.js';
