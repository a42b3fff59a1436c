import { ServerConnection } from '@jupyterlab/services';

import { requestJson, segment, type HttpMethod, type Query } from './request';
import type { IPage, IUser, Visibility } from './types';

/** Where a task's Python comes from. */
export type ImageEnvironment = 'server' | 'requirements';

export type EnvState = 'missing' | 'building' | 'ready' | 'failed';

/** The environment of an image (shared by images with the same requirements). */
export interface IImageEnv {
  key: string | null;
  state: EnvState;
  builds: number;
  python: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** The end of the build log, while building and after a failure. */
  log_tail: string;
}

/** 云脑镜像: configured once, used by anyone's tasks. */
export interface IImage {
  id: number;
  owner: string;
  name: string;
  /** `owner/name`: what a task's `image` names. */
  full_name: string;
  description: string;
  visibility: Visibility;
  container_image: string;
  environment: ImageEnvironment;
  requirements: string;
  env: IImageEnv;
  creator: IUser | null;
  created_at: string;
  updated_at: string;
  can_edit: boolean;
}

export interface IImageCreate {
  owner?: string;
  name: string;
  description?: string;
  visibility?: Visibility;
  container_image?: string;
  environment?: ImageEnvironment;
  requirements?: string;
}

export interface IImageBuildLog {
  key: string | null;
  state: EnvState;
  text: string;
}

export interface IImageQuery {
  q?: string;
  owner?: string;
  page?: number;
  per_page?: number;
}

/** The built-in image: the Python this server runs on. */
export const LOCAL_IMAGE = 'local';

/** Cloud-brain images (云脑镜像) and the builds of their environments. */
export class ImagesClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  /** Public images, yours and your organisations', recently updated first. */
  list(query?: IImageQuery): Promise<IPage<IImage>> {
    return requestJson(this.serverSettings, 'GET', 'images', {
      query: query as Query
    });
  }

  get(id: number): Promise<IImage> {
    return this._send('GET', `images/${segment(id)}`);
  }

  create(body: IImageCreate): Promise<IImage> {
    return this._send('POST', 'images', body);
  }

  update(id: number, body: Partial<IImageCreate>): Promise<IImage> {
    return this._send('PATCH', `images/${segment(id)}`, body);
  }

  /** 409 while a task that has not ended uses it. */
  delete(id: number): Promise<void> {
    return this._send('DELETE', `images/${segment(id)}`);
  }

  /** Build the environment now (once per content; a failed one is retried). */
  build(id: number): Promise<IImageEnv> {
    return this._send('POST', `images/${segment(id)}/build`);
  }

  buildLog(id: number): Promise<IImageBuildLog> {
    return this._send('GET', `images/${segment(id)}/build/log`);
  }

  private _send<T>(
    method: HttpMethod,
    path: string,
    body?: unknown
  ): Promise<T> {
    return requestJson<T>(this.serverSettings, method, path, { body });
  }
}
