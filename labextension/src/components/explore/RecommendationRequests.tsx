import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorMessage } from '../../api';
import type { IRecRequest } from '../../api/communityTypes';
import { useAsync } from '../project/useAsync';
import { OrgLink, ProjectLink, UserLink } from './common';
import { PagedList, useCommunity } from './context';
import { SortSelect } from './ExploreLists';
import { submitRecommendation } from './SubmitRecommendation';

const PER_PAGE = 20;

type Status = 'pending' | 'approved' | 'rejected' | 'all';

const STATUSES: ReadonlyArray<[Status, string]> = [
  ['pending', 'Pending'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['all', 'All']
];

const STATUS_LABELS: Record<IRecRequest['status'], string> = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected'
};

/**
 * "Submit yours" requests (推荐申请): everyone sees their own and can submit
 * one; administrators see all and approve (the target joins the curated
 * recommendations) or reject them.
 */
export function RecommendationRequests(): JSX.Element {
  const { client, community, trans } = useCommunity();
  const [status, setStatus] = React.useState<Status>('pending');
  const [page, setPage] = React.useState(1);
  const [generation, setGeneration] = React.useState(0);
  const me = useAsync(() => client.getCurrentUser(), 'me');
  const list = useAsync(
    () =>
      community.recommendationRequests({ status, page, per_page: PER_PAGE }),
    `${status}|${page}|${generation}`
  );
  const decide = async (request: IRecRequest, approve: boolean) => {
    try {
      await community.decideRecommendation(
        request.id,
        approve ? 'approve' : 'reject'
      );
      setGeneration(g => g + 1);
    } catch (error) {
      Notification.error(errorMessage(error), { autoClose: 8000 });
    }
  };
  const isAdmin = me.data?.is_admin ?? false;
  return (
    <>
      <div className="openi-FilterRow">
        <SortSelect
          label="Status"
          value={status}
          options={STATUSES}
          onChange={value => {
            setStatus(value);
            setPage(1);
          }}
        />
        <button
          type="button"
          className="openi-Button"
          onClick={() =>
            void submitRecommendation(community, trans).then(() =>
              setGeneration(g => g + 1)
            )
          }
        >
          {trans.__('Submit yours')}
        </button>
      </div>
      <PagedList
        state={list}
        page={page}
        perPage={PER_PAGE}
        onPage={setPage}
        testid="openi-recommendation-requests"
        emptyMessage={trans.__('No requests.')}
        renderItem={request => (
          <li
            key={request.id}
            className="openi-ListItem"
            data-testid="openi-recommendation-request"
          >
            <div className="openi-ListItem-title">
              {request.kind === 'org' ? (
                <OrgLink name={request.target} />
              ) : (
                <ProjectLink fullName={request.target} />
              )}
              <span className="openi-Badge">
                {trans.__(STATUS_LABELS[request.status])}
              </span>
              {isAdmin && request.status === 'pending' && (
                <span className="openi-RecRequest-actions">
                  <button
                    type="button"
                    className="openi-Button"
                    onClick={() => void decide(request, true)}
                  >
                    {trans.__('Approve')}
                  </button>
                  <button
                    type="button"
                    className="openi-Button"
                    onClick={() => void decide(request, false)}
                  >
                    {trans.__('Reject')}
                  </button>
                </span>
              )}
            </div>
            {request.reason && (
              <div className="openi-ListItem-description">{request.reason}</div>
            )}
            <div className="openi-ListItem-meta">
              <span>
                <UserLink username={request.requester} />{' '}
                {trans.relativeTime(request.created_at)}
              </span>
              {request.decided_by && (
                <span>
                  {trans.__('Decided by %1', request.decided_by)}
                  {request.note ? `: ${request.note}` : ''}
                </span>
              )}
            </div>
          </li>
        )}
      />
    </>
  );
}
