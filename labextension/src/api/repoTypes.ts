/**
 * Wire types of code hosting: repositories, refs, trees, files, commits,
 * diffs, releases (mirroring `openi_lab/schemas.py`).
 */
import type { IUser, Visibility } from './types';

/** Body of `POST projects`: a project with its git repository. */
export interface IProjectCreate {
  owner?: string | null;
  name: string;
  description?: string;
  visibility?: Visibility;
  auto_init?: boolean;
  gitignore?: 'python' | null;
  license?: 'mit' | 'apache-2.0' | null;
  default_branch?: string;
}

/** Body of `PATCH projects/{o}/{n}`: only the fields to change (admins). */
export interface IProjectUpdate {
  name?: string;
  description?: string;
  visibility?: Visibility;
  topics?: string[];
  archived?: boolean;
  default_branch?: string;
}

/** Body of `POST projects/{o}/{n}/forks`. */
export interface IForkCreate {
  owner?: string;
  name?: string;
  visibility?: Visibility;
}

/** Answer of `GET projects/{o}/{n}/subscription`. */
export interface IStarState {
  starred: boolean;
  watching: boolean;
  num_stars: number;
  num_watches: number;
}

/** Answer of `GET projects/{o}/{n}/counts`. */
export interface IRepoCounts {
  branches: number;
  tags: number;
  releases: number;
  open_issues: number;
  open_pulls: number;
  forks: number;
  stars: number;
  watches: number;
}

export interface ICommitInfo {
  sha: string;
  short_sha: string;
  message: string;
  summary: string;
  author_name: string;
  author_email: string;
  authored_at: string;
  committed_at: string;
  parents: string[];
}

/** A branch or a tag with the commit it points to. */
export interface IRefInfo {
  name: string;
  commit: ICommitInfo;
  protected: boolean;
  is_default: boolean;
}

export type TreeEntryType = 'file' | 'dir' | 'symlink' | 'submodule';

export interface ITreeEntry {
  name: string;
  path: string;
  type: TreeEntryType;
  size: number | null;
  sha: string;
  /** A symlink's target, shown but never followed. */
  target?: string | null;
}

export interface ITree {
  ref: string;
  commit: string;
  path: string;
  entries: ITreeEntry[];
}

/** A file at a ref; `text` is null for binary or too large files. */
export interface IFileContent {
  ref: string;
  commit: string;
  path: string;
  size: number;
  sha: string;
  is_binary: boolean;
  encoding: string | null;
  text: string | null;
  truncated: boolean;
}

/** One changed cell of a notebook diff. */
export interface ICellDiff {
  kind: string;
  cell_type?: string;
  source_diff?: string | null;
  [key: string]: unknown;
}

export interface IFileDiff {
  path: string;
  old_path?: string | null;
  status: string;
  additions: number;
  deletions: number;
  binary?: boolean;
  /** Unified diff; null when too large to show. */
  patch: string | null;
  /** Cell-level changes of a notebook, when the server computed them. */
  cells?: ICellDiff[];
}

export interface ICommitDetail extends ICommitInfo {
  files: IFileDiff[];
}

/** Safe HTML of a README, markdown file or notebook (sanitised by the server). */
export interface IRendered {
  path: string;
  html: string;
}

/** Answer of `POST projects/{o}/{n}/workspace-clone`. */
export interface IWorkspaceClone {
  /** Directory relative to the Jupyter server's root. */
  path: string;
}

export interface IReleaseAsset {
  name: string;
  size: number;
  download_url: string;
}

export interface IRelease {
  id: number;
  tag: string;
  title: string;
  notes: string;
  created_at: string;
  author: IUser | null;
  assets: IReleaseAsset[];
}
