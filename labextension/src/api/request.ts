import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ApiError } from './errors';

/** Path of the API below the Jupyter server's base URL. */
export const API_PREFIX = 'openi/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query values; `undefined` ones are left out of the URL. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Absolute URL of an API path such as `orgs/acme/teams`. */
export function apiUrl(
  settings: ServerConnection.ISettings,
  path: string,
  query: Query = {}
): string {
  const url = URLExt.join(settings.baseUrl, API_PREFIX, path);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

/** Encodes one path segment (user and org names come from users). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

/**
 * Sends one request through `ServerConnection.makeRequest` (which adds the
 * Jupyter token and XSRF header) and decodes the JSON answer.
 *
 * Throws `ApiError` for a non-2xx answer and for network failures, so callers
 * handle a single error type.
 */
export async function requestJson<T>(
  settings: ServerConnection.ISettings,
  method: HttpMethod,
  path: string,
  options: { query?: Query; body?: unknown } = {}
): Promise<T> {
  const init: RequestInit = { method };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      apiUrl(settings, path, options.query),
      init,
      settings
    );
  } catch (error) {
    // A NetworkError: the server could not be reached at all.
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError(0, message);
  }
  if (!response.ok) {
    throw await ApiError.fromResponse(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
