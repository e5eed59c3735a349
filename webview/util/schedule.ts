/**
 * Long work on the webview's main thread, cut into tasks short enough that
 * input and painting are never held up for long (a "long task" is > 50 ms).
 */

/** Chromium's scheduler.yield() (it resumes ahead of other queued tasks); a timeout elsewhere. */
export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves once the next frame has been rendered, so work after it lands in a task of its own. */
export function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * Runs `work` on each item, yielding to the main thread whenever a slice has
 * run `budgetMs`; stops (returning false) as soon as `cancelled()` says so.
 */
export async function inSlices<T>(items: Iterable<T>, work: (item: T) => void, cancelled: () => boolean, budgetMs = 8): Promise<boolean> {
  let sliceStart = performance.now();
  for (const item of items) {
    if (performance.now() - sliceStart > budgetMs) {
      await yieldToMain();
      sliceStart = performance.now();
    }
    if (cancelled()) return false;
    work(item);
  }
  return !cancelled();
}
