import * as React from 'react';

import { errorMessage } from '../../api';
import { ErrorLine, Loading } from '../status';
import { useEnv } from './env';
import type { IAsync } from './useAsync';

/** Loading, error (the server's message, with Retry) or the loaded view. */
export function AsyncView<T>(props: {
  state: IAsync<T>;
  children: (data: T) => React.ReactNode;
}): JSX.Element {
  const { state, children } = props;
  const { trans } = useEnv();
  if (state.error !== undefined) {
    return (
      <ErrorLine
        trans={trans}
        message={errorMessage(state.error)}
        onRetry={state.reload}
      />
    );
  }
  if (state.data === undefined) {
    return <Loading trans={trans} />;
  }
  return <>{children(state.data)}</>;
}
