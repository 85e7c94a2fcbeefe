import type { OutputStream } from './context.ts';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The spinner's character at the `frame`th redraw. */
export function spinnerFrame(frame: number): string {
  return SPINNER[frame % SPINNER.length]!;
}

/** What a live display is made of: its state, how it draws it, and how it logs one event. */
export interface LiveDisplayParts<Event> {
  /** Where the header and footer go; `draw` and `log` write there too. */
  stream: OutputStream;
  /** Redraw in place (a terminal) instead of appending plain lines. */
  interactive: boolean;
  /** Redraw interval on a terminal. @default 100 */
  refreshMs?: number;
  /** Written once at the start off a terminal, e.g. `Running 4 edits over 2 models\n`. */
  header: string;
  /** Written once after the last redraw on a terminal. @default nothing */
  footer?: string;
  /** Takes an event into the state; `false` when the event is not the display's, so nothing is shown. */
  record(event: Event): boolean;
  /** Draws the whole state in place; `frame` counts the timer's redraws, for the spinner. */
  draw(frame: number): void;
  /** Writes one event as a plain line, off a terminal. */
  log(event: Event): void;
}

/** A display of progress that events update; see {@link createLiveDisplay}. */
export interface LiveDisplay<Event> {
  /** Records an event and shows it (redraws, or writes its line). */
  update(event: Event): void;
  /** Draws the final state and stops the refresh timer; later events are ignored. */
  finish(): void;
}

/**
 * The life of every progress display of the CLI: on a terminal, drawn at once and redrawn on each
 * event and on a timer (which does not keep the process alive) so the spinner and the elapsed time
 * move; elsewhere (a CI log, a pipe), a header and then one plain line per event, so the log reads top
 * to bottom.
 *
 * @example
 * const display = createLiveDisplay({ stream, interactive: false, header: 'Running 2 edits\n', record: () => true, draw: () => {}, log: (event) => stream.write(`${event}\n`) });
 */
export function createLiveDisplay<Event>(parts: LiveDisplayParts<Event>): LiveDisplay<Event> {
  let frame = 0;
  let finished = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  if (parts.interactive) {
    parts.draw(frame);
    timer = setInterval(() => {
      frame += 1;
      parts.draw(frame);
    }, parts.refreshMs ?? 100);
    timer.unref?.();
  } else {
    parts.stream.write(parts.header);
  }
  return {
    update(event) {
      if (finished || !parts.record(event)) return;
      if (parts.interactive) parts.draw(frame);
      else parts.log(event);
    },
    finish() {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      if (!parts.interactive) return;
      parts.draw(frame);
      if (parts.footer) parts.stream.write(parts.footer);
    },
  };
}
