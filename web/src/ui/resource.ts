import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { isAbort } from '../api/client';

/**
 * Resource is data a page loads: while reloading, the last data stays
 * (no flicker); after a failure it stays too, next to the error.
 */
export type Resource<T> =
  | { state: 'loading'; data: T | undefined }
  | { state: 'ok'; data: T }
  | { state: 'error'; error: Error; data: T | undefined };

/**
 * useResource runs load when the component mounts and whenever a value in
 * deps changes, aborting the previous run; reload runs it again. Answers to
 * superseded runs are dropped, so a slow early answer never overwrites a
 * later one.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): [Resource<T>, () => void] {
  const [res, setRes] = useState<Resource<T>>({ state: 'loading', data: undefined });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ctl = new AbortController();
    setRes((r) => ({ state: 'loading', data: r.data }));
    loadRef.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setRes({ state: 'ok', data });
      },
      (err: unknown) => {
        if (ctl.signal.aborted || isAbort(err)) return;
        setRes((r) => ({ state: 'error', error: err instanceof Error ? err : new Error(String(err)), data: r.data }));
      },
    );
    return () => ctl.abort();
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [res, reload];
}

/**
 * useRefresh calls refresh every intervalMs while the page is visible, and
 * at once when it becomes visible again, so a dashboard left open in a
 * background tab does not poll the API for nobody.
 */
export function useRefresh(refresh: () => void, intervalMs: number): void {
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(refresh, intervalMs);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        refresh();
        start();
      } else {
        stop();
      }
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refresh, intervalMs]);
}
