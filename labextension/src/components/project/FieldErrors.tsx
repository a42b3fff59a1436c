import * as React from 'react';

import { ApiError, errorMessage } from '../../api';
import type { IFieldError } from '../../api';

/** Field errors of a failed request, keyed by the last part of the field. */
export function fieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (error instanceof ApiError) {
    error.fieldErrors.forEach((e: IFieldError) => {
      // Fields may come as `body.name`; forms know them as `name`.
      const key = e.field.split('.').pop() ?? e.field;
      result[key] = result[key] ? `${result[key]}; ${e.reason}` : e.reason;
    });
  }
  return result;
}

/** The message under one form field, if the server named it. */
export function FieldError(props: {
  errors: Record<string, string>;
  field: string;
}): JSX.Element | null {
  const reason = props.errors[props.field];
  if (!reason) {
    return null;
  }
  return (
    <div
      className="openi-FieldError"
      role="alert"
      data-testid={`openi-field-error-${props.field}`}
    >
      {reason}
    </div>
  );
}

/** The form-level message of a failed request (the server's own words). */
export function FormError(props: { error: unknown }): JSX.Element | null {
  if (props.error === undefined) {
    return null;
  }
  const message =
    props.error instanceof ApiError
      ? props.error.message
      : errorMessage(props.error);
  return (
    <div
      className="openi-ErrorLine"
      role="alert"
      data-testid="openi-form-error"
    >
      {message}
    </div>
  );
}
