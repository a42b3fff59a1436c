import type { ServerConnection } from '@jupyterlab/services';

import {
  apiUrl,
  requestJson,
  segment,
  type HttpMethod,
  type Query
} from './request';
import type {
  ICommitDetail,
  ICommitInfo,
  IFileContent,
  IFileDiff,
  IForkCreate,
  IProjectUpdate,
  IRefInfo,
  IRelease,
  IRendered,
  IRepoCounts,
  IStarState,
  ITree,
  IWorkspaceClone
} from './repoTypes';
import type {
  IBoard,
  IComment,
  IIssue,
  IIssueCreate,
  IIssueQuery,
  IIssueUpdate,
  IPull,
  IPullCreate,
  MergeMethod
} from './trackerTypes';
import type { IPage, IProject } from './types';

/**
 * The API of one project (`projects/{owner}/{name}/…`): code, issues, pull
 * requests, releases, settings. Get one with `OpenIClient.repo(owner, name)`.
 */
export class RepoClient {
  constructor(
    readonly serverSettings: ServerConnection.ISettings,
    readonly owner: string,
    readonly name: string
  ) {}

  /** `owner/name`. */
  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  // --- the project -------------------------------------------------------

  get(): Promise<IProject> {
    return this._get('');
  }

  update(body: IProjectUpdate): Promise<IProject> {
    return this._send('PATCH', '', body);
  }

  delete(): Promise<void> {
    return this._send('DELETE', '');
  }

  counts(): Promise<IRepoCounts> {
    return this._get('/counts');
  }

  subscription(): Promise<IStarState> {
    return this._get('/subscription');
  }

  /** Stars (点赞) or unstars the project. */
  setStar(on: boolean): Promise<IProject> {
    return this._send(on ? 'PUT' : 'DELETE', '/star');
  }

  /** Watches (关注) or unwatches the project. */
  setWatch(on: boolean): Promise<IProject> {
    return this._send(on ? 'PUT' : 'DELETE', '/watch');
  }

  /** Forks (派生) the project; `{}` forks into the caller's account. */
  fork(body: IForkCreate = {}): Promise<IProject> {
    return this._send('POST', '/forks', body);
  }

  /** Clones the repository into the Jupyter workspace at `path`. */
  workspaceClone(path: string): Promise<IWorkspaceClone> {
    return this._send('POST', '/workspace-clone', { path });
  }

  // --- code --------------------------------------------------------------

  branches(): Promise<IRefInfo[]> {
    return this._get('/branches');
  }

  tags(): Promise<IRefInfo[]> {
    return this._get('/tags');
  }

  tree(ref: string | undefined, path: string): Promise<ITree> {
    return this._get('/tree', { ref, path });
  }

  file(ref: string | undefined, path: string): Promise<IFileContent> {
    return this._get('/file', { ref, path });
  }

  /** The README as safe HTML (404 when there is none). */
  readme(ref: string | undefined): Promise<IRendered> {
    return this._get('/readme', { ref });
  }

  /** A markdown file or notebook as safe HTML. */
  render(ref: string | undefined, path: string): Promise<IRendered> {
    return this._get('/render', { ref, path });
  }

  commits(
    ref: string | undefined,
    path: string,
    page: number
  ): Promise<IPage<ICommitInfo>> {
    return this._get('/commits', { ref, path, page });
  }

  commit(sha: string): Promise<ICommitDetail> {
    return this._get(`/commits/${segment(sha)}`);
  }

  releases(): Promise<IRelease[]> {
    return this._get('/releases');
  }

  /** Download URL of a file (for binary or large files). */
  rawUrl(ref: string | undefined, path: string): string {
    return this._url('/raw', { ref, path, download: 1 });
  }

  /** Source archive of a ref. */
  archiveUrl(ref: string, format: 'zip' | 'tar.gz'): string {
    return this._url('/archive', { ref, format });
  }

  // --- issues ------------------------------------------------------------

  issues(query: IIssueQuery): Promise<IPage<IIssue>> {
    return this._get('/issues', query as Query);
  }

  issue(number: number): Promise<IIssue> {
    return this._get(`/issues/${segment(number)}`);
  }

  createIssue(body: IIssueCreate): Promise<IIssue> {
    return this._send('POST', '/issues', body);
  }

  updateIssue(number: number, body: IIssueUpdate): Promise<IIssue> {
    return this._send('PATCH', `/issues/${segment(number)}`, body);
  }

  /** Comments of an issue or a pull request. */
  comments(number: number, page = 1): Promise<IPage<IComment>> {
    return this._get(`/issues/${segment(number)}/comments`, { page });
  }

  addComment(number: number, body: string): Promise<IComment> {
    return this._send('POST', `/issues/${segment(number)}/comments`, {
      body
    });
  }

  board(): Promise<IBoard> {
    return this._get('/board');
  }

  moveCard(
    number: number,
    columnId: number,
    position: number
  ): Promise<IBoard> {
    return this._send('PUT', `/board/issues/${segment(number)}`, {
      column_id: columnId,
      position
    });
  }

  // --- pull requests -----------------------------------------------------

  pulls(query: IIssueQuery): Promise<IPage<IPull>> {
    return this._get('/pulls', query as Query);
  }

  pull(number: number): Promise<IPull> {
    return this._get(`/pulls/${segment(number)}`);
  }

  createPull(body: IPullCreate): Promise<IPull> {
    return this._send('POST', '/pulls', body);
  }

  pullFiles(number: number): Promise<IFileDiff[]> {
    return this._get(`/pulls/${segment(number)}/files`);
  }

  async pullCommits(number: number): Promise<ICommitInfo[]> {
    // A plain list or a page: accept both shapes.
    const answer = await this._get<ICommitInfo[] | IPage<ICommitInfo>>(
      `/pulls/${segment(number)}/commits`
    );
    return Array.isArray(answer) ? answer : answer.items;
  }

  merge(number: number, method: MergeMethod): Promise<IPull> {
    return this._send('POST', `/pulls/${segment(number)}/merge`, { method });
  }

  // --- helpers -----------------------------------------------------------

  private _path(suffix: string): string {
    return `projects/${segment(this.owner)}/${segment(this.name)}${suffix}`;
  }

  private _url(suffix: string, query: Query): string {
    return apiUrl(this.serverSettings, this._path(suffix), query);
  }

  private _get<T>(suffix: string, query?: Query): Promise<T> {
    return requestJson<T>(this.serverSettings, 'GET', this._path(suffix), {
      query
    });
  }

  private _send<T>(
    method: HttpMethod,
    suffix: string,
    body?: unknown
  ): Promise<T> {
    return requestJson<T>(this.serverSettings, method, this._path(suffix), {
      body
    });
  }
}
