/**
 * The signal handlers of `pnpm dev`, installed before anything else loads: a signal at any moment of start-up aborts
 * it (every node started so far is stopped), one after start-up stops the network in order, a second one kills
 * every node at once.
 */

/** Where a signal finds the run: nodes may be starting (abort the start) or running (stop them in order). */
export interface StopControl {
  startup: AbortController;
  signal?: string;
  onSignal?: (signal: string) => void;
}

/** Installed before anything else, so a signal at any moment of start-up stops what has started. */
export function installSignalHandlers(): StopControl {
  const control: StopControl = { startup: new AbortController() };
  let count = 0;
  const handle = (signal: string) => {
    count++;
    if (count > 1) {
      process.stdout.write(`\n${signal} again: killing every node now\n`);
      // The runner's exit handler SIGKILLs every node it started; their launchers die with them.
      process.exit(130);
    }
    control.signal = signal;
    if (control.onSignal) control.onSignal(signal);
    else control.startup.abort(signal);
  };
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
  // A closed terminal: the nodes, in their own process groups, would not hear it.
  process.on("SIGHUP", () => handle("SIGHUP"));
  return control;
}
