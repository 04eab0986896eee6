/**
 * A reply someone else delivers later, with a deadline: the shape of every request/response over a stream, a
 * session or a child process's stdin. The caller gets a promise and hands the {@link ReplySettler} to whatever
 * routes the answer; the timer is cleared however the wait ends, and `onTimeout` names the failure (and may clean
 * up: drop the entry from a pending map, abort the stream, kill the child).
 */

/** Settles a pending reply; the first call wins, later ones do nothing. */
export interface ReplySettler<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/** What {@link awaitReply} needs. */
export interface AwaitReplyInit<T> {
  /** How long to wait before giving up. */
  timeoutMs: number;
  /** Called once when the deadline passes; returns the error the promise rejects with. */
  onTimeout: () => Error;
  /** Called at once with the settler: store it where the answer will arrive, and send the request. */
  register: (settler: ReplySettler<T>) => void;
}

/**
 * Waits for a reply delivered through a {@link ReplySettler}. If `register` throws, the promise rejects with that
 * error and the timer is cleared.
 */
export function awaitReply<T>(init: AwaitReplyInit<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(init.onTimeout());
    }, init.timeoutMs);
    const settler: ReplySettler<T> = {
      resolve: (value) => settle(() => resolve(value)),
      reject: (err) => settle(() => reject(err)),
    };
    try {
      init.register(settler);
    } catch (err) {
      settler.reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
