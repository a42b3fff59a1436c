import { ServerConnection } from '@jupyterlab/services';

import { ApiError } from './errors';
import {
  apiUrl,
  requestJson,
  segment,
  type HttpMethod,
  type Query
} from './request';
import type {
  IAliases,
  IModel,
  IModelFileUpload,
  IModelImport,
  IModelQuery,
  IModelVersion,
  IPipeline,
  IPipelineCreate,
  IPipelineRun,
  IReproduceRequest
} from './modelTypes';
import type { ITask } from './taskTypes';
import type { IPage } from './types';

/** `owner/name` → `projects/owner/name`, each part encoded. */
function projectPath(project: string): string {
  const [owner, ...rest] = project.split('/');
  return `projects/${segment(owner)}/${segment(rest.join('/'))}`;
}

/**
 * Model registry (模型管理), lineage and pipelines (docs/models-api.md).
 * Projects are named `owner/name`; a `version` may be a semver, an alias
 * or `latest`.
 */
export class ModelsClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  // --- models ------------------------------------------------------------

  /** Models of every project the caller can read, newest updated first. */
  listAll(query?: IModelQuery): Promise<IPage<IModel>> {
    return this._get('models', query as Query);
  }

  list(project: string, query?: IModelQuery): Promise<IPage<IModel>> {
    return this._get(this._models(project), query as Query);
  }

  /** 导入新模型 from a training task. */
  importFromTask(project: string, body: IModelImport): Promise<IModelVersion> {
    return this._send('POST', this._models(project), body);
  }

  /**
   * Imports one file (a `.zip` is expanded) sent as the request body: the
   * quick path for files up to 100 MiB.
   */
  async uploadFile(
    project: string,
    file: Blob,
    params: IModelFileUpload
  ): Promise<IModelVersion> {
    const url = apiUrl(this.serverSettings, `${this._models(project)}/upload`, {
      ...params
    });
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        {
          method: 'POST',
          body: file,
          headers: { 'Content-Type': 'application/octet-stream' }
        },
        this.serverSettings
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, message);
    }
    if (!response.ok) {
      throw await ApiError.fromResponse(response);
    }
    return (await response.json()) as IModelVersion;
  }

  get(project: string, model: string): Promise<IModel> {
    return this._get(this._model(project, model));
  }

  /** Deletes the model with every version. */
  delete(project: string, model: string): Promise<void> {
    return this._send('DELETE', this._model(project, model));
  }

  // --- versions ----------------------------------------------------------

  /** Versions, newest semver first (without files). */
  versions(
    project: string,
    model: string,
    query?: { tag?: string; page?: number; per_page?: number }
  ): Promise<IPage<IModelVersion>> {
    return this._get(`${this._model(project, model)}/versions`, query);
  }

  /** 创建新版本 from a training task (`name` is ignored). */
  createVersion(
    project: string,
    model: string,
    body: IModelImport
  ): Promise<IModelVersion> {
    return this._send('POST', `${this._model(project, model)}/versions`, body);
  }

  /** A version with files, evaluations, lineage and aliases. */
  version(
    project: string,
    model: string,
    version: string
  ): Promise<IModelVersion> {
    return this._get(this._version(project, model, version));
  }

  /** The model goes with its last version. */
  deleteVersion(
    project: string,
    model: string,
    version: string
  ): Promise<void> {
    return this._send('DELETE', this._version(project, model, version));
  }

  /** The version's files as a zip, or one file when `path` is given. */
  downloadUrl(
    project: string,
    model: string,
    version: string,
    path?: string
  ): string {
    return apiUrl(
      this.serverSettings,
      `${this._version(project, model, version)}/download`,
      { path }
    );
  }

  /** A new training task with exactly the version's lineage. */
  reproduce(
    project: string,
    model: string,
    version: string,
    body: IReproduceRequest = {}
  ): Promise<ITask> {
    return this._send(
      'POST',
      `${this._version(project, model, version)}/reproduce`,
      body
    );
  }

  // --- aliases -----------------------------------------------------------

  /** Aliases and their history, newest first. */
  aliases(project: string, model: string): Promise<IAliases> {
    return this._get(`${this._model(project, model)}/aliases`);
  }

  setAlias(
    project: string,
    model: string,
    alias: string,
    version: string
  ): Promise<IAliases> {
    return this._send('PUT', this._alias(project, model, alias), { version });
  }

  removeAlias(project: string, model: string, alias: string): Promise<void> {
    return this._send('DELETE', this._alias(project, model, alias));
  }

  // --- pipelines ---------------------------------------------------------

  pipelines(
    project: string,
    query?: { page?: number; per_page?: number }
  ): Promise<IPage<IPipeline>> {
    return this._get(`${projectPath(project)}/pipelines`, query);
  }

  createPipeline(project: string, body: IPipelineCreate): Promise<IPipeline> {
    return this._send('POST', `${projectPath(project)}/pipelines`, body);
  }

  deletePipeline(project: string, pipeline: string): Promise<void> {
    return this._send('DELETE', this._pipeline(project, pipeline));
  }

  /** Runs, newest first, with their steps. */
  runs(
    project: string,
    pipeline: string,
    query?: { page?: number; per_page?: number }
  ): Promise<IPage<IPipelineRun>> {
    return this._get(`${this._pipeline(project, pipeline)}/runs`, query);
  }

  /** 一键运行; `reuse` keeps steps whose inputs did not change. */
  run(project: string, pipeline: string, reuse = false): Promise<IPipelineRun> {
    return this._send('POST', `${this._pipeline(project, pipeline)}/runs`, {
      reuse
    });
  }

  getRun(project: string, id: number): Promise<IPipelineRun> {
    return this._get(`${projectPath(project)}/pipeline-runs/${segment(id)}`);
  }

  cancelRun(project: string, id: number): Promise<IPipelineRun> {
    return this._send(
      'POST',
      `${projectPath(project)}/pipeline-runs/${segment(id)}/cancel`
    );
  }

  // --- paths -------------------------------------------------------------

  private _models(project: string): string {
    return `${projectPath(project)}/models`;
  }

  private _model(project: string, model: string): string {
    return `${this._models(project)}/${segment(model)}`;
  }

  private _version(project: string, model: string, version: string): string {
    return `${this._model(project, model)}/versions/${segment(version)}`;
  }

  private _alias(project: string, model: string, alias: string): string {
    return `${this._model(project, model)}/aliases/${segment(alias)}`;
  }

  private _pipeline(project: string, pipeline: string): string {
    return `${projectPath(project)}/pipelines/${segment(pipeline)}`;
  }

  private _get<T>(path: string, query?: Query): Promise<T> {
    return requestJson<T>(this.serverSettings, 'GET', path, { query });
  }

  private _send<T>(
    method: HttpMethod,
    path: string,
    body?: unknown
  ): Promise<T> {
    return requestJson<T>(this.serverSettings, method, path, { body });
  }
}

const clients = new WeakMap<ServerConnection.ISettings, ModelsClient>();

/**
 * The models client of a connection (one per server settings), so views
 * need only the shared `OpenIClient` they already receive.
 */
export function modelsClient(owner: {
  serverSettings: ServerConnection.ISettings;
}): ModelsClient {
  let client = clients.get(owner.serverSettings);
  if (!client) {
    client = new ModelsClient(owner.serverSettings);
    clients.set(owner.serverSettings, client);
  }
  return client;
}
