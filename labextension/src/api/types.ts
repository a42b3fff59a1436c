/**
 * Wire types of the OpenI REST API (`<baseUrl>openi/api/v1/`).
 *
 * They mirror the JSON the Python server extension sends, field for field, so
 * that a mismatch shows up as a type error here rather than in a view.
 */

/** Visibility of an organisation or a project. */
export type Visibility = 'public' | 'private';

/** Permission a team grants on its organisation's projects. */
export type TeamPermission = 'read' | 'write' | 'admin';

/** Role of a user inside an organisation. */
export type OrgRole = 'owner' | 'member';

/** Scope of a personal access token. */
export type TokenScope = 'read' | 'write' | 'admin';

/** One page of a list endpoint. */
export interface IPage<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

/** Query parameters every list endpoint accepts. */
export interface IListQuery {
  page?: number;
  per_page?: number;
  q?: string;
}

/** Query of `GET projects`. */
export interface IProjectQuery extends IListQuery {
  owner?: string;
}

export interface IUser {
  id: number;
  username: string;
  full_name: string;
  email: string | null;
  avatar_url: string | null;
  is_admin: boolean;
  created_at: string;
}

export interface IOrg {
  id: number;
  name: string;
  full_name: string;
  description: string;
  visibility: Visibility;
  created_at: string;
  member_count: number;
  team_count: number;
  project_count: number;
}

/** Body of `POST orgs`. */
export interface IOrgCreate {
  name: string;
  full_name?: string;
  description?: string;
  visibility?: Visibility;
}

/** Body of `PATCH orgs/{org}`: only the fields to change. */
export type IOrgUpdate = Partial<Omit<IOrgCreate, 'name'>>;

export interface ITeam {
  id: number;
  org: string;
  name: string;
  description: string;
  permission: TeamPermission;
  member_count: number;
  created_at: string;
}

/** Body of `POST orgs/{org}/teams`. */
export interface ITeamCreate {
  name: string;
  description?: string;
  permission?: TeamPermission;
}

/** A member of an organisation. */
export interface IMember {
  user: IUser;
  role: OrgRole;
}

/** The caller's role on a resource: read < write < admin < owner. */
export type Role = 'read' | 'write' | 'admin' | 'owner';

export interface IProject {
  id: number;
  owner: string;
  name: string;
  full_name: string;
  description: string;
  visibility: Visibility;
  created_at: string;
  updated_at: string;
  role?: Role | null;
  default_branch?: string;
  is_archived?: boolean;
  /** `owner/name` of the project this one was forked from. */
  fork_parent?: string | null;
  topics?: string[];
  num_stars?: number;
  num_forks?: number;
  num_watches?: number;
  pushed_at?: string | null;
  /** Git remote below the server's base URL: `openi/git/<owner>/<name>.git`. */
  clone_path?: string;
}

export interface IToken {
  id: number;
  name: string;
  scopes: TokenScope[];
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
}

/** Answer of `POST user/tokens`; `token` is shown only this once. */
export interface ITokenCreated extends IToken {
  token: string;
}

/** Body of `POST user/tokens`. */
export interface ITokenCreate {
  name: string;
  scopes: TokenScope[];
  expires_in_days?: number | null;
}

/** One field-level problem in an error answer. */
export interface IFieldError {
  field: string;
  reason: string;
}

/** Body of every non-2xx answer. */
export interface IErrorBody {
  status: number;
  message: string;
  errors?: IFieldError[];
}
