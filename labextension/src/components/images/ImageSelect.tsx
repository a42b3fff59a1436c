import * as React from 'react';

import { errorMessage, type OpenIClient } from '../../api';
import { ImagesClient, LOCAL_IMAGE, type IImage } from '../../api/images';
import type { ITrans } from '../../i18n';
import { envLabel } from './EnvBadge';

/** Image choice of the new-task form: `local` or an image you may see, with
 * the state of its environment. */
export function ImageSelect(props: {
  client: OpenIClient;
  trans: ITrans;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const { client, trans, value, onChange } = props;
  const [items, setItems] = React.useState<IImage[]>([]);
  const [error, setError] = React.useState<string | undefined>();

  React.useEffect(() => {
    let current = true;
    new ImagesClient(client.serverSettings).list({ per_page: 100 }).then(
      page => current && setItems(page.items),
      reason => current && setError(errorMessage(reason))
    );
    return () => {
      current = false;
    };
  }, [client]);

  const chosen = items.find(i => i.full_name === value);
  let hint: string | undefined;
  if (chosen?.environment === 'requirements') {
    if (chosen.env.state === 'missing') {
      hint =
        'The environment is built when the first task starts; the task waits meanwhile.';
    } else if (chosen.env.state === 'building') {
      hint =
        'The environment is being built; the task waits until it is ready.';
    } else if (chosen.env.state === 'failed') {
      hint = 'The last build failed; a new task retries it.';
    }
  }

  return (
    <>
      <select
        className="openi-Select"
        name="image"
        value={value}
        data-testid="openi-task-image"
        onChange={e => onChange(e.currentTarget.value)}
      >
        <option value={LOCAL_IMAGE}>
          {trans.__('local — this server’s Python')}
        </option>
        {items.map(i => (
          <option key={i.id} value={i.full_name}>
            {i.full_name} ({trans.__(envLabel(i))})
          </option>
        ))}
      </select>
      {chosen && (
        <span className="openi-Field-hint" data-testid="openi-task-image-state">
          {trans.__('Environment: %1', trans.__(envLabel(chosen)))}
          {hint ? ` — ${trans.__(hint)}` : ''}
        </span>
      )}
      {error && (
        <div className="openi-FieldError" role="alert">
          {error}
        </div>
      )}
    </>
  );
}
