import type { ComponentChildren } from 'preact';

import './field.css';

/** The attributes that tie an input to its label, hint and error. */
export interface FieldControl {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

interface Props {
  id: string;
  label: string;
  /** Marks the field optional in its label. */
  optional?: boolean;
  hint?: string;
  error?: string | undefined;
  children: (control: FieldControl) => ComponentChildren;
}

/**
 * Field is one labelled form control with its hint and error. The error
 * sits right under the control, is announced with it (aria-describedby) and
 * carries an icon and text, not only a red border.
 */
export function Field({ id, label, optional, hint, error, children }: Props) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label class="field__label" for={id}>
        {label}
        {optional && <span class="field__optional"> (optional)</span>}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error && (
        <p class="field__error" id={errorId}>
          <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M8 3.5v6M8 12.2v.3" />
          </svg>
          {error}
        </p>
      )}
      {hint && (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
