/** How a benchmark run is sized. */
export type BenchMode = 'quick' | 'full';

/** What every scenario receives. */
export interface ScenarioContext {
  mode: BenchMode;
  /** Writes a line of context (not a result line) to stderr. */
  log(message: string): void;
}

/** One figure checked against its target. */
export interface TargetCheck {
  /** What is measured, e.g. `throughput ratio retouch/raw-fetch`. */
  figure: string;
  value: number;
  comparison: '>=' | '<=' | '==';
  threshold: number;
  met: boolean;
}

/** What a scenario reports. */
export interface ScenarioResult {
  name: string;
  /** The figure(s) as shown on the result line, without the name and the targets. */
  summary: string;
  /** The targets as shown on the result line, e.g. `>= 0.90`. */
  targetText: string;
  targets: TargetCheck[];
  /** Measured figures of the Retouch arm(s). */
  figures: Record<string, unknown>;
  /** The same workload measured without Retouch (or without the feature) in the same run. */
  baselines: Record<string, unknown>;
  /** How the scenario was sized this run. */
  parameters: Record<string, unknown>;
  notes: string[];
}

/** A scenario: a name and a function that measures. */
export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/** Checks one figure against its target. */
export function checkTarget(options: Omit<TargetCheck, 'met'>): TargetCheck {
  const { value, comparison, threshold } = options;
  const met =
    Number.isFinite(value) &&
    (comparison === '>='
      ? value >= threshold
      : comparison === '<='
        ? value <= threshold
        : value === threshold);
  return { ...options, met };
}

/** The result line: `name: value (target ...; met|missed)`. */
export function resultLine(result: ScenarioResult): string {
  const met = result.targets.every((target) => target.met);
  return `${result.name}: ${result.summary} (target ${result.targetText}; ${met ? 'met' : 'missed'})`;
}
