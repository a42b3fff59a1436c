import * as React from 'react';

import type { ProjectSort } from '../../api/communityTypes';
import { useAsync } from '../project/useAsync';
import { PagedList, useCommunity } from './context';
import { ProjectRow } from './ProjectRow';

const PER_PAGE = 20;

const SORTS: ReadonlyArray<[ProjectSort, string]> = [
  ['updated', 'Recently updated'],
  ['stars', 'Most stars'],
  ['forks', 'Most forks'],
  ['index', 'OpenI index'],
  ['created', 'Newest'],
  ['name', 'Name']
];

/** The projects square (项目广场): sort, topic filter, search, pages. */
export function ExploreProjects(): JSX.Element {
  const { community, trans } = useCommunity();
  const [sort, setSort] = React.useState<ProjectSort>('updated');
  const [topic, setTopic] = React.useState('');
  const [q, setQ] = React.useState('');
  const [page, setPage] = React.useState(1);
  const topics = useAsync(() => community.topics(30), 'topics');
  const key = `${sort}|${topic}|${q}|${page}`;
  const state = useAsync(
    () =>
      community.exploreProjects({
        sort,
        topic: topic || undefined,
        q: q || undefined,
        page,
        per_page: PER_PAGE
      }),
    key
  );
  const pickTopic = (next: string) => {
    setTopic(current => (current === next ? '' : next));
    setPage(1);
  };
  return (
    <div className="openi-ExploreProjects">
      <div className="openi-FilterRow">
        <FilterInput
          value={q}
          placeholder={trans.__('Filter projects…')}
          onChange={value => {
            setQ(value);
            setPage(1);
          }}
        />
        <label className="openi-FilterRow-label">
          {trans.__('Sort')}
          <select
            value={sort}
            data-testid="openi-explore-sort"
            onChange={event => {
              setSort(event.target.value as ProjectSort);
              setPage(1);
            }}
          >
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {trans.__(label)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {topics.data && topics.data.length > 0 && (
        <div
          className="openi-Topics openi-TopicFilter"
          data-testid="openi-topic-filter"
        >
          {topics.data.map(t => (
            <button
              key={t.topic}
              type="button"
              className={`openi-Topic${topic === t.topic ? ' openi-mod-active' : ''}`}
              aria-pressed={topic === t.topic}
              onClick={() => pickTopic(t.topic)}
            >
              {t.topic} <span className="openi-Topic-count">{t.count}</span>
            </button>
          ))}
        </div>
      )}
      <PagedList
        state={state}
        page={page}
        perPage={PER_PAGE}
        onPage={setPage}
        testid="openi-explore-projects"
        emptyMessage={trans.__('No projects match.')}
        renderItem={project => (
          <ProjectRow
            key={project.id}
            project={project}
            trans={trans}
            onTopic={pickTopic}
          />
        )}
      />
    </div>
  );
}

/**
 * A filter box that applies its value after the user pauses typing, so a
 * list is not requested on every key press.
 */
export function FilterInput(props: {
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const [text, setText] = React.useState(props.value);
  const latest = React.useRef(props);
  latest.current = props;
  React.useEffect(() => {
    const value = text.trim();
    if (value === latest.current.value) {
      return;
    }
    const handle = window.setTimeout(() => latest.current.onChange(value), 300);
    return () => window.clearTimeout(handle);
  }, [text]);
  return (
    <input
      type="search"
      className="openi-FilterInput"
      value={text}
      placeholder={props.placeholder}
      onChange={event => setText(event.target.value)}
    />
  );
}
