/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and returns the results in
 * the order of `items`. For file-system work: libuv's thread pool runs a few operations
 * at once, so a change of hundreds of files done one await at a time spends most of its
 * time idle, while an unbounded `Promise.all` could run out of file descriptors.
 *
 * Every item is settled before this returns (nothing is still running behind the caller's
 * back); if any call failed, the first failure in item order is thrown.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/** How many file-system operations to keep in flight (a few per libuv thread). */
export const FS_CONCURRENCY = 16;
