/** Styles of the drift report and dashboard, on top of the shared layout. */
export const REPORT_STYLE = `
h1 { font-size:22px; margin:0; }
h2 { font-size:15px; margin:0 0 10px; }
h3 { font-size:14px; margin:0; }
.page-head { display:flex; align-items:center; gap:14px; flex-wrap:wrap; margin-bottom:16px; }
.page-head .meta { display:flex; gap:6px; flex-wrap:wrap; }
.page-head .when { margin-left:auto; }
.status { font-size:13px; padding:4px 12px; letter-spacing:.04em; text-transform:uppercase; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr)); gap:12px; margin-bottom:16px; }
.kpi { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.kpi .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.kpi .value { font-size:26px; font-weight:650; margin:2px 0; font-variant-numeric:tabular-nums; }
.kpi .value.bad { color:var(--warn); } .kpi .value.good { color:var(--ok); }
.kpi .sub { color:var(--muted); font-size:12px; }
.alert { border-radius:8px; padding:12px 16px; margin-bottom:16px; border:1px solid #f4c7ae; background:#fff6f1; color:#7c2d12; }
.alert.ok { border-color:#bfe3cb; background:#f2fbf5; color:#14532d; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
.grid2 > .card { margin-bottom:0; }
.row { margin-bottom:16px; }
.card h2 .muted { font-weight:400; font-size:12px; }
.legend { display:flex; gap:14px; font-size:12px; color:var(--muted); margin:-4px 0 6px; flex-wrap:wrap; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
.legend i.rule { height:0; border-top:2px dashed; border-radius:0; width:14px; vertical-align:3px; }
svg.chart { display:block; }
svg.chart .tick { font-size:11px; fill:#5d6677; font-variant-numeric:tabular-nums; }
svg.chart .tick.moved { fill:#c2410c; font-weight:600; }
svg.chart .label { font-size:12px; fill:#1d2330; }
svg.chart .rule { font-size:11px; font-weight:600; }
svg.chart .empty { font-size:13px; fill:#5d6677; }
table.tests td { padding:9px 10px; }
table.tests th.num, table.tests td.num { white-space:nowrap; }
.num { text-align:right; } .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12.5px; }
.small { font-size:12px; } .badge.muted-badge { background:#eef0f4; color:var(--muted); }
.regions { display:grid; grid-template-columns:repeat(auto-fill, minmax(520px, 1fr)); gap:12px; }
.region { border:1px solid var(--line); border-radius:8px; padding:12px 14px; background:#fcfcfd; }
.region header { display:flex; justify-content:space-between; align-items:center; margin-bottom:8px; }
.facts { display:grid; grid-template-columns:1fr 1fr; gap:4px 16px; margin:0 0 10px; }
.facts dt { color:var(--muted); font-size:11px; text-transform:uppercase; letter-spacing:.03em; }
.facts dd { margin:0; }
.examples { display:grid; grid-template-columns:repeat(6, 1fr); gap:8px; }
.example { margin:0; }
.example img, .example .text-input { width:100%; aspect-ratio:1; object-fit:cover; border-radius:6px; border:1px solid var(--line); background:#eef1f5; display:block; }
.example .text-input { font-size:11px; padding:6px; overflow:hidden; color:var(--muted); }
.example figcaption { font-size:11px; color:var(--muted); margin-top:3px; line-height:1.3; }
.example figcaption .mono { font-size:10.5px; word-break:break-all; }
.metric { display:inline-block; margin-right:10px; font-variant-numeric:tabular-nums; }
.method { font-size:12px; color:var(--muted); }
.method li { margin-bottom:3px; }
table.models td { padding:10px; vertical-align:middle; }
table.models a { color:var(--accent); text-decoration:none; font-weight:600; }
.ids summary { cursor:pointer; color:var(--accent); } .ids .mono { overflow-wrap:anywhere; margin-top:4px; max-width:360px; }
table.health td { padding:9px 10px; } table.health-counts { width:auto; margin:6px 0 10px; }
@media (max-width: 900px) { .kpis { grid-template-columns:1fr 1fr; } .grid2 { grid-template-columns:1fr; } }
`;
