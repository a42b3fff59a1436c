/**
 * Model registry (模型管理), lineage and pipelines: the wire types of
 * `/models`, `…/models/…`, `…/pipelines/…` (docs/models-api.md).
 */
import type {
  ComputeResource,
  ITaskParam,
  TaskKind,
  TaskStatus
} from './taskTypes';
import type { IUser } from './types';

export type ModelEngine =
  | 'PyTorch'
  | 'MindSpore'
  | 'TensorFlow'
  | 'ONNX'
  | 'PaddlePaddle'
  | 'scikit-learn'
  | 'unknown';

/** Metrics of a `metrics.json` (accuracy, f1, loss …). */
export type Metrics = Record<string, number | string>;

export interface IModelFile {
  /** `/`-separated, e.g. `weights/model.pt`. */
  path: string;
  size: number;
  sha256: string;
}

/** Where a version came from: a snapshot taken at import. */
export interface ILineage {
  /** Null once the task is gone, or for uploads. */
  task_id: number | null;
  task_name: string | null;
  task_kind: TaskKind | null;
  task_status: string | null;
  /** `owner/name` of the task's project. */
  project: string;
  branch: string | null;
  commit: string | null;
  boot_file: string | null;
  image: string | null;
  spec: string | null;
  compute: ComputeResource | null;
  params: ITaskParam[];
  dataset_file_id: number | null;
  /** `owner/project/dataset/file`. */
  dataset_path: string | null;
  dataset_sha256: string | null;
  source: 'task' | 'upload' | 'notebook';
}

/** An evaluation task that took this version, with the metrics it wrote. */
export interface IEvaluation {
  task_id: number;
  task_name: string;
  project: string;
  status: TaskStatus;
  metrics: Metrics;
  created_at: string;
  finished_at: string | null;
}

export interface IModelVersion {
  id: number;
  model: string;
  model_id: number;
  project: string;
  /** `owner/project/model@1.2.0`. */
  path: string;
  version: string;
  description: string;
  tags: string[];
  engine: ModelEngine;
  compute: ComputeResource | null;
  size: number;
  num_files: number;
  /** Detail only; `[]` in lists. */
  files: IModelFile[];
  metrics: Metrics;
  /** Detail only. */
  evaluations?: IEvaluation[];
  aliases: string[];
  lineage: ILineage;
  creator: IUser | null;
  created_at: string;
  download_count: number;
}

export interface IModel {
  id: number;
  project: string;
  name: string;
  description: string;
  num_versions: number;
  /** Newest by semver, without files. */
  latest: IModelVersion | null;
  size: number;
  engine: ModelEngine;
  compute: ComputeResource | null;
  /** alias → version. */
  aliases: Record<string, string>;
  creator: IUser | null;
  created_at: string;
  updated_at: string;
}

export interface IModelQuery {
  q?: string;
  tag?: string;
  engine?: string;
  page?: number;
  per_page?: number;
}

/** 导入新模型 / 创建新版本 from a training task. */
export interface IModelImport {
  task_id: number;
  /** Paths of the task's outputs; null = all. */
  files?: string[] | null;
  /** Null = the task's name. */
  name?: string | null;
  /** Null = the next patch (`0.0.1` for a new model). */
  version?: string | null;
  /** Space-separated. */
  tags?: string;
  description?: string;
}

/** Query of the raw-body import (`…/models/upload`). */
export interface IModelFileUpload {
  filename: string;
  name: string;
  /** Empty: the next patch. */
  version?: string;
  tags?: string;
  description?: string;
}

export interface IAliasEvent {
  alias: string;
  from_version: string | null;
  /** Null: the alias was removed. */
  to_version: string | null;
  actor: IUser | null;
  created_at: string;
}

export interface IAliases {
  aliases: Record<string, string>;
  /** Newest first. */
  history: IAliasEvent[];
}

export interface IReproduceRequest {
  name?: string | null;
  spec?: string | null;
}

export type PipelineStepKind =
  'train' | 'register' | 'evaluation' | 'inference';

export interface IPipelineStepDef {
  name: string;
  kind: PipelineStepKind;
  boot_file?: string;
  spec?: string;
  branch?: string;
  image?: string;
  dataset?: number | null;
  params?: Record<string, string | number> | ITaskParam[];
  from?: string | null;
  model?: string | null;
  files?: string[] | null;
  tags?: string;
}

export interface IPipelineDef {
  name: string;
  description: string;
  steps: IPipelineStepDef[];
}

export interface IPipelineCreate {
  name?: string | null;
  description?: string;
  definition?: IPipelineDef | null;
  path?: string | null;
  branch?: string;
}

export type StepStatus =
  'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'REUSED';

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface IPipelineStep {
  index: number;
  name: string;
  kind: PipelineStepKind;
  status: StepStatus;
  reason: string;
  task_id: number | null;
  task_name: string | null;
  task_path: string | null;
  /** `owner/project/model@1.2.0` (register steps). */
  model_version: string | null;
  model_version_id: number | null;
  reused_from_run: number | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface IPipelineRun {
  id: number;
  pipeline: string;
  project: string;
  /** 1, 2, … per pipeline. */
  number: number;
  status: RunStatus;
  reason: string;
  reuse: boolean;
  commit: string | null;
  creator: IUser | null;
  created_at: string;
  finished_at: string | null;
  steps: IPipelineStep[];
}

export interface IPipeline {
  id: number;
  project: string;
  name: string;
  description: string;
  source: 'ui' | 'repo';
  path: string | null;
  branch: string;
  definition: IPipelineDef;
  creator: IUser | null;
  created_at: string;
  updated_at: string;
  /** Without steps. */
  last_run: IPipelineRun | null;
}

/** `owner/project/model@1.2.0` → its parts, or undefined. */
export function parseVersionPath(
  path: string
): { project: string; model: string; version: string } | undefined {
  const match = /^([^/]+\/[^/]+)\/([^/@]+)@(.+)$/.exec(path);
  return match
    ? { project: match[1], model: match[2], version: match[3] }
    : undefined;
}

/** `1.2.3` → `1.2.4`; anything else (or nothing) → `0.0.1`. */
export function nextPatch(version: string | null | undefined): string {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version ?? '');
  if (!match) {
    return '0.0.1';
  }
  return `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}

/** Whether a pipeline run still runs (its view polls while it does). */
export function isRunActive(status: RunStatus): boolean {
  return status === 'RUNNING';
}
