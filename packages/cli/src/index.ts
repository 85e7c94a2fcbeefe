/**
 * `@retouch/cli`: the `retouch` command (edit, compare, models, demo) and the pieces it is built
 * from, for scripts that want a comparison without the command line: {@link runCompare} runs one
 * edit on many models and writes the report, {@link renderReport} turns results into a
 * self-contained HTML page, and the table, CSV and JSON writers format them.
 *
 * @example
 * import { runCompare } from '@retouch/compare';
 * import { createOxen } from '@retouch/provider-oxen';
 * import { createEdenAI } from '@retouch/provider-edenai';
 *
 * const { results, files } = await runCompare({
 *   providers: [createOxen(), createEdenAI()],
 *   models: [{ model: 'oxen:qwen-image-edit' }, { model: 'edenai:openai/gpt-image-2' }],
 *   prompt: 'Replace the sky with a sunset',
 *   images: [{ path: 'photo.png' }],
 *   outDir: 'comparison',
 * });
 * console.log(results.rows, files.report);
 *
 * @packageDocumentation
 */

/**
 * The comparison run, its results and the report live in `@retouch/compare`; they stay exported here
 * so scripts written against this package keep working.
 */
export {
  type BatchInfo,
  type CompareEditOptions,
  type CompareFiles,
  type CompareInput,
  type CompareModel,
  type CompareOutcome,
  type CompareResults,
  type CompareRow,
  type CompareRun,
  type CompareSettings,
  type CompareSummary,
  CSV_COLUMNS,
  csvField,
  DEFAULT_MAX_EMBEDDED_BYTES,
  type LatencySpread,
  type NeutralEditOptions,
  planEmbeddedImages,
  type RenderReportOptions,
  type RowIdentity,
  type RunCompareOptions,
  type RunError,
  type RunProgressEvent,
  renderCostLatencyChart,
  renderReport,
  resultsToCsv,
  resultsToJson,
  runCompare,
  type SavedImage,
  summarizeRuns,
  writeReport,
} from '@retouch/compare';
export {
  type CompareConfig,
  type CompareConfigLimits,
  type CompareConfigModel,
  loadCompareConfig,
  parseCompareConfig,
} from './config.ts';
export type { CliContext, OutputStream } from './context.ts';
export { EXIT_CODES, main } from './main.ts';
export { createProgressDisplay, type ProgressDisplay } from './progress.ts';
export type { ProvidersModule, ProvidersModuleContext, ProvidersModuleResult } from './provider-modules.ts';
export { SAMPLE_IMAGE_PATH } from './sample.ts';
export { renderCompareTable, renderTable, type TableColumn } from './table.ts';
export { UsageError } from './usage-error.ts';
