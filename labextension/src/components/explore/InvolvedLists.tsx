import * as React from 'react';

import type { Involvement, IssueState } from '../../api/communityTypes';
import { useAsync } from '../project/useAsync';
import { NavLink, ProjectLink, splitFullName } from './common';
import { PagedList, useCommunity } from './context';
import { SortSelect } from './ExploreLists';

const PER_PAGE = 20;

const STATES: ReadonlyArray<[IssueState, string]> = [
  ['open', 'Open'],
  ['closed', 'Closed'],
  ['all', 'All']
];

const FILTERS: ReadonlyArray<['all' | Involvement, string]> = [
  ['all', 'Involved'],
  ['created', 'Created by me'],
  ['assigned', 'Assigned to me'],
  ['commented', 'Commented on']
];

/** Open / closed / all as a row of toggle buttons. */
function StateToggle(props: {
  value: IssueState;
  onChange: (value: IssueState) => void;
}): JSX.Element {
  const { trans } = useCommunity();
  return (
    <div className="openi-Toggle" role="group">
      {STATES.map(([value, label]) => (
        <button
          key={value}
          type="button"
          className={`openi-Toggle-button${props.value === value ? ' openi-mod-active' : ''}`}
          aria-pressed={props.value === value}
          onClick={() => props.onChange(value)}
        >
          {trans.__(label)}
        </button>
      ))}
    </div>
  );
}

/**
 * Issues (任务管理) or pull requests (合并请求) across projects that the
 * signed-in user created, is assigned to or commented on.
 */
export function InvolvedIssues(props: { pulls: boolean }): JSX.Element {
  const { pulls } = props;
  const { community, trans } = useCommunity();
  const [state, setState] = React.useState<IssueState>('open');
  const [filter, setFilter] = React.useState<'all' | Involvement>('all');
  const [page, setPage] = React.useState(1);
  const list = useAsync(
    () =>
      community.involvedIssues({
        type: pulls ? 'pulls' : 'issues',
        filter,
        state,
        page,
        per_page: PER_PAGE
      }),
    `${pulls}|${state}|${filter}|${page}`
  );
  return (
    <>
      <div className="openi-FilterRow">
        <StateToggle
          value={state}
          onChange={value => {
            setState(value);
            setPage(1);
          }}
        />
        <SortSelect
          label="Show"
          value={filter}
          options={FILTERS}
          onChange={value => {
            setFilter(value);
            setPage(1);
          }}
        />
      </div>
      <PagedList
        state={list}
        page={page}
        perPage={PER_PAGE}
        onPage={setPage}
        testid={pulls ? 'openi-explore-pulls' : 'openi-explore-issues'}
        emptyMessage={
          pulls
            ? trans.__('No pull requests involve you.')
            : trans.__('No issues involve you.')
        }
        renderItem={issue => {
          const [owner, name] = splitFullName(issue.project);
          return (
            <li
              key={issue.id}
              className="openi-ListItem"
              data-testid="openi-involved-issue"
            >
              <div className="openi-ListItem-title">
                <span
                  className={`openi-Badge openi-IssueState openi-mod-${issue.state}`}
                >
                  {issue.state === 'open'
                    ? trans.__('Open')
                    : trans.__('Closed')}
                </span>
                <NavLink
                  onOpen={nav =>
                    nav.openProject(owner, name, pulls ? 'pulls' : 'issues')
                  }
                >
                  {issue.title}
                </NavLink>
              </div>
              <div className="openi-ListItem-meta">
                <ProjectLink
                  fullName={issue.project}
                  label={`${issue.project}#${issue.number}`}
                />
                {issue.author && <span>{trans.__('by %1', issue.author)}</span>}
                <span>
                  {trans._n('%1 comment', '%1 comments', issue.comments)}
                </span>
                <span title={issue.updated_at}>
                  {trans.__('Updated %1', trans.relativeTime(issue.updated_at))}
                </span>
              </div>
            </li>
          );
        }}
      />
    </>
  );
}

/** Milestones (里程碑) of projects I write to or take part in. */
export function InvolvedMilestones(): JSX.Element {
  const { community, trans } = useCommunity();
  const [state, setState] = React.useState<IssueState>('open');
  const [page, setPage] = React.useState(1);
  const list = useAsync(
    () => community.involvedMilestones({ state, page, per_page: PER_PAGE }),
    `${state}|${page}`
  );
  return (
    <>
      <div className="openi-FilterRow">
        <StateToggle
          value={state}
          onChange={value => {
            setState(value);
            setPage(1);
          }}
        />
      </div>
      <PagedList
        state={list}
        page={page}
        perPage={PER_PAGE}
        onPage={setPage}
        testid="openi-explore-milestones"
        emptyMessage={trans.__('No milestones.')}
        renderItem={milestone => {
          const total = milestone.open_issues + milestone.closed_issues;
          const done = total ? (100 * milestone.closed_issues) / total : 0;
          return (
            <li
              key={milestone.id}
              className="openi-ListItem"
              data-testid="openi-milestone"
            >
              <div className="openi-ListItem-title">
                <span className="openi-ListItem-name">{milestone.title}</span>
                <ProjectLink fullName={milestone.project} />
              </div>
              <div
                className="openi-Progress"
                role="progressbar"
                aria-valuenow={Math.round(done)}
                aria-valuemin={0}
                aria-valuemax={100}
              >
                <div
                  className="openi-Progress-bar"
                  style={{ width: `${done}%` }}
                />
              </div>
              <div className="openi-ListItem-meta">
                <span>{trans.__('%1% complete', Math.round(done))}</span>
                <span>{trans.__('%1 open', milestone.open_issues)}</span>
                <span>{trans.__('%1 closed', milestone.closed_issues)}</span>
                {milestone.due_on && (
                  <span>{trans.__('Due %1', milestone.due_on)}</span>
                )}
              </div>
            </li>
          );
        }}
      />
    </>
  );
}
