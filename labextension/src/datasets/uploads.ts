/**
 * Resumable uploads of dataset files (`POST uploads`, `PATCH uploads/{id}`,
 * `POST uploads/{id}/complete`), shared by every view of the page.
 *
 * The upload ids of unfinished uploads are kept in `localStorage`, so after a
 * page reload the views list them with "Resume" (the user selects the same
 * file again; name, size and modification time must match) and "Cancel".
 */
import {
  ApiError,
  type DatasetsClient,
  type IDatasetFile,
  type IUpload
} from '../api';
import { sha256OfBlob } from './sha256';

/** Where an upload stands. */
export type UploadPhase =
  | 'hashing'
  | 'starting'
  | 'uploading'
  | 'completing'
  | 'completed'
  /** Known from an earlier page or a lost connection: needs "Resume". */
  | 'interrupted'
  | 'error';

/** One upload as the views show it. */
export interface IUploadItem {
  /** Local id (stable across reloads once the server gave an id). */
  readonly key: string;
  readonly uploadId?: string;
  /** `owner/name` of the project. */
  readonly project: string;
  readonly dataset: string;
  readonly fileName: string;
  readonly size: number;
  readonly lastModified: number;
  readonly phase: UploadPhase;
  /** Bytes hashed so far (phase `hashing`). */
  readonly hashed: number;
  /** Bytes the server holds. */
  readonly offset: number;
  /** Bytes per second while sending, 0 otherwise. */
  readonly speed: number;
  /** The reason of phase `error` or `interrupted` (often an `ApiError`). */
  readonly error?: unknown;
  /** Completed without sending bytes: the server had the same content. */
  readonly dedup?: boolean;
  readonly file?: IDatasetFile;
  /** Whether this page holds the `File` (false after a reload). */
  readonly hasFile: boolean;
}

/** What `localStorage` keeps of an unfinished upload. */
interface IStoredUpload {
  uploadId: string;
  fileName: string;
  size: number;
  lastModified: number;
  project: string;
  dataset: string;
}

const STORAGE_KEY = 'openi_lab:uploads';

/** Identity of a file for resuming: name, size and modification time. */
export function sameFile(
  item: Pick<IUploadItem, 'fileName' | 'size' | 'lastModified'>,
  file: File
): boolean {
  return (
    item.fileName === file.name &&
    item.size === file.size &&
    item.lastModified === file.lastModified
  );
}

/** Thrown by `resume` when the chosen file is not the one of the upload. */
export class FileMismatchError extends Error {
  constructor() {
    super('The chosen file is not the one being uploaded');
    this.name = 'FileMismatchError';
  }
}

export class UploadManager {
  constructor(
    private readonly _client: DatasetsClient,
    private readonly _storage: Storage | null = UploadManager._localStorage()
  ) {
    for (const stored of this._load()) {
      this._items.push({
        key: stored.uploadId,
        uploadId: stored.uploadId,
        project: stored.project,
        dataset: stored.dataset,
        fileName: stored.fileName,
        size: stored.size,
        lastModified: stored.lastModified,
        phase: 'interrupted',
        hashed: stored.size,
        offset: 0,
        speed: 0,
        hasFile: false
      });
    }
    this._snapshot = [...this._items];
    void this._refreshStored();
  }

  /** The current uploads (a new array after every change). */
  readonly snapshot = (): readonly IUploadItem[] => this._snapshot;

  /** Calls `listener` after every change; returns the unsubscribe. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  };

  /** Hashes `file`, then uploads it into `project`'s `dataset`. */
  start(project: string, dataset: string, file: File): string {
    const key = `local-${++UploadManager._counter}-${Date.now()}`;
    this._items.push({
      key,
      project,
      dataset,
      fileName: file.name,
      size: file.size,
      lastModified: file.lastModified,
      phase: 'hashing',
      hashed: 0,
      offset: 0,
      speed: 0,
      hasFile: true
    });
    this._files.set(key, file);
    this._emit();
    void this._run(key, file);
    return key;
  }

