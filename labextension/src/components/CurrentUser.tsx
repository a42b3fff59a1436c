import * as React from 'react';

import type { OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { useRequest } from './hooks';
import { ErrorLine, Loading } from './status';

/** First letter of the display name, for the avatar circle. */
export function avatarInitial(name: string): string {
  const first = Array.from(name.trim())[0];
  return first ? first.toUpperCase() : '?';
}

/** The signed-in user at the top of the sidebar. */
export function CurrentUser(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const {
    data: user,
    loading,
    error
  } = useRequest(() => client.getCurrentUser(), generation);

  let body: React.ReactNode;
  if (user) {
    const display = user.full_name || user.username;
    body = (
      <>
        <span className="openi-Avatar" aria-hidden="true">
          {avatarInitial(display)}
        </span>
        <span className="openi-CurrentUser-names">
          <span className="openi-CurrentUser-fullName">{display}</span>
          <span
            className="openi-CurrentUser-username"
            data-testid="openi-current-user-username"
          >
            {user.username}
          </span>
        </span>
        {user.is_admin && (
          <span className="openi-Badge">{trans.__('Admin')}</span>
        )}
      </>
    );
  } else if (loading) {
    body = <Loading trans={trans} />;
  } else {
    body = (
      <ErrorLine trans={trans} message={error ?? trans.__('Not signed in')} />
    );
  }

  return (
    <div
      className="openi-CurrentUser"
      data-testid="openi-current-user"
      title={user ? trans.__('Signed in as %1', user.username) : undefined}
    >
      {body}
    </div>
  );
}
