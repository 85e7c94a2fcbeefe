/**
 * `@retouch/cli`: the `retouch` command (edit, compare, models, demo) and the pieces it is built
 * from, for scripts that want a comparison without the command line: {@link runCompare} runs one
 * edit on many models and writes the report, {@link renderReport} turns results into a
 * self-contained HTML page, and the table, CSV and JSON writers format them.
 *
 * @example
 * import { runCompare } from '@retouch/cli';
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

export {
  type CompareEditOptions,
  type CompareFiles,
  type CompareModel,
  type CompareOutcome,
  type RunCompareOptions,
  runCompare,
} from './compare.ts';
export {
  type CompareConfig,
  type CompareConfigLimits,
  type CompareConfigModel,
  loadCompareConfig,
  parseCompareConfig,
} from './config.ts';
export type { CliContext, OutputStream } from './context.ts';
export type { RunError } from './describe-error.ts';
export type { NeutralEditOptions } from './edit-options.ts';
export { EXIT_CODES, main } from './main.ts';
export { createProgressDisplay, type ProgressDisplay, type RunProgressEvent } from './progress.ts';
export type { ProvidersModule, ProvidersModuleContext, ProvidersModuleResult } from './provider-modules.ts';
export { renderCostLatencyChart } from './report/chart.ts';
export { DEFAULT_MAX_EMBEDDED_BYTES, planEmbeddedImages } from './report/embedded-images.ts';
export { type RenderReportOptions, renderReport, writeReport } from './report/report-html.ts';
export {
  type BatchInfo,
  type CompareInput,
  type CompareResults,
  type CompareRow,
  type CompareRun,
  type CompareSettings,
  type CompareSummary,
  CSV_COLUMNS,
  csvField,
  type LatencySpread,
  type RowIdentity,
  resultsToCsv,
  resultsToJson,
  type SavedImage,
  summarizeRuns,
} from './results.ts';
export { SAMPLE_IMAGE_PATH } from './sample.ts';
export { renderCompareTable, renderTable, type TableColumn } from './table.ts';
export { UsageError } from './usage-error.ts';
