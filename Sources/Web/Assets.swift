/// The pages' stylesheet, compiled in: the server never reads a file from disk to answer.
enum Assets {
    static let css = """
    :root { --ink: #1b1f24; --muted: #5b6470; --line: #d5dae1; --accent: #2f6fb0; --bad: #b3261e; --good: #1e7b34; --warn: #9a6700; }
    html { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); font-size: 15px; line-height: 1.6; }
    body { margin: 0; background: #f7f8fa; }
    header { background: #20324a; }
    header nav { display: flex; gap: 1.2em; padding: 0.6em 1.5em; flex-wrap: wrap; }
    header a { color: #fff; text-decoration: none; }
    header a.brand { font-weight: bold; margin-right: 1em; }
    main { max-width: 1280px; margin: 0 auto; padding: 1em 1.5em 3em; background: #fff; min-height: 80vh; }
    footer { text-align: center; color: var(--muted); font-size: 12px; padding: 1em; }
    h1 { font-size: 1.5em; margin: 0.4em 0; } h2 { font-size: 1.2em; margin-top: 1.4em; }
    a { color: var(--accent); }
    code { font-family: "Noto Sans Mono CJK SC", monospace; font-size: 0.92em; word-break: break-all; }
    table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 14px; }
    th, td { border: 1px solid var(--line); padding: 0.25em 0.6em; vertical-align: top; }
    thead th { background: #eef1f5; }
    tbody th[scope="row"] { text-align: left; font-weight: normal; }
    td.num, .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.num a { text-decoration: none; }
    td.num a:hover { text-decoration: underline; }
    tr.subtotal th, tr.subtotal td { font-weight: bold; background: #fafbfc; }
    tr.l0 th, tr.l0 td { font-weight: bold; background: #f1f4f8; }
    th.l2, .l2 > th.name { padding-left: 1.6em; } th.l3 { padding-left: 3em; } th.l4 { padding-left: 4.4em; }
    td.rate { white-space: nowrap; } .pct { display: inline-block; min-width: 4.2em; text-align: right; margin-right: 0.4em; font-variant-numeric: tabular-nums; }
    svg.bar { vertical-align: middle; } svg.bar .track { fill: #e3e7ec; } svg.bar .fill { fill: var(--accent); } svg.bar.over .fill { fill: var(--bad); }
    .sub, .note { color: var(--muted); font-size: 0.92em; }
    .error { color: var(--bad); } .ok { color: var(--good); }
    .damage { color: var(--bad); }
    dl.facts { display: grid; grid-template-columns: 8em 1fr; gap: 0.3em 1em; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
    form.filters { display: flex; flex-wrap: wrap; gap: 0.5em 1em; align-items: end; margin: 0.8em 0; padding: 0.6em; background: #f4f6f9; border: 1px solid var(--line); }
    form.filters label { font-size: 0.9em; color: var(--muted); }
    nav.tabs { margin: 0.6em 0; display: flex; flex-wrap: wrap; gap: 0.4em 1em; }
    .statements-layout { display: flex; gap: 1.5em; align-items: flex-start; }
    .statements-layout .tables { flex: 1; min-width: 0; overflow-x: auto; }
    aside.reconciliation { width: 300px; flex: none; border: 1px solid var(--line); padding: 0.6em 1em; background: #fbfcfd; font-size: 0.92em; position: sticky; top: 1em; }
    .statement table { width: 100%; } .statement caption { font-weight: bold; text-align: left; } .statement caption .unit { display: block; font-weight: normal; font-size: 0.85em; color: var(--muted); }
    th.code-col { width: 6em; } th.name-col { width: 14em; }
    .cell-value .figure { font-size: 1.6em; font-weight: bold; }
    ol.story li { margin: 0.3em 0; }
    ol.report-text { font-size: 13px; padding-left: 4em; } ol.report-text pre { margin: 0; white-space: pre-wrap; font-family: inherit; }
    ol.report-text li.mismatch { background: #fdecea; } ol.report-text li.rounding { background: #fff8e1; } ol.report-text li.unverifiable { background: #f1f3f5; }
    .finding { font-size: 12px; margin: 0.1em 0 0.4em; padding-left: 0.5em; border-left: 3px solid var(--line); } .finding.mismatch { border-color: var(--bad); } .finding.rounding { border-color: var(--warn); }
    @media print { header, footer, form, nav.tabs, .downloads, .pager { display: none; } main { max-width: none; padding: 0; } body { background: #fff; } a { color: inherit; text-decoration: none; } aside.reconciliation { position: static; } .statements-layout { display: block; } }
    """
}
