/** Cloud-brain tasks (云脑任务): the wire types of `/specs` and `…/tasks`. */

export type TaskKind = 'debug' | 'train' | 'inference' | 'evaluation';

export type TaskStatus =
  'WAITING' | 'RUNNING' | 'STOPPING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';

export type ComputeResource = 'CPU' | 'GPU' | 'NPU';

/** 规格: what one task gets, and whether this server can serve it. */
export interface IResourceSpec {
  id: string;
  compute: ComputeResource;
  accelerator: string | null;
  cards: number;
  cpu: number;
  memory_gib: number;
  accelerator_memory_gib: number;
  /** Seconds; 0 means no limit. */
  time_limit: number;
  queue: string;
  label: string;
  available: boolean;
  reason: string;
}

export interface ITaskParam {
  name: string;
  value: string;
}

export interface ITaskCreate {
  kind: TaskKind;
  name: string;
  description?: string;
  branch?: string;
  image?: string;
  spec: string;
  /** A `.py` script or `.ipynb` notebook of the repository, or `sh:…`. */
  boot_file: string;
  /** A dataset file id. */
  dataset?: number | null;
  params?: ITaskParam[];
  /** Run this notebook (file name + nbformat JSON) instead of a repo file. */
  snapshot?: { name: string; content: unknown } | null;
}

export interface ITaskEvent {
  status: TaskStatus;
  reason: string;
  created_at: string;
}

export interface ITaskCreator {
  username: string;
  [key: string]: unknown;
}

export interface ITask {
  id: number;
  project: string;
  kind: TaskKind;
  name: string;
  description: string;
  branch: string;
  commit: string;
  image: string;
  spec: string;
  compute: ComputeResource;
  boot_file: string;
  dataset: number | null;
  dataset_path?: string | null;
  params: ITaskParam[];
  creator: ITaskCreator | null;
  status: TaskStatus;
  reason: string;
  exit_code: number | null;
  devices: string[];
  node: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Seconds run (so far, while running). */
  duration: number | null;
  events: ITaskEvent[];
  /** File name of the notebook snapshot run (null: a file of the repo). */
  snapshot_name?: string | null;
  snapshot_sha256?: string | null;
}

export interface ITaskQuery {
  kind?: TaskKind;
  status?: TaskStatus;
  page?: number;
  per_page?: number;
}

/** Log text from byte `offset`; poll again from `next_offset` until `done`. */
export interface ITaskLog {
  offset: number;
  next_offset: number;
  text: string;
  size: number;
  done: boolean;
}

export interface ITaskOutput {
  path: string;
  size: number;
}

/** Whether a task still waits or runs (the list refreshes while any does). */
export function isActive(status: TaskStatus): boolean {
  return status === 'WAITING' || status === 'RUNNING' || status === 'STOPPING';
}
