/**
 * How community views (feed, search results, explore lists, people pages,
 * the dashboard) open other pages. The community plugin sets it once at
 * activation: the sidebar is built by another plugin, so its sections cannot
 * receive JupyterLab's commands through props without changing every view
 * above them. Where the plugin did not start, links render as plain text.
 */
export interface ICommunityNavigation {
  /** Opens (or reveals) the view of a project, optionally on one of its tabs. */
  openProject(owner: string, name: string, tab?: string): void;
  /** Opens the page of a dataset (`project` is `owner/name`). */
  openDataset(project: string, dataset: string): void;
  /** Opens a user's page. */
  openUser(username: string): void;
  /** Opens an organisation's page. */
  openOrg(name: string): void;
  /** Opens the owner of a project: an organisation or a user. */
  openOwner(name: string): void;
  /** Opens the search results page for `query` (optionally on one type). */
  search(query: string, type?: string): void;
  /** Opens the Explore page on one of its tabs. */
  openExplore(tab?: string): void;
  /** Opens a project's activity (动态) or its fork network (派生). */
  openProjectCommunity(project: string, tab?: 'activity' | 'forks'): void;
  /** Opens the digital dashboard, optionally on one project's index. */
  openDashboard(project?: string): void;
}

let current: ICommunityNavigation | null = null;

/** Called by the community plugin. */
export function setCommunityNavigation(navigation: ICommunityNavigation): void {
  current = navigation;
}

/** The navigation, or null where the plugin did not start (links hide). */
export function communityNavigation(): ICommunityNavigation | null {
  return current;
}
