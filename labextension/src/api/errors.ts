import type { IErrorBody, IFieldError } from './types';

/**
 * A failed API call. Views show `message` (the server's own words); forms can
 * map `fieldErrors` onto their inputs.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: IFieldError[] = []
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Builds an error from a non-2xx answer, tolerating non-JSON bodies. */
  static async fromResponse(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let body: Partial<IErrorBody> | undefined;
    try {
      body = text ? (JSON.parse(text) as Partial<IErrorBody>) : undefined;
    } catch {
      body = undefined;
    }
    const message =
      typeof body?.message === 'string' && body.message
        ? body.message
        : text.trim() || response.statusText || `HTTP ${response.status}`;
    const status =
      typeof body?.status === 'number' ? body.status : response.status;
    const errors = Array.isArray(body?.errors) ? body.errors : [];
    return new ApiError(status, message, errors);
  }
}

/** The text a view should show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.fieldErrors
      .map(e => `${e.field}: ${e.reason}`)
      .join('; ');
    return details ? `${error.message} (${details})` : error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
