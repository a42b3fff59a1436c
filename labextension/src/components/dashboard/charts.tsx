import type { ChartConfiguration } from 'chart.js';
import * as React from 'react';

import type { IProjectIndex, ITotals } from '../../api/communityTypes';
import type { ITrans } from '../../i18n';
import { EmptyState } from '../status';
import { ChartView, PALETTE } from './ChartView';

/** Compute resources in a stable order (colours stay put). */
function computeKeys(record: Record<string, number>): string[] {
  const order = ['CPU', 'GPU', 'NPU'];
  return Object.keys(record).sort(
    (a, b) =>
      (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) ||
      a.localeCompare(b)
  );
}

function taskCount(totals: ITotals): number {
  return Object.values(totals.tasks_by_compute).reduce((sum, n) => sum + n, 0);
}

/** What the task charts show while no task exists (no bare 0–1 axes). */
function NoTasks(props: { trans: ITrans }): JSX.Element {
  return (
    <EmptyState
      message={props.trans.__(
        'No tasks yet: run one in a project’s Cloud brain tab.'
      )}
    />
  );
}

/** Tasks per compute resource, or a message while there is none. */
export function TasksByComputeChart(props: {
  totals: ITotals;
  trans: ITrans;
}): JSX.Element {
  const { totals, trans } = props;
  if (taskCount(totals) === 0) {
    return <NoTasks trans={trans} />;
  }
  return <TasksByComputeBars totals={totals} trans={trans} />;
}

/** Tasks per compute resource (CPU / GPU / NPU), a bar each. */
function TasksByComputeBars(props: {
  totals: ITotals;
  trans: ITrans;
}): JSX.Element {
  const { totals, trans } = props;
  const config = React.useMemo<ChartConfiguration<'bar'>>(() => {
    const keys = computeKeys(totals.tasks_by_compute);
    return {
      type: 'bar',
      data: {
        labels: keys,
        datasets: [
          {
            label: trans.__('Tasks'),
            data: keys.map(k => totals.tasks_by_compute[k]),
            backgroundColor: keys.map((_, i) => PALETTE[i % PALETTE.length])
          }
        ]
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    };
  }, [totals, trans]);
  return (
    <ChartView
      config={config}
      testid="openi-chart-tasks-by-compute"
      label={trans.__('Tasks by compute resource')}
    />
  );
}

/** Compute hours per day, or a message while no task exists. */
export function ComputeHoursChart(props: {
  totals: ITotals;
  trans: ITrans;
}): JSX.Element {
  const { totals, trans } = props;
  if (taskCount(totals) === 0) {
    return <NoTasks trans={trans} />;
  }
  return <ComputeHoursBars totals={totals} trans={trans} />;
}

/** Compute hours per day, stacked by compute resource. */
function ComputeHoursBars(props: {
  totals: ITotals;
  trans: ITrans;
}): JSX.Element {
  const { totals, trans } = props;
  const config = React.useMemo<ChartConfiguration<'bar'>>(() => {
    const days = totals.compute_hours_per_day;
    const keys = new Set<string>(computeKeys(totals.tasks_by_compute));
    for (const day of days) {
      Object.keys(day.hours).forEach(k => keys.add(k));
    }
    const ordered = computeKeys(Object.fromEntries([...keys].map(k => [k, 0])));
    return {
      type: 'bar',
      data: {
        labels: days.map(d => d.day.slice(5)),
        datasets: ordered.map((key, i) => ({
          label: key,
          data: days.map(d => d.hours[key] ?? 0),
          backgroundColor: PALETTE[i % PALETTE.length],
          stack: 'hours'
        }))
      },
      options: {
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: trans.__('Hours') }
          }
        }
      }
    };
  }, [totals, trans]);
  return (
    <ChartView
      config={config}
      testid="openi-chart-compute-hours"
      label={trans.__('Compute hours per day')}
    />
  );
}

/** The six dimensions of a project's index on a radar (0–100 each). */
export function IndexRadarChart(props: {
  index: IProjectIndex;
  trans: ITrans;
}): JSX.Element {
  const { index, trans } = props;
  const config = React.useMemo<ChartConfiguration<'radar'>>(
    () => ({
      type: 'radar',
      data: {
        labels: index.dimensions.map(d =>
          trans.isChinese ? d.name_zh : d.name_en
        ),
        datasets: [
          {
            label: index.project,
            data: index.dimensions.map(d => Math.round(d.score * 10) / 10),
            backgroundColor: 'rgba(31, 119, 180, 0.25)',
            borderColor: PALETTE[0],
            pointBackgroundColor: PALETTE[0]
          }
        ]
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { r: { min: 0, max: 100, ticks: { stepSize: 25 } } }
      }
    }),
    [index, trans]
  );
  return (
    <ChartView
      config={config}
      testid="openi-chart-radar"
      height={280}
      label={trans.__('Dimensions of the OpenI index')}
    />
  );
}

/** The index (and rank) of a project over time. */
export function IndexHistoryChart(props: {
  index: IProjectIndex;
  trans: ITrans;
}): JSX.Element {
  const { index, trans } = props;
  const config = React.useMemo<ChartConfiguration<'line'>>(
    () => ({
      type: 'line',
      data: {
        labels: index.history.map(h => h.day),
        datasets: [
          {
            label: trans.__('OpenI index'),
            data: index.history.map(h => Math.round(h.index * 10) / 10),
            borderColor: PALETTE[0],
            backgroundColor: PALETTE[0],
            yAxisID: 'y',
            tension: 0.2
          },
          {
            label: trans.__('Rank'),
            data: index.history.map(h => h.rank),
            borderColor: PALETTE[1],
            backgroundColor: PALETTE[1],
            yAxisID: 'rank',
            borderDash: [4, 4],
            tension: 0.2
          }
        ]
      },
      options: {
        scales: {
          y: { beginAtZero: true, position: 'left' },
          rank: {
            position: 'right',
            reverse: true,
            ticks: { precision: 0 },
            grid: { drawOnChartArea: false }
          }
        }
      }
    }),
    [index, trans]
  );
  return (
    <ChartView
      config={config}
      testid="openi-chart-history"
      label={trans.__('OpenI index history')}
    />
  );
}
