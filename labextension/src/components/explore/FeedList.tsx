import * as React from 'react';

import type { IPage } from '../../api';
import type { IEvent } from '../../api/communityTypes';
import type { ITrans } from '../../i18n';
import { usePagedList } from '../hooks';
import { PagedBody } from '../PagedBody';
import { EventItem } from './EventItem';

/**
 * A paged activity feed (开源项目动态); `reloadKey` names the feed and
 * the refresh generation, so switching feeds starts from page 1.
 */
export function FeedList(props: {
  load: (page: number) => Promise<IPage<IEvent>>;
  reloadKey: string;
  trans: ITrans;
  emptyMessage?: string;
}): JSX.Element {
  const { load, reloadKey, trans } = props;
  const list = usePagedList(load, reloadKey);
  return (
    <div className="openi-Feed" data-testid="openi-feed">
      <PagedBody
        list={list}
        trans={trans}
        emptyMessage={props.emptyMessage ?? trans.__('No activity yet.')}
        renderItem={event => (
          <EventItem key={event.id} event={event} trans={trans} />
        )}
      />
    </div>
  );
}
