import { LabIcon } from '@jupyterlab/ui-components';

import openiSvgstr from '../style/icons/openi.svg';

/** The OpenI mark, used for the sidebar tab and the commands. */
export const openiIcon = new LabIcon({
  name: 'openi_lab:openi',
  svgstr: openiSvgstr
});
