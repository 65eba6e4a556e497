import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../../api/client';
import { useApi } from '../../api/context';
import { deleteService, type Service } from '../../api/services';

interface Props {
  service: Service;
  onCancel: () => void;
  /** Called once the service is gone (also when someone else removed it first). */
  onRemoved: (name: string, alreadyGone: boolean) => void;
}

/**
 * RemoveDialog asks before removing a service, in a modal <dialog>: the
 * browser keeps focus inside it and Escape cancels. Cancel has focus first,
 * so Enter never removes anything by accident.
 */
export function RemoveDialog({ service, onCancel, onRemoved }: Props) {
  const api = useApi();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    const dialog = ref.current;
    dialog?.showModal();
    return () => dialog?.close();
  }, []);

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteService(api, service.name);
      onRemoved(service.name, false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        onRemoved(service.name, true);
        return;
      }
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="remove-title"
      aria-describedby="remove-desc"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="remove-title">Remove {service.name}?</h2>
      <p id="remove-desc">This deletes the service from the registry. Register it again to bring it back.</p>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      <div class="confirm__actions">
        <button type="button" class="btn" onClick={onCancel} disabled={busy} autofocus>
          Cancel
        </button>
        <button type="button" class="btn btn--danger" onClick={remove} disabled={busy}>
          {busy ? 'Removing…' : 'Remove service'}
        </button>
      </div>
    </dialog>
  );
}
