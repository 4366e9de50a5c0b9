/**
 * convkit's browser views, shared by the static HTML report (`convkit report RUN --html FILE`) and the live
 * dashboard. Bundled by esbuild into ONE IIFE script (uPlot and its CSS included; the CSS is injected on first use)
 * that sets `window.convkitViews`. Get the bundle's text in Node with `viewsBundle()` from `report/views-bundle.ts`
 * (built by `npm run build` into dist/report/convkit-views.js, or bundled from source on the fly under tsx).
 *
 * Every function takes a container element and plain JSON (types in `report/analysis-types.ts`; `RunAnalysis` is
 * what `analyseRun` returns and `convkit report RUN --json` prints), empties the container and draws into it.
 * Call again with new data to redraw (the dashboard does so at each epoch).
 *
 *   renderReport(el, analysis)                 the whole page of one run (all sections below)
 *   renderSummary(el, analysis)                header: model, data, weights, test figures, best values
 *   renderCurves(el, history, opts?)           loss / accuracy / lr charts (uPlot), best epoch dashed;
 *                                              history = RunHistory or the run's raw metric rows (HistoryRow[]);
 *                                              opts {groups?: ('loss'|'accuracy'|'lr')[], width?, height?};
 *                                              each chart box is .ck-chart[data-group] with `.uplot` (the uPlot)
 *   renderConfusion(el, analysis, opts?)       heatmap, rows = true class; opts {normalised?}; raw/normalised toggle;
 *                                              cells td.ck-cell[data-true][data-pred][data-count]
 *   renderTopConfusions(el, analysis, opts?)   most frequent (true → predicted) pairs; opts {limit?}
 *   renderPerClass(el, analysis, opts?)        sortable precision / recall (= accuracy) / F1 table; opts {sortBy?, descending?}
 *   renderValidationErrors(el, analysis, opts?) weakest classes and most frequent confusions on the validation split
 *                                              (result.json's val_per_class / val_confusions); opts {limit?}
 *   renderErrors(el, analysis, opts?)          gallery "pred (true)" with class signs and top-k; opts {limit?};
 *                                              cards .ck-error[data-index][data-true][data-pred]
 *   renderFeatureMaps(el, analysis, opts?)     per image, one tiled grid per conv / activation / pool layer; opts {scale?}
 *   renderCompare(el, runs, opts?)             table (best per column highlighted), overlaid curves, per-class side by
 *                                              side; runs = RunAnalysis[] or {run, model, data, history, ...partial};
 *                                              opts {href?, columns?, smoothing?} (the dashboard's links, status and
 *                                              hyperparameter columns, smoothed curves); run i in colour(i)
 *                                              opts.scaling: a batch's accuracy against training-set size (renderScaling)
 *   renderCompareReport(el, runs)              the comparison page (title + renderCompare); runs = CompareRun[] or
 *                                              {runs, scaling?} (`convkit report BATCH --html`)
 *   renderScaling(el, charts)                  test accuracy against training images (log x), one chart per dataset,
 *                                              one line per family, min–max of its repeats as error bars, the numbers
 *                                              as a table; charts from scalingCharts (report/scaling.ts);
 *                                              boxes .ck-chart.ck-scaling[data-dataset] with `.uplot`
 *   scalingCharts(runs)                        {dataset, family, limit?, trainCount, accuracy}[] → ScalingChart[]
 *   renderOverlay(el, metric, series, opts?)   one metric of several runs on one chart; series {label, rows, colour?}[]
 *   summariseHistory(rows)                     HistoryRow[] → RunHistory (best value and epoch per metric)
 */
import { renderCompare } from './compare.js';
import { renderConfusion, renderTopConfusions } from './confusion.js';
import { renderCurves, renderOverlay } from './curves.js';
import { renderErrors } from './errors.js';
import { renderFeatureMaps } from './feature-maps.js';
import { renderPerClass } from './per-class.js';
import { renderScaling } from './scaling.js';
import { renderValidationErrors } from './validation.js';
import { scalingCharts } from '../scaling.js';
import { renderCompareReport, renderReport, renderSummary } from './report.js';
import { summariseHistory } from '../history.js';

export const convkitViews = {
  version: 1,
  renderReport,
  renderSummary,
  renderCurves,
  renderConfusion,
  renderTopConfusions,
  renderPerClass,
  renderValidationErrors,
  renderErrors,
  renderFeatureMaps,
  renderCompare,
  renderCompareReport,
  renderOverlay,
  renderScaling,
  scalingCharts,
  summariseHistory,
};

declare global {
  interface Window {
    convkitViews: typeof convkitViews;
  }
}

window.convkitViews = convkitViews;
