import * as React from 'react';

import { CommunityWidget, type ICommunityEnv, useCommunity } from './context';
import { ExploreOrgs, ExploreImages, ExploreUsers } from './ExploreLists';
import { ExploreProjects } from './ExploreProjects';
import { EXPLORE_TABS, type ExploreTab } from './exploreTabs';
import { FeedList } from './FeedList';
import { InvolvedIssues, InvolvedMilestones } from './InvolvedLists';
import { RecommendationRequests } from './RecommendationRequests';

/** Home / watching activity, paged with "More". */
function ExploreActivity(): JSX.Element {
  const { community, trans } = useCommunity();
  const [scope, setScope] = React.useState<'home' | 'mine'>('home');
  return (
    <>
      <div className="openi-FilterRow">
        <div className="openi-Toggle" role="group">
          {(
            [
              ['home', 'All'],
              ['mine', 'Watching']
            ] as const
          ).map(([key, label]) => (
            <button
              key={key}
              type="button"
              className={`openi-Toggle-button${scope === key ? ' openi-mod-active' : ''}`}
              aria-pressed={scope === key}
              onClick={() => setScope(key)}
            >
              {trans.__(label)}
            </button>
          ))}
        </div>
      </div>
      <FeedList
        reloadKey={scope}
        trans={trans}
        load={page =>
          scope === 'home'
            ? community.homeFeed({ page, per_page: 30 })
            : community.myFeed({ page, per_page: 30 })
        }
      />
    </>
  );
}

function TabBody(props: { tab: ExploreTab }): JSX.Element {
  switch (props.tab) {
    case 'projects':
      return <ExploreProjects />;
    case 'orgs':
      return <ExploreOrgs />;
    case 'users':
      return <ExploreUsers />;
    case 'images':
      return <ExploreImages />;
    case 'issues':
      return <InvolvedIssues key="issues" pulls={false} />;
    case 'pulls':
      return <InvolvedIssues key="pulls" pulls={true} />;
    case 'milestones':
      return <InvolvedMilestones />;
    case 'activity':
      return <ExploreActivity />;
    case 'requests':
      return <RecommendationRequests />;
  }
}

/** The Explore page (探索): one tab per list. */
export function ExplorePage(props: {
  tab: ExploreTab;
  onTab: (tab: ExploreTab) => void;
}): JSX.Element {
  const { trans } = useCommunity();
  return (
    <div className="openi-ExplorePage">
      <h1 className="openi-CommunityPage-title">{trans.__('Explore')}</h1>
      <div className="openi-Tabs" role="tablist">
        {EXPLORE_TABS.map(t => (
          <button
            key={t.key}
            type="button"
            role="tab"
            aria-selected={props.tab === t.key}
            className={`openi-Tab${props.tab === t.key ? ' openi-mod-active' : ''}`}
            data-testid={`openi-explore-tab-${t.key}`}
            onClick={() => props.onTab(t.key)}
          >
            {trans.__(t.title)}
          </button>
        ))}
      </div>
      <div className="openi-ExplorePage-body">
        <TabBody tab={props.tab} />
      </div>
    </div>
  );
}

/** The Explore page in the main area (one per page). */
export class ExploreWidget extends CommunityWidget {
  constructor(env: ICommunityEnv, tab: ExploreTab) {
    super(env, 'openi-explore', env.trans.__('Explore'), 'openi-explore-view');
    this._tab = tab;
  }

  /** Switches to `tab`. */
  set tab(tab: ExploreTab) {
    this._tab = tab;
    this.update();
  }

  protected renderPage(): JSX.Element {
    return (
      <ExplorePage
        tab={this._tab}
        onTab={tab => {
          this.tab = tab;
        }}
      />
    );
  }

  private _tab: ExploreTab;
}
