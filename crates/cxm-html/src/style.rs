//! The report's only stylesheet, inlined in the page: a calm screen layout, and a print
//! layout for A4 (each metric on a new page, no chart or table row cut across pages).

/// The Content-Security-Policy: nothing may be fetched; only the inline stylesheet, `data:`
/// images and the one inline script whose hash it names (sorting tables) apply.
pub fn csp() -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {}; base-uri 'none'; form-action 'none'",
        crate::sort::script_hash()
    )
}

/// The stylesheet.
pub const CSS: &str = r#"
:root{--ink:#1d2433;--muted:#5b6475;--line:#d9dee7;--soft:#f4f6f9;--accent:#0b5cab;--good:#1a7f4b;--bad:#b42318;--warn:#8a5a00}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff;font-size:15px;line-height:1.45}
body{margin:0}
main{max-width:1040px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:2rem;margin:0 0 .2rem}
h2{font-size:1.45rem;margin:2.4rem 0 .6rem;padding-top:.6rem;border-top:3px solid var(--accent)}
h3{font-size:1.1rem;margin:1.6rem 0 .5rem}
p{margin:.4rem 0 .8rem}
a{color:var(--accent)}
.muted{color:var(--muted)}
.small{font-size:.85rem}
.cover{padding:28px 0 8px;border-bottom:1px solid var(--line)}
.cover .subtitle{font-size:1.2rem;color:var(--muted);margin:0 0 1rem}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.2rem;margin:1rem 0}
.facts dt{color:var(--muted)}
.facts dd{margin:0}
nav.toc ol{columns:2;padding-left:1.2rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:14px;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:10px;padding:14px 16px;background:#fff;break-inside:avoid}
.card h3{margin:0 0 .3rem;font-size:1rem}
.card .headline{font-size:2rem;font-weight:650;line-height:1.1}
.card .unit{color:var(--muted);font-size:.8rem}
.card .line{font-size:.88rem;margin-top:.25rem}
.band{display:inline-block;padding:0 .5rem;border-radius:99px;background:var(--soft);border:1px solid var(--line);font-size:.8rem}
.up{color:var(--good)}.down{color:var(--bad)}.flat{color:var(--muted)}
.sig{font-weight:700}
.warn{color:var(--warn)}
.table-wrap{overflow-x:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{padding:.3rem .55rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
th.sortable{cursor:pointer}
th[aria-sort=ascending]::after{content:" ▲";font-size:.7em}
th[aria-sort=descending]::after{content:" ▼";font-size:.7em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.greyed td{color:#8a93a3}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}
figure.chart{margin:1rem 0 1.4rem;break-inside:avoid;page-break-inside:avoid}
figure.chart svg{display:block;width:100%;max-width:860px;height:auto}
figcaption{font-size:.82rem;color:var(--muted);margin-top:.3rem}
.metric-head{display:flex;flex-wrap:wrap;gap:.4rem 1.4rem;align-items:baseline;margin:.2rem 0 .6rem}
.metric-head .headline{font-size:1.6rem;font-weight:650}
.error{border-left:4px solid var(--bad);background:#fdf1f0;padding:.6rem .9rem}
.methods dt{font-weight:600;margin-top:.6rem}
.methods dd{margin:.1rem 0 .3rem 0}
footer{margin-top:3rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--line);padding-top:.8rem}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{
 html{font-size:10.5pt}
 main{max-width:none;padding:0}
 nav.toc{break-after:page}
 section.metric,section.methods,section.appendix{break-before:page}
 h2{border-top:none;margin-top:0}
 h2,h3{break-after:avoid}
 figure.chart,.card,tr,.facts{break-inside:avoid;page-break-inside:avoid}
 thead{display:table-header-group}
 .table-wrap{overflow:visible}
 a{color:inherit;text-decoration:none}
}
"#;
