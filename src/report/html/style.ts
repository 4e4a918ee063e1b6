/**
 * The stylesheet: system fonts only, light and dark, print-friendly.
 *
 * It is inlined into the page's one `<style>` element, because the
 * Content-Security-Policy allows no stylesheet from anywhere else.
 */

export const STYLE = `
:root{--bg:#fff;--bg2:#f6f7f9;--fg:#1d2127;--muted:#5f6670;--line:#c9ced6;--accent:#2456a6;
--bad:#a4161a;--bad-bg:#fde8e7;--good:#1c6b38;--good-bg:#e5f3e9;--unknown:#7a5200;--unknown-bg:#fff3d1;
--possible:#1d4f99;--possible-bg:#e2ecfb;--impossible:#4b5058;--impossible-bg:#eceef1;
--proc:#2456a6;--kernel:#6b3fa0;--nic:#a85a00;--peer:#0f766e;--note-bg:#fffbea;--note-line:#c9a93b;
--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
@media (prefers-color-scheme:dark){:root{--bg:#15181d;--bg2:#1e232a;--fg:#e6e8eb;--muted:#a0a7b1;--line:#3a414b;--accent:#8fb4f0;
--bad:#ff9b94;--bad-bg:#4a1c1c;--good:#8fd6a4;--good-bg:#173823;--unknown:#f2cd75;--unknown-bg:#3d3012;
--possible:#a9c7ff;--possible-bg:#1c2d4d;--impossible:#b9bec6;--impossible-bg:#2a2f37;
--proc:#8fb4f0;--kernel:#c9a6f2;--nic:#f2b36b;--peer:#6fd3c7;--note-bg:#2d2916;--note-line:#8a7630}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0 auto;max-width:1400px;padding:1rem 1.25rem 3rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:1.55rem;margin:.2rem 0 .3rem}
h1 small{font-weight:400;color:var(--muted);font-size:1rem;margin-left:.4rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.6rem 0 .3rem}
code{font-family:var(--mono);font-size:.92em}
a{color:var(--accent)}
.muted{color:var(--muted)}
.lede{margin:.1rem 0 .6rem;color:var(--muted)}
.hint{color:var(--muted);margin:.2rem 0 .6rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.totals{display:flex;flex-wrap:wrap;gap:.5rem;margin:.4rem 0}
.stat{border:1px solid var(--line);border-radius:6px;padding:.3rem .7rem;min-width:8.5rem;background:var(--bg2)}
.stat dt{font-size:.78rem;color:var(--muted)}
.stat dd{margin:0;font-size:1.2rem;font-weight:600;font-variant-numeric:tabular-nums}
.stat.bad{border-color:var(--bad);background:var(--bad-bg)}.stat.bad dd{color:var(--bad)}
.stat.unknown{border-color:var(--unknown);background:var(--unknown-bg)}
.stat.good dd{color:var(--good)}
.toc a{margin-right:1rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
caption{text-align:left;color:var(--muted);font-size:.85rem;padding:.2rem 0}
.matrix{width:100%;table-layout:fixed}
.matrix th,.matrix td{border:1px solid var(--line);padding:1px;vertical-align:middle}
.matrix thead th{font-size:.76rem;font-weight:600;padding:.3rem 0;text-align:center;background:var(--bg2)}
.matrix th.corner{width:10.5rem;text-align:left;padding-left:.5rem}
.pname{display:block;font-family:var(--mono);font-size:.68rem;line-height:1.25;overflow-wrap:anywhere}
.kind{display:block;font-weight:400;color:var(--muted);font-size:.72rem}
.matrix tbody th{text-align:left;padding:.25rem .5rem;background:var(--bg2);font-weight:400}
.pol{display:block;font-family:var(--mono);font-weight:700}
.sub{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;font-size:.72rem;color:var(--muted);line-height:1.25}
button.cell{display:flex;flex-direction:column;align-items:center;justify-content:center;width:100%;min-height:3.6rem;border:1px solid transparent;border-radius:4px;padding:.2rem 0;font:inherit;font-size:.76rem;font-stretch:condensed;overflow:hidden;line-height:1.25;cursor:pointer}
button.cell .v{font-weight:700;font-size:.78rem;white-space:nowrap}
button.cell .d{color:inherit;opacity:.85;white-space:nowrap}
.bad{background:var(--bad-bg);color:var(--bad)}
.good{background:var(--good-bg);color:var(--good)}
.unknown{background:var(--unknown-bg);color:var(--unknown)}
.possible{background:var(--possible-bg);color:var(--possible)}
.impossible{background:var(--impossible-bg);color:var(--impossible)}
button.cell.bad{border-color:var(--bad);box-shadow:inset 0 0 0 1px var(--bad)}
button.cell.possible{border-style:dashed;border-color:var(--possible)}
button.cell:hover,button.mini:hover{filter:brightness(.95);text-decoration:underline}
button.cell:focus-visible,button.mini:focus-visible,summary:focus-visible,.close:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
button.cell[aria-current=true],button.mini[aria-current=true]{outline:3px solid var(--fg);outline-offset:-3px}
.chip{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.legend{list-style:none;padding:0;margin:.6rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.6rem;font-size:.85rem}
.legend .chip{min-width:8rem}
.defs{margin:.3rem 0;font-size:.88rem}
.defs>div{display:grid;grid-template-columns:14rem 1fr;gap:1rem;padding:.2rem 0;border-bottom:1px solid var(--line)}
.defs dt{font-weight:600}
.defs dt .kind{display:inline;margin-left:.3rem}
.defs dd{margin:0;overflow-wrap:anywhere}
.drill{margin:1.2rem 0;padding:.8rem 1rem 1rem;border:2px solid var(--accent);border-radius:8px;background:var(--bg)}
.drill-head{display:flex;align-items:flex-start;gap:1rem}
.drill-head h2{flex:1;margin:0;border:0;font-size:1.2rem}
.drill-head h2:focus{outline:none}
.close{font:inherit;border:1px solid var(--line);background:var(--bg2);color:var(--fg);border-radius:4px;padding:.15rem .6rem;cursor:pointer}
.drill .about{margin:.3rem 0;font-size:.88rem}
.drill .verdict{font-size:1rem;margin:.5rem 0}
details.witness{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;background:var(--bg)}
details.witness>summary{cursor:pointer;padding:.4rem .6rem;background:var(--bg2);border-radius:6px}
details.witness .msg{display:block;margin:.1rem 0 0 1.2rem;font-size:.82rem;color:var(--muted)}
details.witness[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details.witness>.body{padding:.6rem}
.nowit{font-size:.85rem;border-collapse:collapse;margin:.4rem 0}
.nowit tr.picked td{background:var(--unknown-bg);font-weight:600}
.nowit td,.nowit th{border-bottom:1px solid var(--line);padding:.15rem .6rem .15rem 0;text-align:left}
.seq{display:grid;border:1px solid var(--line);border-radius:4px;font:12px/1.35 var(--mono);overflow-x:auto;background:var(--bg)}
.seq>.row{display:contents}
.seq .hd{padding:.35rem .3rem;text-align:center;background:var(--bg2);border-bottom:2px solid var(--line);font-family:system-ui,sans-serif;font-size:.82rem}
.seq .hd b{display:block;font-family:var(--mono);overflow-wrap:anywhere}
.seq .hd small{color:var(--muted)}
.seq .hd.proc b{color:var(--proc)}.seq .hd.kernel b{color:var(--kernel)}.seq .hd.nic b{color:var(--nic)}.seq .hd.peer b{color:var(--peer)}
.seq .c{padding:.3rem .35rem;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:.2rem;min-width:0;
background-image:linear-gradient(to right,transparent calc(50% - 1px),var(--line) calc(50% - 1px),var(--line) calc(50% + 1px),transparent calc(50% + 1px))}
.seq .c.link{background-image:linear-gradient(to right,transparent calc(50% - 1px),var(--line) calc(50% - 1px),var(--line) calc(50% + 1px),transparent calc(50% + 1px)),repeating-linear-gradient(to right,var(--kernel) 0 5px,transparent 5px 9px);background-size:100% 100%,100% 2px;background-position:0 0,0 50%;background-repeat:no-repeat}
.seq .n{padding:.3rem .4rem;text-align:right;color:var(--muted);font-variant-numeric:tabular-nums;display:flex;flex-direction:column;align-items:flex-end;justify-content:center}
.seq .row>*{border-top:1px solid color-mix(in srgb,var(--line) 45%,transparent)}
.seq .row.hit>*{background-color:var(--bad-bg)}
.seq .row.reach>*{background-color:var(--possible-bg)}
.box{background:var(--bg);border:1.5px solid var(--line);border-radius:4px;padding:.25rem .45rem;max-width:100%;overflow-wrap:anywhere;position:relative;z-index:1}
.box.proc{border-color:var(--proc)}.box.kernel{border-color:var(--kernel)}.box.nic{border-color:var(--nic)}.box.peer{border-color:var(--peer)}
.box.hit{border:2.5px solid var(--bad);box-shadow:0 0 0 2px var(--bad-bg)}
.note{background:var(--note-bg);border:1px dashed var(--note-line);border-radius:3px;padding:.1rem .35rem;font-size:11px;max-width:100%;overflow-wrap:anywhere;position:relative;z-index:1}
.mark{display:inline-block;margin:.15rem .2rem 0 0;font:600 11px/1.3 system-ui,sans-serif;border-radius:3px;padding:0 .3rem}
.mark.focus{outline:1.5px solid currentColor}
.seq .n.cyc{color:var(--unknown);font-weight:700;white-space:nowrap}
.why{margin:.6rem 0 .3rem}
.replay{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem .6rem;margin:.3rem 0;font-size:.85rem}
.replay code{user-select:all;-webkit-user-select:all;background:var(--bg2);border:1px solid var(--line);border-radius:3px;padding:.1rem .4rem;overflow-wrap:anywhere}
.index{columns:2 28rem;column-gap:2.5rem;font-size:.88rem;padding-left:1.6rem}
.index li{break-inside:avoid}
.scenario .meta{margin:.1rem 0 .4rem;font-size:.85rem;color:var(--muted)}
.ref{font-weight:700}
.lane-name{font-family:var(--mono);border:1px solid var(--line);border-radius:3px;padding:0 .3rem;font-size:.8rem}
.grid{width:100%;table-layout:fixed;font-size:.8rem}
.grid th,.grid td{border:1px solid var(--line);padding:1px;text-align:center}
.grid thead th{font-family:var(--mono);font-weight:600;font-size:.6rem;overflow-wrap:anywhere;background:var(--bg2);padding:.2rem .1rem;line-height:1.2}
.grid th.corner{width:7.5rem}
.grid thead th:last-child{width:7rem}
.grid tbody th{font-family:var(--mono);text-align:left;padding:0 .4rem;background:var(--bg2);font-weight:600}
.grid td.exp{text-align:left;padding:1px .3rem}
.grid td.exp .chip{font-size:.72rem}
button.mini{width:100%;border:0;border-radius:2px;font:600 .8rem/1.5 var(--mono);cursor:pointer;padding:.1rem 0}
button.mini.good,button.mini.impossible{font-weight:400}
button.mini.bad{outline:1px solid var(--bad);outline-offset:-1px}
.failures{font-size:.85rem}
footer.page{margin-top:2.5rem;color:var(--muted);font-size:.82rem;border-top:1px solid var(--line)}
@media print{
  :root{--bg:#fff;--bg2:#fff;--fg:#000}
  html,body{background:#fff;color:#000}
  body{max-width:none;padding:0;font-size:9.5pt}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .no-print,.toc,.close,.hint,noscript{display:none!important}
  .scroll{overflow:visible}
  button.cell,button.mini{min-height:0;border-width:1px;cursor:default}
  .drill{border:1px solid #000;break-before:page}
  .scenario,.seq,tr{break-inside:avoid}
  details.witness>summary{list-style:none}
  a{color:inherit;text-decoration:none}
}
`;
