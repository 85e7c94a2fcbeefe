/** The report's stylesheet: inline, light and dark, no web fonts (the file must work offline). */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --surface: #ffffff; --surface-2: #f0f2f5; --border: #e3e6eb; --text: #121826;
  --muted: #5f6b7c; --faint: #98a2b3; --accent: #5b4cf0; --accent-soft: #ecebfe;
  --ok: #12915b; --ok-soft: #e3f6ec; --warn: #b4690e; --warn-soft: #fdf1de; --bad: #d0342c; --bad-soft: #fdebea;
  --oxen: #7a5af8; --edenai: #0e9f8e; --other: #d9730d;
  --check-a: #eceff3; --check-b: #f8f9fb;
  --shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 8%);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0c0f14; --surface: #151a22; --surface-2: #1b212b; --border: #2a313d; --text: #e8ebf1;
    --muted: #a0a9b8; --faint: #6b7585; --accent: #a59bff; --accent-soft: #27235a;
    --ok: #4ad295; --ok-soft: #10291e; --warn: #f2b457; --warn-soft: #2e2210; --bad: #ff7a70; --bad-soft: #34171a;
    --oxen: #a48bff; --edenai: #3fd0bd; --other: #f5a04a;
    --check-a: #1d232d; --check-b: #232a35;
    --shadow: 0 1px 2px rgb(0 0 0 / 40%);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.55 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  -webkit-font-smoothing: antialiased;
}
main { max-width: 1200px; margin: 0 auto; padding: 40px 28px 56px; }
h1, h2, h3 { margin: 0; letter-spacing: -0.01em; }
h2 { font-size: 18px; font-weight: 650; margin-bottom: 14px; }
.num, td.num, .metric dd { font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "SF Mono", "Cascadia Code", Menlo, Consolas, monospace; font-size: 0.92em; }

.hero { margin-bottom: 28px; }
.eyebrow { display: flex; gap: 10px; align-items: center; color: var(--muted); font-size: 13px; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; }
.eyebrow .logo { width: 22px; height: 22px; border-radius: 7px; background: linear-gradient(135deg, var(--oxen), var(--edenai)); display: inline-block; }
.prompt { font-size: clamp(22px, 3.2vw, 32px); line-height: 1.25; font-weight: 680; margin: 12px 0 10px; max-width: 28em; }
.prompt::before { content: "\\201C"; color: var(--faint); }
.prompt::after { content: "\\201D"; color: var(--faint); }
.prompt.manifest::before, .prompt.manifest::after { content: none; }
.meta { color: var(--muted); font-size: 14px; display: flex; flex-wrap: wrap; gap: 6px 14px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--accent-soft); color: var(--accent); }

