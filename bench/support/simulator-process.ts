import type { ChildProcess } from 'node:child_process';
import { endChild, forkTypeScript, nextMessage } from './children.ts';
import type { SimulatorChildConfig, SimulatorMessage, SimulatorSummary } from './simulator-protocol.ts';

/** A simulator running in a child process. */
export interface SimulatorProcess {
  url: string;
  apiKey: string;
  /** What it saw since it started or was last cleared. */
  summary(): Promise<SimulatorSummary>;
  /** Forgets recorded requests and zeroes the counters (the Eden AI rate window too). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

const childFile = new URL('./simulator-child.ts', import.meta.url);

/** Starts a simulator in its own Node process and waits until it listens. */
export async function startSimulatorProcess(config: SimulatorChildConfig): Promise<SimulatorProcess> {
  const child: ChildProcess = forkTypeScript({ file: childFile, args: [JSON.stringify(config)] });
  const ready = await nextMessage({
    child,
    what: `${config.provider} simulator`,
    timeoutMs: 30_000,
    accept: (message) => {
      const typed = message as SimulatorMessage;
      return typed.type === 'ready' ? typed : undefined;
    },
  });
  let sequence = 0;
  const ask = async (command: 'summary' | 'clear' | 'close'): Promise<SimulatorSummary | undefined> => {
    const id = ++sequence;
    const reply = nextMessage({
      child,
      what: `${config.provider} simulator ${command}`,
      timeoutMs: 30_000,
      accept: (message) => {
        const typed = message as SimulatorMessage;
        return typed.type === 'reply' && typed.id === id ? typed : undefined;
      },
    });
    child.send({ id, command });
    return (await reply).summary;
  };
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    summary: async () => (await ask('summary'))!,
    clear: async () => {
      await ask('clear');
    },
    close: () =>
      endChild({
        child,
        stop: () => {
          if (child.connected) child.send({ id: ++sequence, command: 'close' });
        },
      }),
  };
}
