/** Tabs of the Explore page (探索), in display order; titles are msgids. */
export const EXPLORE_TABS = [
  { key: 'projects', title: 'Projects' },
  { key: 'orgs', title: 'Organisations' },
  { key: 'users', title: 'Users' },
  { key: 'images', title: 'Images' },
  { key: 'issues', title: 'Issues' },
  { key: 'pulls', title: 'Pull requests' },
  { key: 'milestones', title: 'Milestones' },
  { key: 'activity', title: 'Activity' },
  { key: 'requests', title: 'Recommendation requests' }
] as const;

export type ExploreTab = (typeof EXPLORE_TABS)[number]['key'];

/** A tab key from a command argument; unknown → the projects square. */
export function exploreTab(value: unknown): ExploreTab {
  const found = EXPLORE_TABS.find(t => t.key === value);
  return found ? found.key : 'projects';
}
