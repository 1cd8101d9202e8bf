import type { Catalog, RefreshOutcome } from './catalog.js';

export interface RefreshLoop {
  /** Cancels the next run and waits for the one in progress, if any. */
  stop(): Promise<void>;
}

/**
 * Refreshes every location every `intervalMs`, counted from the end of the previous run so that
 * runs never overlap. `report` hears each run's outcomes, or the error that stopped the run.
 */
export function startRefreshLoop(catalog: Pick<Catalog, 'refreshAll'>, intervalMs: number, report: (outcomes: RefreshOutcome[] | Error) => void): RefreshLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      // Nothing a run does, not even a failing report, may reject: a rejection no one awaits ends
      // the process, and the next run must be scheduled whatever happened to this one.
      running = Promise.resolve()
        .then(() => catalog.refreshAll())
        .then(report, (error: unknown) => report(error instanceof Error ? error : new Error(String(error))))
        .catch(() => undefined)
        .finally(schedule);
    }, intervalMs);
    // The server's own handles keep the process alive; the loop never should on its own.
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
