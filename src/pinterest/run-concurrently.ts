/**
 * Runs tasks with at most `limit` in flight and yields results as they complete. On the first failure no
 * new task starts; the running ones settle, then the failure is thrown (nothing is left unhandled).
 */
export async function* runConcurrently<T>(
  tasks: ReadonlyArray<() => Promise<T>>,
  limit: number
): AsyncGenerator<T> {
  let next = 0;
  let failure: {error: unknown} | undefined;
  const running = new Map<
    number,
    Promise<{id: number; ok: true; value: T} | {id: number; ok: false; error: unknown}>
  >();
  const start = () => {
    const id = next++;
    const task = tasks[id];
    if (!task) return;
    running.set(
      id,
      task().then(
        (value) => ({id, ok: true as const, value}),
        (error: unknown) => ({id, ok: false as const, error})
      )
    );
  };
  while (next < tasks.length && running.size < limit) start();
  while (running.size > 0) {
    const settled = await Promise.race(running.values());
    running.delete(settled.id);
    if (!settled.ok) failure ??= {error: settled.error};
    else if (!failure) yield settled.value;
    if (!failure && next < tasks.length) start();
  }
  if (failure) throw failure.error;
}
