/**
 * LoadError says that something could not be loaded, why, and offers to try
 * again: every page fails the same way, announced to screen readers.
 */
export function LoadError({ what, error, onRetry }: { what: string; error: Error; onRetry: () => void }) {
  return (
    <div class="alert alert-row" role="alert">
      <span>
        Could not load {what}: {error.message}
      </span>
      <button type="button" class="btn btn--quiet" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
