import { ServerConnection } from '@jupyterlab/services';

import type { ITask } from '../../api';
import { requestJson } from '../../api/request';

/** Where a workspace notebook comes from (`GET workspace/origin`). */
export interface IWorkspaceOrigin {
  path: string;
  /** In a git clone whose remote is a project of this platform. */
  in_project: boolean;
  /** `owner/name` of that project. */
  project: string | null;
  /** The clone's folder, relative to the Jupyter root. */
  repo_path: string | null;
  branch: string | null;
  commit: string | null;
  /** The notebook's path inside the repository. */
  file: string | null;
  /** Changed or untracked files of the clone. */
  dirty: string[];
  /** HEAD is what the remote branch holds. */
  pushed: boolean;
}

/** The calls of "Run as training task" beyond the task API itself. */
export class OneClickApi {
  constructor(readonly settings: ServerConnection.ISettings) {}

  origin(path: string): Promise<IWorkspaceOrigin> {
    return requestJson(this.settings, 'GET', 'workspace/origin', {
      query: { path }
    });
  }

  /** Commit every change of the clone holding `path`, push its branch. */
  commitPush(path: string, message: string): Promise<IWorkspaceOrigin> {
    return requestJson(this.settings, 'POST', 'workspace/commit-push', {
      body: { path, message }
    });
  }

  /** The user's most recent task, or null. */
  lastTask(): Promise<ITask | null> {
    return requestJson(this.settings, 'GET', 'tasks/last');
  }
}