  /**
   * Continues an unfinished upload from the server's offset. `file` must be
   * the same file (name, size, modification time) — else
   * `FileMismatchError`; it may be left out while this page still holds it.
   */
  resume(key: string, file?: File): void {
    const item = this._find(key);
    const chosen = file ?? this._files.get(key);
    if (!item || !chosen) {
      return;
    }
    if (!sameFile(item, chosen)) {
      throw new FileMismatchError();
    }
    this._files.set(key, chosen);
    this._update(key, {
      hasFile: true,
      phase: item.uploadId ? 'starting' : 'hashing',
      error: undefined
    });
    void this._run(key, chosen);
  }

  /** Aborts an upload (`DELETE uploads/{id}`) and forgets it. */
  async cancel(key: string): Promise<void> {
    const item = this._find(key);
    if (!item) {
      return;
    }
    this._aborts.get(key)?.abort();
    this._forget(key);
    if (item.uploadId && item.phase !== 'completed') {
      await this._client.deleteUpload(item.uploadId).catch(error => {
        // Already gone (expired, failed) is what we wanted.
        if (!(error instanceof ApiError && [404, 410].includes(error.status))) {
          throw error;
        }
      });
    }
  }

  /** Removes a finished or failed upload from the list. */
  dismiss(key: string): void {
    this._forget(key);
  }

  // --- the work ----------------------------------------------------------

  /** Asks the server where the uploads of an earlier page stand. */
  private async _refreshStored(): Promise<void> {
    const waiting = this._items.filter(
      i => i.phase === 'interrupted' && i.uploadId
    );
    for (const item of waiting) {
      try {
        const upload = await this._client.getUpload(item.uploadId!);
        if (upload.status === 'active') {
          this._update(item.key, { offset: upload.offset });
        } else if (upload.status === 'completed') {
          this._finish(item.key, upload, false);
        } else {
          this._unstore(upload.id);
          this._update(item.key, {
            phase: 'error',
            error: new ApiError(410, `upload ${upload.status}`)
          });
        }
      } catch (error) {
        if (error instanceof ApiError && [404, 410].includes(error.status)) {
          this._unstore(item.uploadId!);
          this._update(item.key, { phase: 'error', error });
        }
      }
    }
  }

  private async _run(key: string, file: File): Promise<void> {
    const abort = new AbortController();
    this._aborts.get(key)?.abort();
    this._aborts.set(key, abort);
    const { signal } = abort;
    try {
      let upload: IUpload;
      const item = this._find(key)!;
      if (item.uploadId) {
        upload = await this._client.getUpload(item.uploadId);
      } else {
        let lastEmit = 0;
        const sha256 = await sha256OfBlob(
          file,
          hashed => {
            // Hashing is fast: a few repaints per second are enough.
            const now = Date.now();
            if (now - lastEmit > 100 || hashed === file.size) {
              lastEmit = now;
              this._update(key, { hashed });
            }
          },
          signal
        );
        this._update(key, { phase: 'starting', hashed: file.size });
        upload = await this._client.createUpload({
          project: item.project,
          dataset: item.dataset,
          filename: file.name,
          size: file.size,
          sha256
        });
        if (signal.aborted) {
          return;
        }
        this._update(key, { uploadId: upload.id });
      }
      if (upload.status === 'completed') {
        this._finish(key, upload, true);
        return;
      }
      if (upload.status !== 'active') {
        // failed or expired: nothing more can happen to it.
        this._unstore(upload.id);
        this._update(key, {
          phase: 'error',
          error: new ApiError(410, `upload ${upload.status}`)
        });
        return;
      }
      this._store(key, upload.id);
      await this._send(key, file, upload, signal);
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      this._fail(key, error);
    } finally {
      if (this._aborts.get(key) === abort) {
        this._aborts.delete(key);
      }
    }
  }

