import { useState } from 'preact/hooks';

import { ApiError } from '../../api/client';
import { useApi } from '../../api/context';
import { createService, serviceStatuses, serviceTypes, type Service } from '../../api/services';
import { Field } from '../../ui/Field';
import { emptyForm, placeError, toRequest, type FieldErrors, type FormField, type ServiceForm } from './form';

/** Input ids, in the order the form shows them (focus goes to the first error). */
const ids: Record<FormField, string> = {
  name: 'svc-name',
  type: 'svc-type',
  status: 'svc-status',
  ownerTeam: 'svc-owner',
  labels: 'svc-labels',
};

/**
 * RegisterForm registers a service. Errors the API reports land next to
 * the field they name, in the API's own words.
 */
export function RegisterForm({ onRegistered }: { onRegistered: (svc: Service) => void }) {
  const api = useApi();
  const [form, setForm] = useState<ServiceForm>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const set = (field: FormField) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setForm((f) => ({ ...f, [field]: value }));
    if (errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
  };

  const fail = (fields: FieldErrors, message: string | undefined) => {
    setErrors(fields);
    setFormError(message);
    const first = (Object.keys(ids) as FormField[]).find((f) => fields[f]);
    if (first) document.getElementById(ids[first])?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const req = toRequest(form);
    if (!req.ok) {
      fail(req.errors, undefined);
      return;
    }
    setBusy(true);
    try {
      const svc = await createService(api, req.value);
      setForm(emptyForm);
      setErrors({});
      setFormError(undefined);
      onRegistered(svc);
      document.getElementById(ids.name)?.focus();
    } catch (err) {
      if (err instanceof ApiError) {
        const placed = placeError(err);
        fail(placed.fields, placed.form);
      } else {
        fail({}, err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="register-form" onSubmit={submit} noValidate aria-labelledby="register-title">
      <Field id={ids.name} label="Name" hint="Lower-case letters, digits, '.', '_' and '-'; up to 63 characters." error={errors.name}>
        {(c) => (
          <input {...c} name="name" value={form.name} onInput={set('name')} required autocomplete="off" autocapitalize="none" spellcheck={false} />
        )}
      </Field>
      <div class="register-form__row">
        <Field id={ids.type} label="Type" error={errors.type}>
          {(c) => (
            <select {...c} name="type" value={form.type} onChange={set('type')}>
              {serviceTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={ids.status} label="Status" error={errors.status}>
          {(c) => (
            <select {...c} name="status" value={form.status} onChange={set('status')}>
              {serviceStatuses.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field id={ids.ownerTeam} label="Owner team" optional error={errors.ownerTeam}>
        {(c) => <input {...c} name="owner_team" value={form.ownerTeam} onInput={set('ownerTeam')} autocomplete="off" />}
      </Field>
      <Field id={ids.labels} label="Labels" optional hint="One key=value per line, e.g. env=prod." error={errors.labels}>
        {(c) => <textarea {...c} name="labels" rows={3} value={form.labels} onInput={set('labels')} spellcheck={false} />}
      </Field>
      {formError && (
        <p class="alert" role="alert">
          {formError}
        </p>
      )}
      <div>
        <button type="submit" class="btn btn--primary" disabled={busy}>
          {busy ? 'Registering…' : 'Register service'}
        </button>
      </div>
    </form>
  );
}
