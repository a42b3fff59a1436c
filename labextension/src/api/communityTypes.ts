/**
 * Wire types of the community API (issue #7, `docs/community-api.md`):
 * activity feed, explore lists, recommendations, unified search and the
 * digital dashboard with the OpenI index.
 */
import type { IOrg, IProject, IUser } from './types';

/** Kinds of activity events. */
export type EventKind =
  | 'push'
  | 'fork'
  | 'star'
  | 'release'
  | 'issue_opened'
  | 'issue_closed'
  | 'issue_reopened'
  | 'issue_commented'
  | 'pull_opened'
  | 'pull_closed'
  | 'pull_reopened'
  | 'pull_merged'
  | 'dataset_uploaded'
  | 'task_created'
  | 'task_finished'
  | 'model_imported';

/** What a link inside an event sentence or a search hit points at. */
export type LinkKind =
  | 'user'
  | 'org'
  | 'project'
  | 'issue'
  | 'pull'
  | 'release'
  | 'branch'
  | 'dataset'
  | 'task'
  | 'model';

/** A substring of an event's sentence to render as a link. */
export interface IEventLink {
  text: string;
  kind: LinkKind;
  /** `username`, `owner/name`, `owner/name#12`, `owner/name/dataset` … */
  ref: string;
}

/** One activity event (开源项目动态). */
export interface IEvent {
  id: number;
  kind: EventKind;
  actor: { username: string; full_name: string } | null;
  /** `owner/name`. */
  project: string | null;
  created_at: string;
  args: Record<string, unknown>;
  text_en: string;
  text_zh: string;
  links: IEventLink[];
}

export interface IFeedQuery {
  page?: number;
  per_page?: number;
  /** Comma-separated kinds. */
  kind?: string;
}

/** A project of the explore lists: the project plus its index. */
export interface IExploreProject extends IProject {
  openi_index: number | null;
  owner_kind: 'user' | 'org';
}

export type ProjectSort =
  'updated' | 'stars' | 'forks' | 'index' | 'created' | 'name';

export interface IExploreProjectQuery {
  q?: string;
  topic?: string;
  sort?: ProjectSort;
  page?: number;
  per_page?: number;
}

export interface ITopicCount {
  topic: string;
  count: number;
}

export type OrgSort = 'projects' | 'members' | 'created' | 'name';
export type UserSort = 'created' | 'name' | 'projects';

export interface IExploreUser extends IUser {
  project_count: number;
}

export type IssueState = 'open' | 'closed' | 'all';
export type Involvement = 'created' | 'assigned' | 'commented';

export interface IInvolvedIssueQuery {
  type?: 'issues' | 'pulls';
  filter?: 'all' | Involvement;
  state?: IssueState;
  page?: number;
  per_page?: number;
}

/** An issue or pull request the signed-in user is involved in. */
export interface IInvolvedIssue {
  id: number;
  project: string;
  number: number;
  title: string;
  state: 'open' | 'closed';
  is_pull: boolean;
  author: string | null;
  comments: number;
  created_at: string;
  updated_at: string;
  involvement: Involvement[];
}

export interface IInvolvedMilestone {
  id: number;
  project: string;
  title: string;
  state: 'open' | 'closed';
  due_on: string | null;
  open_issues: number;
  closed_issues: number;
  updated_at: string;
}

export interface IRecommendedOrg extends IOrg {
  curated: boolean;
}

export interface IRecommendedProject extends IExploreProject {
  curated: boolean;
}

export interface IRecommendations {
  orgs: IRecommendedOrg[];
  projects: IRecommendedProject[];
}

/** Body of `POST recommendation-requests` ("submit yours"). */
export interface IRecRequestCreate {
  kind: 'org' | 'project';
  /** `org` or `owner/name`. */
  target: string;
  reason: string;
}

export interface IRecRequest extends IRecRequestCreate {
  id: number;
  status: 'pending' | 'approved' | 'rejected';
  requester: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  note: string;
}

/** A cloud-brain image (云脑镜像), as the images endpoint lists it. */
export interface IImageSummary {
  id: number;
  owner: string;
  name: string;
  full_name: string;
  description: string;
  visibility: 'public' | 'private';
  container_image: string;
  environment: string;
  env?: { state: string; python?: string | null };
  creator?: { username: string } | null;
  updated_at: string;
}

/** A fork and how far it moved from its parent (派生). */
export interface IForkInfo {
  project: IExploreProject;
  /** The fork's default branch. */
  branch: string;
  /** Commits on the fork the parent's default branch lacks (null: no branch). */
  ahead_by: number | null;
  behind_by: number | null;
  last_commit: string | null;
  pushed_at: string | null;
}

export interface IForkNetwork {
  project: string;
  parent: string | null;
  default_branch: string;
  total: number;
  page: number;
  per_page: number;
  items: IForkInfo[];
}

// --- unified search ---------------------------------------------------------

export type SearchSort = 'relevance' | 'updated' | 'created';

export interface ISearchQuery {
  q: string;
  type?: string;
  sort?: SearchSort;
  page?: number;
  per_page?: number;
  per_group?: number;
}

export interface ISearchHit {
  type: string;
  id: number;
  /** Link target, as in event links. */
  ref: string;
  project: string | null;
  title: string;
  /** Escaped text with matches in `<mark>`; safe to insert as HTML. */
  title_html: string;
  snippet_html: string;
  created_at: string;
  updated_at: string;
}

export interface ISearchGroup {
  type: string;
  count: number;
  items: ISearchHit[];
}

export interface ISearchResults {
  q: string;
  type: string;
  sort: SearchSort;
  counts: Record<string, number>;
  total: number;
  page: number;
  per_page: number;
  items: ISearchHit[];
  groups: ISearchGroup[];
}

export interface ISearchType {
  type: string;
  label_en: string;
  label_zh: string;
}

// --- dashboard and the OpenI index -----------------------------------------

export interface ITotals {
  users: number;
  orgs: number;
  projects: number;
  public_projects: number;
  datasets: number;
  dataset_files: number;
  models: number | null;
  tasks: number;
  tasks_by_compute: Record<string, number>;
  tasks_by_status: Record<string, number>;
  compute_hours_per_day: Array<{ day: string; hours: Record<string, number> }>;
  computed_at: string;
}

export type DimensionKey =
  | 'impact'
  | 'completeness'
  | 'liveness'
  | 'project_health'
  | 'team_health'
  | 'growth';

export interface IIndexRow {
  project: string;
  rank: number;
  index: number;
  dimensions: Record<DimensionKey, number>;
  computed_at: string;
}

export interface ISignalScore {
  key: string;
  name_en: string;
  name_zh: string;
  weight: number;
  raw: number;
  normalised: number;
  contribution: number;
}

export interface IDimensionScore {
  key: DimensionKey;
  name_en: string;
  name_zh: string;
  weight: number;
  score: number;
  contribution: number;
  signals: ISignalScore[];
}

export interface IProjectIndex {
  project: string;
  index: number;
  rank: number;
  total_projects: number;
  computed_at: string;
  dimensions: IDimensionScore[];
  history: Array<{ day: string; index: number; rank: number }>;
}

export interface IWeights {
  dimensions: Array<{
    key: DimensionKey;
    name_en: string;
    name_zh: string;
    weight: number;
    signals: Array<{
      key: string;
      name_en: string;
      name_zh: string;
      weight: number;
    }>;
  }>;
}
