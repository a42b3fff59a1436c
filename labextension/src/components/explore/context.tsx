import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage, type IPage, type OpenIClient } from '../../api';
import type { CommunityClient } from '../../api/community';
import type { ITrans } from '../../i18n';
import { openiIcon } from '../../icons';
import type { IAsync } from '../project/useAsync';
import { EmptyState, ErrorLine, Loading } from '../status';
import { PageButtons } from './common';

/** What the community pages in the main area need; set once per widget. */
export interface ICommunityEnv {
  client: OpenIClient;
  community: CommunityClient;
  trans: ITrans;
}

export const CommunityContext = React.createContext<ICommunityEnv | null>(null);

export function useCommunity(): ICommunityEnv {
  const env = React.useContext(CommunityContext);
  if (!env) {
    throw new Error('community views need a CommunityContext provider');
  }
  return env;
}

/**
 * A community page in the main area (explore, search, dashboard, a user or
 * an organisation). `update()` re-renders with the widget's current state.
 */
export abstract class CommunityWidget extends ReactWidget {
  constructor(
    protected readonly env: ICommunityEnv,
    id: string,
    label: string,
    testid: string
  ) {
    super();
    this.id = id.replace(/[^A-Za-z0-9_-]/g, '_');
    this.addClass('openi-CommunityWidget');
    this.title.label = label;
    this.title.caption = label;
    this.title.icon = openiIcon;
    this.title.closable = true;
    this.node.dataset.testid = testid;
  }

  protected render(): JSX.Element {
    return (
      <CommunityContext.Provider value={this.env}>
        <div className="openi-CommunityPage">{this.renderPage()}</div>
      </CommunityContext.Provider>
    );
  }

  protected abstract renderPage(): JSX.Element;
}

/**
 * One page of a list with its loading, error and empty states and the
 * previous / next buttons.
 */
export function PagedList<T>(props: {
  state: IAsync<IPage<T>>;
  page: number;
  perPage: number;
  onPage: (page: number) => void;
  emptyMessage: string;
  renderItem: (item: T) => React.ReactNode;
  testid: string;
}): JSX.Element {
  const { state, page, perPage, onPage, emptyMessage, renderItem } = props;
  const { trans } = useCommunity();
  const data = state.data;
  return (
    <div className="openi-PagedList" data-testid={props.testid}>
      {state.error !== undefined && (
        <ErrorLine
          trans={trans}
          message={errorMessage(state.error)}
          onRetry={state.reload}
        />
      )}
      {data === undefined && state.error === undefined && (
        <Loading trans={trans} />
      )}
      {data && data.items.length === 0 && <EmptyState message={emptyMessage} />}
      {data && data.items.length > 0 && (
        <>
          <div className="openi-PagedList-count">
            {trans._n('%1 result', '%1 results', data.total)}
          </div>
          <ul className="openi-List openi-CommunityList">
            {data.items.map(renderItem)}
          </ul>
          <PageButtons
            trans={trans}
            page={page}
            perPage={perPage}
            total={data.total}
            onPage={onPage}
          />
        </>
      )}
    </div>
  );
}
