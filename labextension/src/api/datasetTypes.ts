/**
 * Wire types of datasets, resumable uploads and the dataset picker
 * (`docs/datasets-api.md`), field for field.
 */
import type { IListQuery, IPage, IUser, Role, Visibility } from './types';

/** A dataset (数据集) of a project. */
export interface IDataset {
  id: number;
  /** `owner/name` of the project. */
  project: string;
  name: string;
  description: string;
  visibility: Visibility;
  creator: IUser | null;
  created_at: string;
  updated_at: string;
  num_files: number;
  total_size: number;
  /** Whether the signed-in user favourited it (收藏). */
  favorite: boolean;
  num_favorites: number;
  role: Role | null;
}

/** Body of `POST projects/{o}/{n}/datasets`. */
export interface IDatasetCreate {
  name: string;
  description?: string;
  visibility?: Visibility;
}

/** Body of `PATCH …/datasets/{dataset}`: only the fields to change. */
export type IDatasetUpdate = Partial<IDatasetCreate>;

/** Which datasets `GET datasets` lists. */
export type DatasetScope = 'all' | 'mine' | 'public' | 'favorites';

/** Query of `GET datasets`. */
export interface IDatasetQuery extends IListQuery {
  scope?: DatasetScope;
}

export type DatasetFileKind = 'zip' | 'tar.gz' | 'other';

/** One stored file of a dataset. */
export interface IDatasetFile {
  id: number;
  dataset_id: number;
  name: string;
  size: number;
  sha256: string;
  kind: DatasetFileKind;
  creator: IUser | null;
  created_at: string;
  download_count: number;
  /** `owner/project/dataset/name`. */
  path: string;
}

/** Body of `POST uploads`. */
export interface IUploadCreate {
  /** `owner/name` of the project. */
  project: string;
  dataset: string;
  filename: string;
  size: number;
  /** 64 lower-case hex digits. */
  sha256: string;
}

export type UploadStatus = 'active' | 'completed' | 'failed' | 'expired';

/** A resumable upload (tus-like). */
export interface IUpload {
  /** Opaque, URL-safe. */
  id: string;
  project: string;
  dataset: string;
  filename: string;
  size: number;
  sha256: string;
  /** Bytes the server holds. */
  offset: number;
  /** The server's preferred chunk size; the last chunk may be shorter. */
  chunk_size: number;
  status: UploadStatus;
  expires_at: string;
  created_at: string;
  /** The stored file, once completed. */
  file: IDatasetFile | null;
}

/** Danger flags of an archive member (or of the whole archive). */
export type MemberFlag =
  'zip-slip' | 'absolute' | 'symlink' | 'bomb' | 'bad-name' | 'encrypted';

/** One member of a zip or tar.gz file. */
export interface IMemberEntry {
  name: string;
  size: number;
  compressed_size: number;
  is_dir: boolean;
  flags: MemberFlag[];
  previewable: boolean;
}

/** `GET …/members`: a page of members and the archive's own flags. */
export interface IMemberList extends IPage<IMemberEntry> {
  archive_flags: MemberFlag[];
}

export type PreviewKind = 'text' | 'csv' | 'json' | 'image' | 'binary';

/** `GET …/members/preview`: the head of one member. */
export interface IPreview {
  name: string;
  kind: PreviewKind;
  /** First 64 KiB / 200 lines of text. */
  text: string | null;
  /** CSV head, 50 rows. */
  rows: string[][] | null;
  truncated: boolean;
  /** `data:image/png;base64,…` thumbnail ≤ 256 px. */
  image: string | null;
}

/** The picker's tabs: 当前项目 / 我的数据集 / 公开数据集 / 我收藏的. */
export type PickerTab = 'project' | 'mine' | 'public' | 'favorites';

/** One row of the dataset picker: a dataset FILE. */
export interface IPickerRow {
  file_id: number;
  file_name: string;
  size: number;
  sha256: string;
  kind: DatasetFileKind;
  created_at: string;
  dataset: string;
  dataset_id: number;
  /** `owner/name`. */
  project: string;
  /** `owner/project/dataset`. */
  path: string;
  /** Username of the uploader. */
  creator: string;
}

/** Query of `GET dataset-picker`. */
export interface IPickerQuery {
  /** `owner/name` of the current project. */
  project?: string;
  tab?: PickerTab;
  q?: string;
  page?: number;
  per_page?: number;
}

export interface IPickerPage extends IPage<IPickerRow> {
  /** The tab this page belongs to (the first non-empty one when none asked). */
  tab: PickerTab;
  tab_counts: Record<PickerTab, number>;
}
