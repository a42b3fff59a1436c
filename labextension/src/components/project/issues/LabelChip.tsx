import * as React from 'react';

import type { ILabel } from '../../../api';

/** Black or white text, whichever reads better on `color` (#rrggbb). */
function textColor(color: string): string {
  const hex = color.replace('#', '');
  if (!/^[0-9a-fA-F]{6}$/.test(hex)) {
    return 'inherit';
  }
  const [r, g, b] = [0, 2, 4].map(i => parseInt(hex.slice(i, i + 2), 16));
  return r * 0.299 + g * 0.587 + b * 0.114 > 150 ? '#000' : '#fff';
}

/** A label (标签) in its colour. */
export function LabelChip(props: {
  label: ILabel;
  onClick?: () => void;
}): JSX.Element {
  const { label, onClick } = props;
  const style = { background: label.color, color: textColor(label.color) };
  return (
    <button
      type="button"
      className="openi-Label"
      style={style}
      title={label.description || label.name}
      onClick={onClick}
      disabled={!onClick}
    >
      {label.name}
    </button>
  );
}
