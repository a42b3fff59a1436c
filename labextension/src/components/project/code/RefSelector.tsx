import * as React from 'react';

import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';

/** Branch or tag to browse (`GET …/branches`, `GET …/tags`). */
export function RefSelector(props: {
  value: string;
  onChange: (ref: string) => void;
}): JSX.Element {
  const { value, onChange } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const refs = useAsync(
    () => Promise.all([repo.branches(), repo.tags()]),
    repo.fullName
  );
  const [branches, tags] = refs.data ?? [[], []];
  const known = [...branches, ...tags].some(r => r.name === value);
  return (
    <select
      className="openi-Select"
      value={value}
      aria-label={trans.__('Branch or tag')}
      data-testid="openi-ref-selector"
      onChange={e => onChange(e.currentTarget.value)}
    >
      {!known && <option value={value}>{value}</option>}
      {branches.length > 0 && (
        <optgroup label={trans.__('Branches')}>
          {branches.map(b => (
            <option key={`b-${b.name}`} value={b.name}>
              {b.name}
            </option>
          ))}
        </optgroup>
      )}
      {tags.length > 0 && (
        <optgroup label={trans.__('Tags')}>
          {tags.map(t => (
            <option key={`t-${t.name}`} value={t.name}>
              {t.name}
            </option>
          ))}
        </optgroup>
      )}
    </select>
  );
}