  /** Sends the chunks from the server's offset, then completes. */
  private async _send(
    key: string,
    file: File,
    upload: IUpload,
    signal: AbortSignal
  ): Promise<void> {
    let offset = upload.offset;
    const chunkSize = Math.max(1, upload.chunk_size || 8 * 1024 * 1024);
    const started = Date.now();
    let sent = 0;
    let conflicts = 0;
    this._update(key, { phase: 'uploading', offset, speed: 0 });
    while (offset < file.size) {
      const end = Math.min(offset + chunkSize, file.size);
      try {
        const answer = await this._client.sendChunk(
          upload.id,
          offset,
          file.slice(offset, end),
          signal
        );
        sent += answer.offset - offset;
        offset = answer.offset;
      } catch (error) {
        if (
          error instanceof ApiError &&
          error.status === 409 &&
          conflicts++ < 3
        ) {
          // Our offset is stale: continue from the server's.
          offset = (await this._client.getUpload(upload.id)).offset;
          continue;
        }
        throw error;
      }
      if (signal.aborted) {
        return;
      }
      const seconds = (Date.now() - started) / 1000;
      this._update(key, {
        offset,
        speed: seconds > 0 ? sent / seconds : 0
      });
    }
    this._update(key, { phase: 'completing', speed: 0 });
    const done = await this._client.completeUpload(upload.id);
    this._finish(key, done, false);
  }

  private _finish(key: string, upload: IUpload, dedup: boolean): void {
    this._unstore(upload.id);
    this._files.delete(key);
    this._update(key, {
      phase: 'completed',
      offset: upload.size,
      hashed: upload.size,
      speed: 0,
      dedup,
      file: upload.file ?? undefined,
      hasFile: false
    });
  }

  private _fail(key: string, error: unknown): void {
    const item = this._find(key);
    if (!item) {
      return;
    }
    // A lost connection can be resumed; answers of the server are final.
    const resumable = error instanceof ApiError && error.status === 0;
    if (!resumable && item.uploadId) {
      this._unstore(item.uploadId);
      // A failed completion (sha256, name taken) leaves nothing to resume.
      void this._client.deleteUpload(item.uploadId).catch(() => undefined);
    }
    this._update(key, {
      phase: resumable && item.uploadId ? 'interrupted' : 'error',
      speed: 0,
      error
    });
  }

  // --- state -------------------------------------------------------------

  private _find(key: string): IUploadItem | undefined {
    return this._items.find(i => i.key === key);
  }

  private _update(key: string, patch: Partial<IUploadItem>): void {
    const index = this._items.findIndex(i => i.key === key);
    if (index >= 0) {
      this._items[index] = { ...this._items[index], ...patch };
      this._emit();
    }
  }

  private _forget(key: string): void {
    const item = this._find(key);
    if (item?.uploadId) {
      this._unstore(item.uploadId);
    }
    this._files.delete(key);
    this._items = this._items.filter(i => i.key !== key);
    this._emit();
  }

  private _emit(): void {
    this._snapshot = [...this._items];
    for (const listener of this._listeners) {
      listener();
    }
  }

  // --- localStorage ------------------------------------------------------

  private _load(): IStoredUpload[] {
    try {
      const raw = this._storage?.getItem(STORAGE_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed)
        ? (parsed as IStoredUpload[]).filter(
            s => typeof s?.uploadId === 'string' && typeof s.size === 'number'
          )
        : [];
    } catch {
      return [];
    }
  }

  private _save(records: IStoredUpload[]): void {
    try {
      this._storage?.setItem(STORAGE_KEY, JSON.stringify(records));
    } catch {
      // Private mode or a full quota: uploads still work, without resuming.
    }
  }

  private _store(key: string, uploadId: string): void {
    const item = this._find(key);
    if (!item) {
      return;
    }
    const records = this._load().filter(r => r.uploadId !== uploadId);
    records.push({
      uploadId,
      fileName: item.fileName,
      size: item.size,
      lastModified: item.lastModified,
      project: item.project,
      dataset: item.dataset
    });
    this._save(records);
  }

  private _unstore(uploadId: string): void {
    this._save(this._load().filter(r => r.uploadId !== uploadId));
  }

  private static _localStorage(): Storage | null {
    try {
      return typeof window !== 'undefined' ? window.localStorage : null;
    } catch {
      return null;
    }
  }

  private static _counter = 0;
  private _items: IUploadItem[] = [];
  private _snapshot: readonly IUploadItem[];
  private readonly _files = new Map<string, File>();
  private readonly _aborts = new Map<string, AbortController>();
  private readonly _listeners = new Set<() => void>();
}
