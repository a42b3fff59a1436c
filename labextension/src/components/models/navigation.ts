/**
 * How model views open other pages (a version, a task, a commit, a
 * dataset). The models plugin sets it once at activation: the project view
 * is built by the projects plugin, so the Models tab cannot receive
 * JupyterLab's commands through props without changing every view above it.
 */
export interface IModelNavigation {
  /** Opens the page of one model version in the main area. */
  openVersion(project: string, model: string, version: string): void;
  /** Opens a task's page (`project` is `owner/name`). */
  openTask(project: string, id: number): void;
  /** Opens a commit of the project's repository in the code browser. */
  openCommit(project: string, sha: string): void;
  /** Opens the page of a dataset. */
  openDataset(project: string, dataset: string): void;
}

let current: IModelNavigation | null = null;

/** Called by the models plugin. */
export function setModelNavigation(navigation: IModelNavigation): void {
  current = navigation;
}

/** The navigation, or null where the plugin did not start (links hide). */
export function modelNavigation(): IModelNavigation | null {
  return current;
}
