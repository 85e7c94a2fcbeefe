/**
 * `@retouch/compare`: send one edit to several image-editing models through one Retouch client and
 * see what each one did. {@link runCompare} runs the models (repeats, lanes, retries, a budget),
 * saves every output, and writes `report.html`, `results.json` and `results.csv`; the results say
 * what each edit cost and how long it took, and what it changed against its input.
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

export { describeError, errorLine, type RunError } from './describe-error.ts';
export {
  NEUTRAL_EDIT_OPTION_KEYS,
  type NeutralEditOptions,
  OUTPUT_FORMAT_ALIASES,
  pickEditOptions,
} from './edit-options.ts';
export {
  formatBytes,
  formatCost,
  formatDuration,
  formatLatency,
  formatStatus,
  formatUsd,
  slugify,
  truncate,
} from './format.ts';
export type { CompareJudge, JudgePrices, JudgeVerdict } from './judge/compare-judge.ts';
export { type MeasureColumn, measureColumns } from './measures/measure-columns.ts';
export { type MeasuredEdit, type MeasureEditOptions, measureEdit } from './measures/measure-edit.ts';
export { MEASURE_MEANINGS, type OutputMeasures } from './measures/output-measures.ts';
export { type RowMeasures, summarizeMeasures } from './measures/row-measures.ts';
export type { RunProgressEvent } from './progress-event.ts';
export { type CompareImage, recordInputs } from './record-inputs.ts';
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
  type LatencySpread,
  type RowIdentity,
  type RowJudgement,
  resultsToJson,
  type SavedImage,
  summarizeRuns,
} from './results.ts';
export { CSV_COLUMNS, csvField, resultsToCsv } from './results-csv.ts';
export {
  type CompareEditOptions,
  type CompareFiles,
  type CompareModel,
  type CompareOutcome,
  type RunCompareOptions,
  runCompare,
} from './run-compare.ts';
export { saveImages } from './save-images.ts';
export { type Spread, spreadOf } from './statistics.ts';
