/** Requests per second that `concurrency` clients get for `seconds`, each sending again as soon as it has an answer. */
export async function measureThroughput(
  send: () => Promise<boolean>,
  concurrency: number,
  seconds: number,
): Promise<{ requests_per_second: number; failed: number }> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        if (await send()) done++;
        else failed++;
      }
    }),
  );
  return { requests_per_second: Math.round((done / ((performance.now() - started) / 1000)) * 10) / 10, failed };
}
