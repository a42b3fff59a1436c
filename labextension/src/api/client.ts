import { ServerConnection } from '@jupyterlab/services';

import { DatasetsClient } from './datasets';
import { RepoClient } from './repo';
import { TasksClient } from './tasks';
import type { IProjectCreate } from './repoTypes';
import { requestJson, segment, type HttpMethod, type Query } from './request';
import type {
  IListQuery,
  IMember,
  IOrg,
  IOrgCreate,
  IOrgUpdate,
  IPage,
  IProject,
  IProjectQuery,
  ITeam,
  ITeamCreate,
  IToken,
  ITokenCreate,
  ITokenCreated,
  IUser,
  OrgRole
} from './types';

export interface IOpenIClientOptions {
  /** Defaults to the page's Jupyter server settings. */
  serverSettings?: ServerConnection.ISettings;
}

/**
 * Typed client of the OpenI REST API; one method per endpoint.
 *
 * This is the only place in the extension that talks to the server, so the
 * wire format and auth handling live in one module.
 */
export class OpenIClient {
  constructor(options: IOpenIClientOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this.datasets = new DatasetsClient(this.serverSettings);
    this.tasks = new TasksClient(this.serverSettings);
  }

  /** Datasets, their files, uploads and the dataset picker. */
  readonly datasets: DatasetsClient;

  /** Cloud-brain tasks and resource specs. */
  readonly tasks: TasksClient;

  /** Connection settings (base URL, token) used for every request. */
  readonly serverSettings: ServerConnection.ISettings;

  // --- users -------------------------------------------------------------

  /** The signed-in user. */
  getCurrentUser(): Promise<IUser> {
    return this._get('user');
  }

  listUsers(query?: IListQuery): Promise<IPage<IUser>> {
    return this._get('users', query);
  }

  getUser(username: string): Promise<IUser> {
    return this._get(`users/${segment(username)}`);
  }

  /** Organisations the signed-in user belongs to. */
  listMyOrgs(query?: IListQuery): Promise<IPage<IOrg>> {
    return this._get('user/orgs', query);
  }

  // --- organisations -----------------------------------------------------

  listOrgs(query?: IListQuery): Promise<IPage<IOrg>> {
    return this._get('orgs', query);
  }

  createOrg(body: IOrgCreate): Promise<IOrg> {
    return this._send('POST', 'orgs', body);
  }

  getOrg(org: string): Promise<IOrg> {
    return this._get(`orgs/${segment(org)}`);
  }

  updateOrg(org: string, body: IOrgUpdate): Promise<IOrg> {
    return this._send('PATCH', `orgs/${segment(org)}`, body);
  }

  listOrgMembers(org: string, query?: IListQuery): Promise<IPage<IMember>> {
    return this._get(`orgs/${segment(org)}/members`, query);
  }

  /** Adds a user to an organisation, or changes their role. */
  setOrgMember(org: string, username: string, role: OrgRole): Promise<IMember> {
    return this._send(
      'PUT',
      `orgs/${segment(org)}/members/${segment(username)}`,
      { role }
    );
  }

  removeOrgMember(org: string, username: string): Promise<void> {
    return this._send(
      'DELETE',
      `orgs/${segment(org)}/members/${segment(username)}`
    );
  }

  // --- teams -------------------------------------------------------------

  listTeams(org: string, query?: IListQuery): Promise<IPage<ITeam>> {
    return this._get(`orgs/${segment(org)}/teams`, query);
  }

  createTeam(org: string, body: ITeamCreate): Promise<ITeam> {
    return this._send('POST', `orgs/${segment(org)}/teams`, body);
  }

  getTeam(org: string, team: string): Promise<ITeam> {
    return this._get(`orgs/${segment(org)}/teams/${segment(team)}`);
  }

  listTeamMembers(
    org: string,
    team: string,
    query?: IListQuery
  ): Promise<IPage<IUser>> {
    return this._get(this._teamMembers(org, team), query);
  }

  addTeamMember(org: string, team: string, username: string): Promise<void> {
    return this._send(
      'PUT',
      `${this._teamMembers(org, team)}/${segment(username)}`
    );
  }

  removeTeamMember(org: string, team: string, username: string): Promise<void> {
    return this._send(
      'DELETE',
      `${this._teamMembers(org, team)}/${segment(username)}`
    );
  }

  // --- access tokens -----------------------------------------------------

  listTokens(query?: IListQuery): Promise<IPage<IToken>> {
    return this._get('user/tokens', query);
  }

  /** Creates a token; the answer carries the secret, shown only once. */
  createToken(body: ITokenCreate): Promise<ITokenCreated> {
    return this._send('POST', 'user/tokens', body);
  }

  deleteToken(id: number): Promise<void> {
    return this._send('DELETE', `user/tokens/${segment(id)}`);
  }

  // --- projects ----------------------------------------------------------

  /** Projects visible to the signed-in user (of one owner with `owner`). */
  listProjects(query?: IProjectQuery): Promise<IPage<IProject>> {
    return this._get('projects', query);
  }

  /** Projects the signed-in user starred (点赞). */
  listStarred(query?: IListQuery): Promise<IPage<IProject>> {
    return this._get('user/starred', query);
  }

  /** Creates a project with its git repository. */
  createProject(body: IProjectCreate): Promise<IProject> {
    return this._send('POST', 'projects', body);
  }

  /** The API of one project: code, issues, pull requests, settings. */
  repo(owner: string, name: string): RepoClient {
    return new RepoClient(this.serverSettings, owner, name);
  }

  getProject(owner: string, name: string): Promise<IProject> {
    return this._get(`projects/${segment(owner)}/${segment(name)}`);
  }

  // --- helpers -----------------------------------------------------------

  private _teamMembers(org: string, team: string): string {
    return `orgs/${segment(org)}/teams/${segment(team)}/members`;
  }

  private _get<T>(path: string, query?: IListQuery): Promise<T> {
    return requestJson<T>(this.serverSettings, 'GET', path, {
      query: query as Query | undefined
    });
  }

  private _send<T>(
    method: HttpMethod,
    path: string,
    body?: unknown
  ): Promise<T> {
    return requestJson<T>(this.serverSettings, method, path, { body });
  }
}
