/**
 * Waiting, with a deadline and progress, until a head sees this worker connected and subscribed to each of its
 * topics: the readiness signal of `allocmd run` (a probe, never a sleep).
 */
import { sightWorker } from "@allora/devnet/readiness";
import { createHeadClient, errorMessage, workerTopicName } from "@allora/protocol";
import { CliError } from "../errors.js";
import { formatMs } from "../output.js";

/** Options of {@link waitForWorker}. */
export interface WaitForWorkerOptions {
  headUrl: string;
  peerId: string;
  topics: readonly number[];
  timeoutMs: number;
  progress: (text: string) => void;
  /** Called on every poll; throw to stop waiting (e.g. the container exited). */
  check?: () => Promise<void>;
  /** Text added to the timeout error (e.g. the worker's last log lines). */
  onTimeout?: () => Promise<string>;
}

/** Resolves once the head lists the worker as subscribed to every topic. */
export async function waitForWorker(options: WaitForWorkerOptions): Promise<number> {
  const head = createHeadClient(options.headUrl, { timeoutMs: 3000 });
  const started = Date.now();
  const wanted = options.topics.map((t) => workerTopicName(t));
  let lastState = "";
  let lastReport = 0;
  for (;;) {
    let state: string;
    try {
      const sighting = sightWorker(await head.status(), options.peerId, wanted);
      if (sighting.state === "serving") return Date.now() - started;
      state =
        sighting.state === "unsubscribed"
          ? `the head sees the worker, waiting for its subscription to ${sighting.missing.join(", ")}`
          : "the head is up, waiting for the worker to connect";
    } catch (err) {
      state = `waiting for the head at ${options.headUrl} (${errorMessage(err).split(":").slice(-1)[0]?.trim()})`;
    }
    if (options.check) await options.check();
    const elapsed = Date.now() - started;
    if (state !== lastState || elapsed - lastReport > 10_000) {
      options.progress(`  ${state} (${formatMs(elapsed)})`);
      lastState = state;
      lastReport = elapsed;
    }
    if (elapsed > options.timeoutMs) {
      const extra = options.onTimeout ? await options.onTimeout() : "";
      throw new CliError(
        "WAIT_TIMEOUT",
        `the worker was not serving its topics within ${formatMs(options.timeoutMs)}: ${state}${extra ? `\n${extra}` : ""}`,
        { hint: "`allocmd logs` shows why; `allocmd doctor` checks Docker, ports, keys and versions" },
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