.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 14px; margin-bottom: 32px; }
.stat { background: var(--surface); border: 1px solid var(--border); border-radius: 14px; padding: 14px 16px; box-shadow: var(--shadow); }
.stat dt { color: var(--muted); font-size: 12.5px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; }
.stat dd { margin: 4px 0 0; font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.stat dd small { display: block; font-size: 13px; font-weight: 500; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

section { margin-bottom: 36px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 18px; align-items: start; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 16px; overflow: hidden; box-shadow: var(--shadow); }
.card.input { outline: 2px solid var(--accent); outline-offset: -2px; }
.shot { margin: 0; aspect-ratio: var(--ratio, 3 / 2); display: grid; place-items: center; overflow: hidden;
  background: repeating-conic-gradient(var(--check-a) 0 25%, var(--check-b) 0 50%) 0 0 / 16px 16px; }
.shot img { width: 100%; height: 100%; object-fit: contain; display: block; }
.shot.failed { background: var(--bad-soft); color: var(--bad); text-align: center; padding: 16px; }
.shot.failed svg { width: 34px; height: 34px; margin: 0 auto 6px; display: block; }
.shot.failed span { font-weight: 600; font-size: 14px; }
.thumbs { display: flex; gap: 6px; padding: 8px 12px 0; flex-wrap: wrap; }
.thumbs figure { margin: 0; width: 52px; }
.thumbs img { width: 52px; height: 38px; object-fit: cover; border-radius: 6px; border: 1px solid var(--border); display: block; }
.thumbs figcaption { font-size: 11px; color: var(--faint); text-align: center; }
.body { padding: 12px 14px 14px; }
.title { display: flex; align-items: start; justify-content: space-between; gap: 10px; }
.title h3 { font-size: 15px; font-weight: 650; word-break: break-word; }
.chips { display: flex; flex-wrap: wrap; gap: 5px; margin: 6px 0 10px; }
.chip { font-size: 11.5px; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: var(--surface-2); color: var(--muted); border: 1px solid var(--border); }
.chip.p-oxen { color: var(--oxen); } .chip.p-edenai { color: var(--edenai); } .chip.p-other { color: var(--other); }
.chip.best { background: var(--accent-soft); color: var(--accent); border-color: transparent; }
.pill { flex: none; font-size: 11.5px; font-weight: 700; padding: 2px 9px; border-radius: 999px; text-transform: uppercase; letter-spacing: 0.04em; }
.pill.succeeded { background: var(--ok-soft); color: var(--ok); }
.pill.partial { background: var(--warn-soft); color: var(--warn); }
.pill.failed { background: var(--bad-soft); color: var(--bad); }
.metrics { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin: 0; }
.metric dt { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; font-weight: 600; }
.metric dd { margin: 1px 0 0; font-weight: 650; font-size: 15px; }
.metric dd small { display: block; font-weight: 500; font-size: 11.5px; color: var(--faint); }
.input-meta { color: var(--muted); font-size: 13px; margin-top: 4px; }
.error { margin-top: 10px; background: var(--bad-soft); color: var(--bad); border-radius: 10px; padding: 8px 10px; font-size: 13px; word-break: break-word; }
.error strong { display: block; font-size: 12.5px; font-weight: 700; }
details.warnings { margin-top: 10px; font-size: 13px; color: var(--warn); }
details.warnings summary { cursor: pointer; font-weight: 600; }
details.warnings ul { margin: 6px 0 0; padding-left: 18px; color: var(--muted); }

.panel { background: var(--surface); border: 1px solid var(--border); border-radius: 16px; padding: 18px 18px 12px; box-shadow: var(--shadow); }
.chart { width: 100%; height: auto; display: block; font-family: inherit; }
.chart .grid { stroke: var(--border); stroke-width: 1; }
.chart .axis { stroke: var(--faint); stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 11.5px; font-variant-numeric: tabular-nums; }
.chart .axis-title { fill: var(--muted); font-size: 12px; font-weight: 600; }
.chart .hint { fill: var(--faint); font-size: 11.5px; }
.chart .label { fill: var(--text); font-size: 12px; font-weight: 600; paint-order: stroke; stroke: var(--surface); stroke-width: 4px; stroke-linejoin: round; }
.chart .frontier { fill: none; stroke: var(--accent); stroke-width: 1.5; stroke-dasharray: 5 5; opacity: 0.7; }
.chart .dot { stroke: var(--surface); stroke-width: 2; }
.chart .halo { fill: none; stroke-width: 2; opacity: 0.35; }
.chart .whisker line { stroke-width: 2; opacity: 0.55; }
.chart .p-oxen.dot { fill: var(--oxen); } .chart .p-oxen.halo, .chart .p-oxen line { stroke: var(--oxen); }
.chart .p-edenai.dot { fill: var(--edenai); } .chart .p-edenai.halo, .chart .p-edenai line { stroke: var(--edenai); }
.chart .p-other.dot { fill: var(--other); } .chart .p-other.halo, .chart .p-other line { stroke: var(--other); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; color: var(--muted); font-size: 13px; margin: 8px 4px 4px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
.legend .p-oxen { background: var(--oxen); } .legend .p-edenai { background: var(--edenai); } .legend .p-other { background: var(--other); }
.legend .dash { width: 18px; height: 0; border-radius: 0; border-top: 2px dashed var(--accent); vertical-align: 3px; }
.insights { display: grid; grid-template-columns: minmax(0, 1.8fr) minmax(240px, 1fr); gap: 18px; align-items: start; }
@media (max-width: 900px) { .insights { grid-template-columns: 1fr; } }
.panel h3 { font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; font-weight: 650; margin: 2px 0 12px; }
.panel h3 + .bars { margin-bottom: 22px; }
.bars { list-style: none; margin: 0; padding: 0; }
.bars li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 3px 10px; font-size: 13px; margin-bottom: 10px; }
.bars .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bars .value { font-weight: 650; font-variant-numeric: tabular-nums; }
.bars .track { grid-column: 1 / -1; height: 7px; border-radius: 999px; background: var(--surface-2); overflow: hidden; }
.bars .track span { display: block; height: 100%; border-radius: inherit; min-width: 4px; }
.bars .p-oxen { background: var(--oxen); } .bars .p-edenai { background: var(--edenai); } .bars .p-other { background: var(--other); }
.note { color: var(--muted); font-size: 13px; margin: 6px 4px 0; }

.table-wrap { overflow-x: auto; background: var(--surface); border: 1px solid var(--border); border-radius: 16px; box-shadow: var(--shadow); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 10px 12px; text-align: left; border-bottom: 1px solid var(--border); white-space: nowrap; }
th { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; font-weight: 650; background: var(--surface-2); }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td small { color: var(--faint); }
td small.via { display: block; color: var(--muted); font-size: 12px; margin-top: 1px; }
td small.via i { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; vertical-align: 0; }
td small.via .p-oxen { background: var(--oxen); } td small.via .p-edenai { background: var(--edenai); } td small.via .p-other { background: var(--other); }
td .pill { font-size: 10.5px; }
table.lines td { white-space: normal; vertical-align: middle; }
.error-line { color: var(--bad); font-size: 13px; word-break: break-word; }

footer { color: var(--faint); font-size: 13px; border-top: 1px solid var(--border); padding-top: 16px; display: flex; flex-wrap: wrap; gap: 6px 18px; justify-content: space-between; }
footer a { color: var(--muted); }
.sort { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 0 0 14px; font-size: 13px; color: var(--muted); }
.sort input { position: absolute; opacity: 0; pointer-events: none; }
.sort label { border: 1px solid var(--border); border-radius: 999px; padding: 3px 10px; cursor: pointer; background: var(--surface); }
.sort input:checked + label { background: var(--accent); border-color: var(--accent); color: #fff; }
.sort input:focus-visible + label { outline: 2px solid var(--accent); outline-offset: 2px; }
.before-after { position: relative; container-type: inline-size; }
.before-after .before { position: absolute; top: 0; left: 0; bottom: 0; width: 50%; min-width: 14px; max-width: 100%; overflow: hidden; resize: horizontal; border-right: 2px solid #fff; box-shadow: 1px 0 0 rgba(0, 0, 0, .35); }
.before-after .before img { width: 100cqw; max-width: none; height: 100%; object-fit: contain; display: block; }
.before-after .before::-webkit-resizer { background: linear-gradient(135deg, transparent 45%, #fff 45%, #fff 60%, transparent 60%); }
.tag, .shot.diff figcaption { position: absolute; font-size: 11px; line-height: 1.5; background: rgba(0, 0, 0, .6); color: #fff; padding: 0 6px; border-radius: 6px; pointer-events: none; }
.tag { top: 6px; } .tag-before { left: 6px; } .tag-after { right: 6px; }
.shot.diff { position: relative; border-top: 1px solid var(--border); }
.shot.diff figcaption { left: 6px; bottom: 6px; }
.metrics.measures { grid-template-columns: repeat(auto-fit, minmax(56px, 1fr)); margin-top: 8px; }
.verdict { font-size: 13px; color: var(--muted); margin: 8px 0 0; }
table.lines .thumb { width: 64px; height: 48px; object-fit: cover; border-radius: 6px; margin-right: 4px; vertical-align: middle; background: var(--surface-2); }
body:has(#lines-failed:checked) tr.line:not(.failed) { display: none; }
body:has(#lines-possibly-billed:checked) tr.line:not(.possibly-billed) { display: none; }
.measure-key { display: grid; gap: 4px; font-size: 13px; color: var(--muted); margin: 10px 0 0; }
.measure-key div { display: flex; gap: 10px; } .measure-key dt { font-weight: 600; min-width: 84px; } .measure-key dd { margin: 0; }
@media (max-width: 560px) { main { padding: 24px 14px 40px; } .metrics { grid-template-columns: repeat(2, 1fr); } }
@media print { body { background: #fff; } .card, .panel, .stat, .table-wrap { box-shadow: none; break-inside: avoid; } }
`;
