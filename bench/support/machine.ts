import os from 'node:os';

/** The machine a run was measured on, for the results file and the docs. */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  /** Cores available to this process (cgroup limits included). */
  availableParallelism: number;
  totalMemoryMb: number;
  freeMemoryMbAtStart: number;
  /** One-minute load average when the run started: other work on the machine skews absolute times. */
  loadAverageAtStart: number;
  platform: string;
  release: string;
  arch: string;
  node: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    freeMemoryMbAtStart: Math.round(os.freemem() / 2 ** 20),
    loadAverageAtStart: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    node: process.version,
  };
}
