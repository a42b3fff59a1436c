import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip
} from 'chart.js';
import * as React from 'react';

// Only the pieces the dashboard draws, so the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip
);

/** Series colours; the first follows the JupyterLab brand colour. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f'
];

/** A theme variable of JupyterLab (so charts follow light / dark themes). */
function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/**
 * One Chart.js chart on a canvas. The chart is rebuilt when `config`
 * changes (callers memoise it) and destroyed on unmount.
 */
export function ChartView<T extends ChartType>(props: {
  config: ChartConfiguration<T>;
  /** `data-testid` of the wrapper. */
  testid: string;
  height?: number;
  label: string;
}): JSX.Element {
  const { config, testid, height = 240, label } = props;
  const canvas = React.useRef<HTMLCanvasElement>(null);
  React.useEffect(() => {
    if (!canvas.current) {
      return;
    }
    Chart.defaults.color = themeColor('--jp-ui-font-color1', '#333');
    Chart.defaults.borderColor = themeColor('--jp-border-color2', '#ddd');
    Chart.defaults.font.family = themeColor(
      '--jp-ui-font-family',
      Chart.defaults.font.family ?? 'sans-serif'
    );
    const chart = new Chart(canvas.current, {
      ...config,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 200 },
        ...config.options
      }
    } as ChartConfiguration<T>);
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="openi-Chart" data-testid={testid} style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
