/**
 * Runs tasks with up to `limit` in flight and yields their results in task order: answers are processed (and
 * committed) in the order that makes a committed cursor meaningful, while later requests already wait for budget
 * or the network. On a failure nothing new starts; the failure is thrown when its turn comes, and tasks still
 * running are left to settle with their results ignored (never an unhandled rejection).
 */
export async function* orderedPrefetch<T>(
  tasks: ReadonlyArray<() => Promise<T>>,
  limit: number
): AsyncGenerator<T> {
  const started: Promise<T>[] = [];
  let failed = false;
  const startNext = () => {
    const task = tasks[started.length];
    if (task === undefined || failed) return;
    const promise = task();
    promise.catch(() => {
      failed = true;
    });
    started.push(promise);
  };
  for (let i = 0; i < Math.max(1, limit); i++) startNext();
  for (let next = 0; next < tasks.length; next++) {
    if (next >= started.length) startNext();
    const current = started[next];
    if (current === undefined) return;
    const value = await current;
    startNext();
    yield value;
  }
}
