/**
 * A node started by a runner (`pnpm dev`, the e2e and bench harnesses) stops when its runner is gone, even when the
 * runner was killed with SIGKILL or by the OOM killer and could not stop it: the runner spawns the node with one
 * end of a pipe on the fd named by `ALLORA_RUNNER_FD` and holds the other end; the kernel closes the runner's end
 * when the runner dies, and the node's end then reads end-of-file.
 */
import { Socket } from "node:net";
import { ConfigError } from "./config.js";

/** The environment variable naming the fd of the runner's pipe (the process runner sets `3`). */
export const RUNNER_FD_ENV = "ALLORA_RUNNER_FD";

/**
 * Calls `onGone` once when the runner's pipe named by `env.ALLORA_RUNNER_FD` reaches end-of-file (or fails).
 * Returns a function that stops watching; without the variable it watches nothing. The watch never keeps the
 * process alive by itself.
 */
export function watchRunner(env: NodeJS.ProcessEnv, onGone: () => void): () => void {
  const raw = env[RUNNER_FD_ENV];
  if (raw === undefined || raw === "") return () => {};
  const fd = Number(raw);
  if (!/^\d+$/.test(raw) || fd < 3 || fd > 65_535) {
    throw new ConfigError([`${RUNNER_FD_ENV} must be the number of an open fd above 2, got "${raw}"`]);
  }
  let socket: Socket;
  try {
    socket = new Socket({ fd, readable: true, writable: false });
  } catch (err) {
    throw new ConfigError([`${RUNNER_FD_ENV}=${raw} is not an open pipe: ${(err as Error).message}`]);
  }
  let done = false;
  const gone = () => {
    if (done) return;
    done = true;
    onGone();
  };
  // The runner never writes; anything that arrives is read and dropped so the pipe never fills.
  socket.on("data", () => {});
  socket.once("end", gone);
  socket.once("close", gone);
  socket.once("error", gone);
  socket.unref();
  return () => {
    done = true;
    socket.destroy();
  };
}
