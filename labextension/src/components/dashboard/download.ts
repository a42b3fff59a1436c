import { ServerConnection } from '@jupyterlab/services';

import { ApiError } from '../../api';

/**
 * Downloads `url` (an API address) as a file. It goes through
 * `ServerConnection.makeRequest` so the Jupyter token travels with it, then
 * hands the browser a blob to save.
 */
export async function downloadFile(
  settings: ServerConnection.ISettings,
  url: string,
  filename: string
): Promise<void> {
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    throw await ApiError.fromResponse(response);
  }
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
