import { ServerConnection } from '@jupyterlab/services';

import type {
  IDataset,
  IDatasetCreate,
  IDatasetFile,
  IDatasetQuery,
  IDatasetUpdate,
  IMemberList,
  IPickerPage,
  IPickerQuery,
  IPreview,
  IUpload,
  IUploadCreate
} from './datasetTypes';
import { ApiError } from './errors';
import {
  apiUrl,
  requestJson,
  segment,
  type HttpMethod,
  type Query
} from './request';
import type { IListQuery, IPage } from './types';

/** `owner/name` → `projects/owner/name`, each part encoded. */
function projectPath(project: string): string {
  const [owner, ...rest] = project.split('/');
  return `projects/${segment(owner)}/${segment(rest.join('/'))}`;
}

/**
 * Datasets (数据集), their files and archive previews, resumable uploads and
 * the dataset picker (`docs/datasets-api.md`). Projects are named
 * `owner/name`, as the API's bodies name them.
 */
export class DatasetsClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  /**
   * Calls `listener` after each successful change (a dataset created, a file
   * uploaded…), so lists elsewhere, such as the sidebar's, can reload;
   * returns the function that unsubscribes.
   */
  onChanged(listener: () => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  // --- datasets ----------------------------------------------------------

  /** Datasets visible to me: all, mine (I created), public, favourites. */
  list(query?: IDatasetQuery): Promise<IPage<IDataset>> {
    return this._get('datasets', query as Query);
  }

  listOfProject(project: string, query?: IListQuery): Promise<IPage<IDataset>> {
    return this._get(`${projectPath(project)}/datasets`, query as Query);
  }

  create(project: string, body: IDatasetCreate): Promise<IDataset> {
    return this._send('POST', `${projectPath(project)}/datasets`, body);
  }

  get(project: string, dataset: string): Promise<IDataset> {
    return this._get(this._dataset(project, dataset));
  }

  update(
    project: string,
    dataset: string,
    body: IDatasetUpdate
  ): Promise<IDataset> {
    return this._send('PATCH', this._dataset(project, dataset), body);
  }

  /** 409 when one of its files is in use (the message names the user). */
  delete(project: string, dataset: string): Promise<void> {
    return this._send('DELETE', this._dataset(project, dataset));
  }

  /** Favourites (收藏) or un-favourites a dataset. */
  setFavorite(
    project: string,
    dataset: string,
    favorite: boolean
  ): Promise<IDataset> {
    return this._send(
      favorite ? 'PUT' : 'DELETE',
      `${this._dataset(project, dataset)}/favorite`
    );
  }

  // --- files -------------------------------------------------------------

  listFiles(
    project: string,
    dataset: string,
    query?: IListQuery
  ): Promise<IPage<IDatasetFile>> {
    return this._get(
      `${this._dataset(project, dataset)}/files`,
      query as Query
    );
  }

  /** 409 when a task or a model's lineage uses the file. */
  deleteFile(project: string, dataset: string, fileId: number): Promise<void> {
    return this._send('DELETE', this._file(project, dataset, fileId));
  }

  /** URL of the file's bytes (cookie-authenticated, for links). */
  downloadUrl(project: string, dataset: string, fileId: number): string {
    return apiUrl(
      this.serverSettings,
      `${this._file(project, dataset, fileId)}/download`
    );
  }

  /** Members of a zip or tar.gz file (422 for other files). */
  members(
    project: string,
    dataset: string,
    fileId: number,
    query?: IListQuery
  ): Promise<IMemberList> {
    return this._get(
      `${this._file(project, dataset, fileId)}/members`,
      query as Query
    );
  }

  /** The head of one archive member (422 for flagged members). */
  preview(
    project: string,
    dataset: string,
    fileId: number,
    name: string
  ): Promise<IPreview> {
    return this._get(
      `${this._file(project, dataset, fileId)}/members/preview`,
      { name }
    );
  }

  // --- uploads -----------------------------------------------------------

  /**
   * Starts an upload. Check `status` first: a file with the same sha256
   * already stored completes at once (`completed`, `file` set).
   */
  createUpload(body: IUploadCreate): Promise<IUpload> {
    return this._send('POST', 'uploads', body);
  }

  getUpload(id: string): Promise<IUpload> {
    return this._get(`uploads/${segment(id)}`);
  }

  /**
   * Sends one chunk at `offset` (`PATCH uploads/{id}` with `Upload-Offset`);
   * answers the upload with its new offset. 409: the offset is not the
   * server's (ask `getUpload`).
   */
  async sendChunk(
    id: string,
    offset: number,
    chunk: Blob,
    signal?: AbortSignal
  ): Promise<IUpload> {
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        apiUrl(this.serverSettings, `uploads/${segment(id)}`),
        {
          method: 'PATCH',
          body: chunk,
          signal,
          headers: {
            'Content-Type': 'application/offset+octet-stream',
            'Upload-Offset': String(offset)
          }
        },
        this.serverSettings
      );
    } catch (error) {
      if (signal?.aborted) {
        throw error;
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, message);
    }
    if (!response.ok) {
      throw await ApiError.fromResponse(response);
    }
    return (await response.json()) as IUpload;
  }

  /** Finishes an upload whose offset reached its size (422: sha256). */
  completeUpload(id: string): Promise<IUpload> {
    return this._send('POST', `uploads/${segment(id)}/complete`);
  }

  /** Aborts an upload; its parts are removed. */
  deleteUpload(id: string): Promise<void> {
    return this._send('DELETE', `uploads/${segment(id)}`);
  }

  // --- picker ------------------------------------------------------------

  /** One page of the dataset picker (rows are files). */
  picker(query: IPickerQuery): Promise<IPickerPage> {
    return this._get('dataset-picker', query as Query);
  }

  // --- helpers -----------------------------------------------------------

  private _dataset(project: string, dataset: string): string {
    return `${projectPath(project)}/datasets/${segment(dataset)}`;
  }

  private _file(project: string, dataset: string, fileId: number): string {
    return `${this._dataset(project, dataset)}/files/${segment(fileId)}`;
  }

  private _get<T>(path: string, query?: Query): Promise<T> {
    return requestJson<T>(this.serverSettings, 'GET', path, { query });
  }

  private async _send<T>(
    method: HttpMethod,
    path: string,
    body?: unknown
  ): Promise<T> {
    const answer = await requestJson<T>(this.serverSettings, method, path, {
      body
    });
    this._listeners.forEach(listener => listener());
    return answer;
  }

  private readonly _listeners = new Set<() => void>();
}
