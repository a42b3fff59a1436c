import type { IEditorServices } from '@jupyterlab/codeeditor';
import type { IRenderMime } from '@jupyterlab/rendermime';
import * as React from 'react';

import type {
  IPickerRow,
  IProject,
  IRepoCounts,
  OpenIClient,
  RepoClient
} from '../../api';
import type { UploadManager } from '../../datasets/uploads';
import type { ITrans } from '../../i18n';

/** What the project views need from JupyterLab; set once per widget. */
export interface IOpenIEnv {
  client: OpenIClient;
  trans: ITrans;
  /** For read-only code editors; null falls back to preformatted text. */
  editorServices: IEditorServices | null;
  /** JupyterLab's HTML sanitizer, for markdown rendered in the browser. */
  sanitizer: IRenderMime.ISanitizer | null;
  /** JupyterLab's markdown parser (marked), when available. */
  markdownParser: IRenderMime.IMarkdownParser | null;
  /** Shows a workspace folder in the file browser. */
  openFolder(path: string): void;
  /** Opens (or reveals) the view of a project. */
  openProject(owner: string, name: string): void;
  /** Resumable dataset uploads of this page. */
  uploads: UploadManager;
  /** Opens the page of a dataset (`project` is `owner/name`). */
  openDataset(project: string, dataset: string): void;
  /** The dataset picker dialog (`openi:pick-dataset`); undefined: cancelled. */
  pickDataset(project: string): Promise<IPickerRow | undefined>;
  /** A project's activity feed or fork network (`openi:open-project-activity`). */
  openProjectCommunity?(project: string, tab: 'activity' | 'forks'): void;
}

export const EnvContext = React.createContext<IOpenIEnv | null>(null);

export function useEnv(): IOpenIEnv {
  const env = React.useContext(EnvContext);
  if (!env) {
    throw new Error('OpenI views need an EnvContext provider');
  }
  return env;
}

/** The open project, shared by its tabs. */
export interface IProjectState {
  repo: RepoClient;
  project: IProject;
  counts: IRepoCounts | undefined;
  /** Whether the caller may change settings (role admin or owner). */
  isAdmin: boolean;
  /** Reloads the project and its counts (after a change). */
  reload(): void;
}

export const ProjectContext = React.createContext<IProjectState | null>(null);

export function useProject(): IProjectState {
  const state = React.useContext(ProjectContext);
  if (!state) {
    throw new Error('project views need a ProjectContext provider');
  }
  return state;
}
