import type { ServerConnection } from '@jupyterlab/services';

import type {
  IEvent,
  IExploreProject,
  IExploreProjectQuery,
  IExploreUser,
  IFeedQuery,
  IForkNetwork,
  IImageSummary,
  IIndexRow,
  IInvolvedIssue,
  IInvolvedIssueQuery,
  IInvolvedMilestone,
  IProjectIndex,
  IRecommendations,
  IRecRequest,
  IRecRequestCreate,
  ISearchQuery,
  ISearchResults,
  ISearchType,
  ITopicCount,
  ITotals,
  IWeights,
  IssueState,
  OrgSort,
  UserSort
} from './communityTypes';
import { apiUrl, requestJson, segment, type Query } from './request';
import type { IListQuery, IOrg, IPage, IProject } from './types';

/**
 * Client of the community API (`docs/community-api.md`): feeds, explore
 * lists, recommendations, unified search and the digital dashboard.
 */
export class CommunityClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  // --- activity feed -----------------------------------------------------

  /** Home page: events of public projects. */
  homeFeed(query?: IFeedQuery): Promise<IPage<IEvent>> {
    return this._get('feed', query);
  }

  /** Events of the projects I watch, plus my own actions. */
  myFeed(query?: IFeedQuery): Promise<IPage<IEvent>> {
    return this._get('feed/mine', query);
  }

  userFeed(username: string, query?: IFeedQuery): Promise<IPage<IEvent>> {
    return this._get(`users/${segment(username)}/feed`, query);
  }

  orgFeed(org: string, query?: IFeedQuery): Promise<IPage<IEvent>> {
    return this._get(`orgs/${segment(org)}/feed`, query);
  }

  projectFeed(project: string, query?: IFeedQuery): Promise<IPage<IEvent>> {
    return this._get(`projects/${projectPath(project)}/feed`, query);
  }

  // --- explore -----------------------------------------------------------

  exploreProjects(
    query?: IExploreProjectQuery
  ): Promise<IPage<IExploreProject>> {
    return this._get('explore/projects', query);
  }

  topics(limit = 30): Promise<ITopicCount[]> {
    return this._get('explore/topics', { limit });
  }

  exploreOrgs(query?: IListQuery & { sort?: OrgSort }): Promise<IPage<IOrg>> {
    return this._get('explore/orgs', query);
  }

  exploreUsers(
    query?: IListQuery & { sort?: UserSort }
  ): Promise<IPage<IExploreUser>> {
    return this._get('explore/users', query);
  }

  /** Issues or pull requests the signed-in user is involved in. */
  involvedIssues(query?: IInvolvedIssueQuery): Promise<IPage<IInvolvedIssue>> {
    return this._get('explore/issues', query);
  }

  involvedMilestones(query?: {
    state?: IssueState;
    page?: number;
    per_page?: number;
  }): Promise<IPage<IInvolvedMilestone>> {
    return this._get('explore/milestones', query);
  }

  /** Cloud-brain images (the images API). */
  images(query?: IListQuery): Promise<IPage<IImageSummary>> {
    return this._get('images', query);
  }

  /** Projects of one owner (user or organisation) that I may see. */
  ownerProjects(owner: string, query?: IListQuery): Promise<IPage<IProject>> {
    return this._get('projects', { ...query, owner });
  }

  /** Forks of a project with commits ahead / behind its default branch. */
  forkNetwork(
    project: string,
    query?: { page?: number; per_page?: number }
  ): Promise<IForkNetwork> {
    return this._get(`projects/${projectPath(project)}/fork-network`, query);
  }

  // --- recommendations ---------------------------------------------------

  recommendations(limit = 8): Promise<IRecommendations> {
    return this._get('recommendations', { limit });
  }

  /** "Submit yours": asks the admins to recommend an org or a project. */
  requestRecommendation(body: IRecRequestCreate): Promise<IRecRequest> {
    return requestJson(this.serverSettings, 'POST', 'recommendation-requests', {
      body
    });
  }

  /** Requests: admins see everyone's, others their own. */
  recommendationRequests(query?: {
    status?: 'pending' | 'approved' | 'rejected' | 'all';
    page?: number;
    per_page?: number;
  }): Promise<IPage<IRecRequest>> {
    return this._get('recommendation-requests', query);
  }

  /** Approves (admins): the target becomes a curated recommendation. */
  decideRecommendation(
    id: number,
    decision: 'approve' | 'reject',
    note = ''
  ): Promise<IRecRequest> {
    return requestJson(
      this.serverSettings,
      'POST',
      `recommendation-requests/${segment(id)}/${decision}`,
      { body: { note } }
    );
  }

  // --- unified search ----------------------------------------------------

  search(query: ISearchQuery): Promise<ISearchResults> {
    return this._get('search', query);
  }

  searchTypes(): Promise<ISearchType[]> {
    return this._get('search/types');
  }

  // --- dashboard ---------------------------------------------------------

  totals(days = 30): Promise<ITotals> {
    return this._get('dashboard/totals', { days });
  }

  indexRanking(query?: IListQuery): Promise<IPage<IIndexRow>> {
    return this._get('dashboard/index', query);
  }

  weights(): Promise<IWeights> {
    return this._get('dashboard/weights');
  }

  projectIndex(project: string, days = 90): Promise<IProjectIndex> {
    return this._get(`projects/${projectPath(project)}/openi-index`, {
      days
    });
  }

  /** Recomputes the index now (admins). */
  recomputeIndex(): Promise<{ computed_at: string; projects: number }> {
    return requestJson(
      this.serverSettings,
      'POST',
      'dashboard/index/recompute'
    );
  }

  /** URL of the ranking as CSV (a download link; carries no token). */
  indexCsvUrl(): string {
    return apiUrl(this.serverSettings, 'dashboard/index.csv');
  }

  totalsCsvUrl(days = 30): string {
    return apiUrl(this.serverSettings, 'dashboard/totals.csv', { days });
  }

  private _get<T>(path: string, query?: object): Promise<T> {
    return requestJson<T>(this.serverSettings, 'GET', path, {
      query: query as Query | undefined
    });
  }
}

/** `owner/name` → `owner/name` with each part URL-encoded. */
function projectPath(project: string): string {
  const slash = project.indexOf('/');
  return `${segment(project.slice(0, slash))}/${segment(project.slice(slash + 1))}`;
}
