/** The views' stylesheet, injected once by `prepare`; every class is prefixed `ck-`. */
export const VIEWS_CSS = `
.ck-view { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; }
.ck-view h3 { font-size: 15px; margin: 12px 0 6px; }
.ck-muted { color: #687083; font-size: 12px; }
.ck-charts { display: flex; flex-wrap: wrap; gap: 16px; }
.ck-chart { background: #fff; border: 1px solid #e3e6ee; border-radius: 6px; padding: 8px; }
.ck-chart-title { font-weight: 600; margin: 0 0 4px 4px; }
.ck-best-note { font-size: 12px; color: #687083; margin: 2px 0 0 4px; }
.ck-toggle { display: inline-flex; border: 1px solid #c9cfdb; border-radius: 5px; overflow: hidden; margin-bottom: 8px; }
.ck-toggle button { border: 0; background: #fff; padding: 4px 10px; cursor: pointer; font: inherit; }
.ck-toggle button.ck-on { background: #2f5fa7; color: #fff; }
.ck-confusion-wrap { overflow: auto; max-width: 100%; }
table.ck-confusion { border-collapse: collapse; font-size: 10px; }
table.ck-confusion td.ck-cell { width: 15px; height: 15px; min-width: 15px; padding: 0; text-align: center; border: 1px solid #fff; }
table.ck-confusion.ck-small td.ck-cell { width: 34px; height: 30px; font-size: 11px; }
table.ck-confusion th { font-weight: 500; color: #4a5263; padding: 0 3px; white-space: nowrap; }
table.ck-confusion th.ck-col { padding: 0; vertical-align: bottom; text-align: center; font-size: 9px; }
table.ck-confusion.ck-small th.ck-col { font-size: 11px; padding: 0 2px; }
table.ck-confusion th.ck-row { text-align: right; }
table.ck-confusion td.ck-total { color: #687083; padding-left: 6px; text-align: right; }
table.ck-confusion .ck-axis { color: #1d2330; font-weight: 600; }
.ck-thumb { width: 15px; height: 15px; vertical-align: middle; image-rendering: auto; margin: 0 2px; }
.ck-small .ck-thumb { width: 22px; height: 22px; }
table.ck-table .ck-thumb { width: 24px; height: 24px; }
table.ck-table { border-collapse: collapse; font-size: 13px; }
table.ck-table th, table.ck-table td { padding: 3px 10px; border-bottom: 1px solid #eceef3; text-align: right; white-space: nowrap; }
table.ck-table th { background: #f4f6fa; cursor: default; position: sticky; top: 0; }
table.ck-table th.ck-sortable { cursor: pointer; user-select: none; }
table.ck-table th.ck-sorted-asc::after { content: " ▲"; font-size: 9px; }
table.ck-table th.ck-sorted-desc::after { content: " ▼"; font-size: 9px; }
table.ck-table td.ck-left, table.ck-table th.ck-left { text-align: left; }
table.ck-table td.ck-best { background: #dff3e3; font-weight: 600; }
.ck-bar { display: inline-block; height: 8px; background: #4e79a7; border-radius: 2px; vertical-align: middle; margin-left: 6px; }
.ck-per-class-wrap { max-height: 520px; overflow: auto; border: 1px solid #e3e6ee; border-radius: 6px; display: inline-block; }
.ck-gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.ck-error { width: 150px; border: 1px solid #e3e6ee; border-radius: 6px; padding: 6px; background: #fff; }
.ck-error .ck-img { width: 72px; height: 72px; image-rendering: pixelated; display: block; margin: 0 auto 4px; border-radius: 3px; }
.ck-error .ck-label { color: #c62828; font-weight: 600; text-align: center; font-size: 13px; }
.ck-error .ck-signs { display: flex; justify-content: center; gap: 10px; margin: 4px 0; }
.ck-error .ck-signs figure { margin: 0; text-align: center; font-size: 10px; color: #687083; }
.ck-error .ck-signs img { width: 34px; height: 34px; display: block; }
.ck-error .ck-signs img.ck-sign-bad { outline: 2px solid #c62828; }
.ck-error .ck-signs img.ck-sign-ok { outline: 2px solid #2e7d32; }
.ck-error .ck-top { margin: 2px 0 0; font-size: 11px; color: #4a5263; }
.ck-error .ck-top div { display: flex; justify-content: space-between; gap: 4px; }
.ck-error .ck-top span:first-child { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ck-error .ck-top span:last-child { white-space: nowrap; flex-shrink: 0; }
.ck-error .ck-name { font-size: 11px; color: #4a5263; text-align: center; }
.ck-fm-sample { border: 1px solid #e3e6ee; border-radius: 6px; padding: 8px; margin-bottom: 12px; background: #fff; }
.ck-fm-head { display: flex; align-items: center; gap: 10px; margin-bottom: 6px; }
.ck-fm-head img { width: 64px; height: 64px; image-rendering: pixelated; border-radius: 3px; }
.ck-fm-layers { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
.ck-fm-layer figcaption { font-size: 12px; color: #4a5263; margin-bottom: 3px; overflow-wrap: anywhere; }
.ck-fm-layer { margin: 0; }
.ck-fm-layer img { image-rendering: pixelated; display: block; background: #222; }
.ck-report { max-width: 1280px; margin: 0 auto; padding: 16px 20px 40px; background: #fafbfd; }
.ck-report > header h1 { font-size: 22px; margin: 0 0 4px; }
.ck-report nav a { margin-right: 14px; color: #2f5fa7; text-decoration: none; }
.ck-report section { margin-top: 26px; }
.ck-report section > h2 { font-size: 18px; border-bottom: 1px solid #e3e6ee; padding-bottom: 4px; }
.ck-kpis { display: flex; gap: 14px; flex-wrap: wrap; margin: 10px 0; }
.ck-kpi { background: #fff; border: 1px solid #e3e6ee; border-radius: 6px; padding: 6px 12px; }
.ck-kpi b { display: block; font-size: 18px; }
.ck-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: middle; }
`;
