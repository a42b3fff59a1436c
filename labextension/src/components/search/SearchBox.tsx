import { searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ITrans } from '../../i18n';
import { communityNavigation } from '../explore/navigation';

/**
 * The sidebar's search box (统一搜索): Enter opens the results page in the
 * main area, grouped by type.
 */
export function SearchBox(props: { trans: ITrans }): JSX.Element {
  const { trans } = props;
  const [query, setQuery] = React.useState('');
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (q) {
      communityNavigation()?.search(q);
    }
  };
  return (
    <form
      className="openi-SearchBox"
      role="search"
      onSubmit={submit}
      data-testid="openi-search-box"
    >
      <searchIcon.react tag="span" className="openi-SearchBox-icon" />
      <input
        type="search"
        className="openi-SearchBox-input"
        value={query}
        placeholder={trans.__('Search projects, datasets, users…')}
        aria-label={trans.__('Search OpenI')}
        data-testid="openi-search-input"
        onChange={event => setQuery(event.target.value)}
      />
    </form>
  );
}
