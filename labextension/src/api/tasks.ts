import { ServerConnection } from '@jupyterlab/services';

import {
  apiUrl,
  requestJson,
  segment,
  type HttpMethod,
  type Query
} from './request';
import type {
  IResourceSpec,
  ITask,
  ITaskCreate,
  ITaskLog,
  ITaskOutput,
  ITaskQuery
} from './taskTypes';
import type { IPage } from './types';

/** `owner/name` → `projects/owner/name/tasks`, each part encoded. */
function tasksPath(project: string): string {
  const [owner, ...rest] = project.split('/');
  return `projects/${segment(owner)}/${segment(rest.join('/'))}/tasks`;
}

/**
 * Cloud-brain tasks (云脑任务) and resource specs (规格). Projects are named
 * `owner/name`.
 */
export class TasksClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  /** Resource specs, each with whether this server can run it. */
  specs(): Promise<IResourceSpec[]> {
    return this._get('specs');
  }

  /** Tasks of a project, newest first. */
  list(project: string, query?: ITaskQuery): Promise<IPage<ITask>> {
    return this._get(tasksPath(project), query as Query);
  }

  create(project: string, body: ITaskCreate): Promise<ITask> {
    return this._send('POST', tasksPath(project), body);
  }

  /** A task with its status history. */
  get(project: string, id: number): Promise<ITask> {
    return this._get(this._task(project, id));
  }

  /** 409 while it runs. */
  delete(project: string, id: number): Promise<void> {
    return this._send('DELETE', this._task(project, id));
  }

  stop(project: string, id: number): Promise<ITask> {
    return this._send('POST', `${this._task(project, id)}/stop`);
  }

  /** 再次调试: a new task with the same settings. */
  rerun(project: string, id: number): Promise<ITask> {
    return this._send('POST', `${this._task(project, id)}/rerun`);
  }

  /** Log text from a byte offset. */
  logs(project: string, id: number, offset = 0): Promise<ITaskLog> {
    return this._get(`${this._task(project, id)}/logs`, { offset });
  }

  logDownloadUrl(project: string, id: number): string {
    return apiUrl(
      this.serverSettings,
      `${this._task(project, id)}/logs/download`
    );
  }

  outputs(project: string, id: number): Promise<ITaskOutput[]> {
    return this._get(`${this._task(project, id)}/outputs`);
  }

  outputDownloadUrl(project: string, id: number, path: string): string {
    return apiUrl(
      this.serverSettings,
      `${this._task(project, id)}/outputs/download`,
      { path }
    );
  }

  private _task(project: string, id: number): string {
    return `${tasksPath(project)}/${segment(id)}`;
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
