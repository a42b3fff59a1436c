import * as React from 'react';

import type { ITaskParam } from '../../api';
import type { ITrans } from '../../i18n';

/**
 * Run parameters (运行参数) as name/value rows with add and remove — one editor
 * for the new-task form and the "Run as training task" dialog.
 * `testId` prefixes the rows' and the add button's `data-testid`.
 */
export function ParamsEditor(props: {
  params: ITaskParam[];
  onChange: (params: ITaskParam[]) => void;
  trans: ITrans;
  testId: string;
}): JSX.Element {
  const { params, onChange, trans, testId } = props;
  const setParam = (i: number, patch: Partial<ITaskParam>): void =>
    onChange(params.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <>
      <span>{trans.__('Run parameters')}</span>
      {params.map((p, i) => (
        <div key={i} className="openi-Toolbar" data-testid={`${testId}-param`}>
          <input
            className="openi-Input"
            placeholder={trans.__('Name')}
            value={p.name}
            onChange={e => setParam(i, { name: e.currentTarget.value })}
          />
          <input
            className="openi-Input"
            placeholder={trans.__('Value')}
            value={p.value}
            onChange={e => setParam(i, { value: e.currentTarget.value })}
          />
          <button
            type="button"
            className="openi-LinkButton"
            onClick={() => onChange(params.filter((_, j) => j !== i))}
          >
            {trans.__('Remove')}
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="openi-Button"
          data-testid={`${testId}-add-param`}
          onClick={() => onChange([...params, { name: '', value: '' }])}
        >
          {trans.__('Add parameter')}
        </button>
      </div>
    </>
  );
}
