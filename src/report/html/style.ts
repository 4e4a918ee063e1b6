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
--hang:#7a1f8f;--hang-bg:#f6e6fa;--cost:#8a4300;--cost-bg:#fdebd8;--shown:#0d6b63;--shown-bg:#dcf3ef;
--msg:#37618f;
--proc:#2456a6;--kernel:#6b3fa0;--nic:#a85a00;--peer:#0f766e;--note-bg:#fffbea;--note-line:#c9a93b;
--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
@media (prefers-color-scheme:dark){:root{--bg:#15181d;--bg2:#1e232a;--fg:#e6e8eb;--muted:#a0a7b1;--line:#3a414b;--accent:#8fb4f0;
--bad:#ff9b94;--bad-bg:#4a1c1c;--good:#8fd6a4;--good-bg:#173823;--unknown:#f2cd75;--unknown-bg:#3d3012;
--possible:#a9c7ff;--possible-bg:#1c2d4d;--impossible:#b9bec6;--impossible-bg:#2a2f37;
--hang:#e7a6f5;--hang-bg:#3b1b44;--cost:#f5b77a;--cost-bg:#3f2812;--shown:#7fdccf;--shown-bg:#133a36;
--msg:#93b8e6;
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
.scroll{overflow-x:auto;max-width:100%}
.matrix-scroll .matrix{min-width:78rem}
.matrix tbody th{position:sticky;left:0;z-index:2}
.grid-scroll .grid{min-width:52rem}
main,header.page,section{min-width:0;max-width:100%}
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
.bad,.violation{background:var(--bad-bg);color:var(--bad)}
.good,.proved{background:var(--good-bg);color:var(--good)}
.unknown,.unproved{background:var(--unknown-bg);color:var(--unknown)}
.possible{background:var(--possible-bg);color:var(--possible)}
.impossible,.not-shown{background:var(--impossible-bg);color:var(--impossible)}
.hang{background:var(--hang-bg);color:var(--hang)}
.cost{background:var(--cost-bg);color:var(--cost)}
.shown{background:var(--shown-bg);color:var(--shown)}
button.cell.violation{border-color:var(--bad);box-shadow:inset 0 0 0 1px var(--bad)}
button.cell.hang{border-color:var(--hang);border-style:double;border-width:3px}
button.cell.cost{border-color:var(--cost)}
button.cell.possible{border-style:dashed;border-color:var(--possible)}
button.cell.vacuous{border:2px dotted var(--unknown)}
button.cell .vac{color:var(--unknown);font-weight:600}
button.cell:hover,button.mini:hover{filter:brightness(.95);text-decoration:underline}
button.cell:focus-visible,button.mini:focus-visible,summary:focus-visible,.close:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
button.cell[aria-current=true],button.mini[aria-current=true]{outline:3px solid var(--fg);outline-offset:-3px}
.chip{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.conform td,.conform th{border:1px solid var(--line);padding:2px 6px;text-align:left}
.conform .cf-mismatch{background:var(--bad-bg);color:var(--bad)}
.conform .cf-match{background:var(--good-bg);color:var(--good)}
.conform .cf-nr{color:var(--muted)}
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
.seq .row.hit.m-violation>*{background-color:var(--bad-bg)}
.seq .row.hit.m-hang>*,.seq .row.waits>*{background-color:var(--hang-bg)}
.seq .row.hit.m-cost>*{background-color:var(--cost-bg)}
.seq .row.hit.m-possible>*{background-color:var(--possible-bg)}
.seq .row.hit.m-shown>*{background-color:var(--shown-bg)}
.seq .row.step{cursor:pointer}
.seq .row.step:hover>*{filter:brightness(.97)}
.seq .row.open>*{border-bottom:0}
.stepbtn{font:inherit;color:inherit;background:none;border:1px solid transparent;border-radius:3px;padding:0 .2rem;cursor:pointer;text-decoration:underline dotted}
.stepbtn[aria-expanded=true]{border-color:var(--accent);color:var(--accent)}
.stepbtn:focus-visible{outline:3px solid var(--accent)}
.seq .changes{position:sticky;left:0;max-width:calc(100vw - 2.5rem);padding:.3rem .5rem .5rem 3.8em;background:var(--bg2);border-bottom:1px solid var(--line);font-family:system-ui,sans-serif;min-width:0;overflow-x:auto}
.diff{font-size:.82rem;border-collapse:collapse}
.diff caption{font-weight:600;color:var(--fg)}
.diff th,.diff td{text-align:left;padding:.1rem .6rem .1rem 0;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
.diff td.none{color:var(--muted)}
.kind-tag{display:inline-block;white-space:nowrap;font-size:.72rem;font-weight:600;border:1px solid var(--line);border-radius:3px;padding:0 .3rem}
.kind-tag.pin{border-color:var(--bad);color:var(--bad)}.kind-tag.block{border-color:var(--nic);color:var(--nic)}
.kind-tag.lease{border-color:var(--kernel);color:var(--kernel)}.kind-tag.mr,.kind-tag.qp{border-color:var(--peer);color:var(--peer)}
.kind-tag.process{border-color:var(--proc);color:var(--proc)}
.seq .row.arrow>*{border-top:0;padding-top:0;padding-bottom:0;min-height:1.3rem}
.seq .row.arrow .n{font-size:10px}
.seq .c.a-start,.seq .c.a-mid,.seq .c.a-end{background-image:linear-gradient(to right,transparent calc(50% - 1px),var(--line) calc(50% - 1px),var(--line) calc(50% + 1px),transparent calc(50% + 1px)),linear-gradient(var(--msg),var(--msg));background-repeat:no-repeat;background-size:100% 100%,100% 2px;background-position:0 0,0 50%}
.seq .c.a-start.a-r,.seq .c.a-end.a-l{background-size:100% 100%,50% 2px;background-position:0 0,100% 50%}
.seq .c.a-start.a-l,.seq .c.a-end.a-r{background-size:100% 100%,50% 2px;background-position:0 0,0 50%}
.seq .row.arrow.sigio .c{--msg:var(--kernel)}.seq .row.arrow.cancel .c{--msg:var(--hang)}.seq .row.arrow.rdma .c{--msg:var(--nic)}
.seq .c.a-end{position:relative}
.seq .c.a-end.a-r .head{right:calc(50% - 1px)}
.seq .c.a-end.a-l .head{left:calc(50% - 1px)}
.box .out{font:10px/1.3 system-ui,sans-serif;color:var(--msg)}
.seq .c .head{color:var(--msg);font-size:11px;line-height:1;position:absolute;top:calc(50% - .5em);z-index:1}
.seq .c .lbl{font:10px/1.2 system-ui,sans-serif;color:var(--msg);background:var(--bg);padding:0 .25rem;border-radius:2px;position:relative;z-index:1;overflow-wrap:anywhere;max-width:100%}
.box{background:var(--bg);border:1.5px solid var(--line);border-radius:4px;padding:.25rem .45rem;max-width:100%;overflow-wrap:anywhere;position:relative;z-index:1}
.box.proc{border-color:var(--proc)}.box.kernel{border-color:var(--kernel)}.box.nic{border-color:var(--nic)}.box.peer{border-color:var(--peer)}
.box.hit{border:2.5px solid var(--bad);box-shadow:0 0 0 2px var(--bad-bg)}
.box.hit.m-hang,.box.waits{border:2.5px dashed var(--hang);box-shadow:0 0 0 2px var(--hang-bg)}
.box.hit.m-cost{border-color:var(--cost);box-shadow:0 0 0 2px var(--cost-bg)}
.box.hit.m-possible{border-color:var(--possible);box-shadow:0 0 0 2px var(--possible-bg)}
.box.hit.m-shown{border-color:var(--shown);box-shadow:0 0 0 2px var(--shown-bg)}
.note{background:var(--note-bg);border:1px dashed var(--note-line);border-radius:3px;padding:.1rem .35rem;font-size:11px;max-width:100%;overflow-wrap:anywhere;position:relative;z-index:1}
.mark{display:inline-block;margin:.15rem .2rem 0 0;font:600 11px/1.3 system-ui,sans-serif;border-radius:3px;padding:0 .3rem}
.mark.focus{outline:1.5px solid currentColor}
.seq .n.cyc{color:var(--hang);font-weight:700;white-space:nowrap}
.why.reason{border-left:3px solid var(--hang);padding-left:.5rem}
.vac{color:var(--unknown);font-size:.8rem}
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
button.mini.violation{outline:1px solid var(--bad);outline-offset:-1px}
button.mini.hang{outline:1px dashed var(--hang);outline-offset:-1px}
button.mini.vacuous{outline:1px dotted var(--unknown);outline-offset:-2px}
.results{font-size:.85rem;padding-left:1.2rem;margin:.3rem 0}
.results li{margin:.15rem 0;overflow-wrap:anywhere}
.results button.mini{width:auto;display:inline-block;padding:0 .35rem;margin:.1rem .15rem;font-size:.75rem}
.res-h,.cov-h{font-size:.85rem;margin:.5rem 0 .1rem}
.coverage{font-size:.85rem;margin:.1rem 0}
.src-head{font:12px/1.4 var(--mono);background:var(--note-bg);border-left:3px solid var(--note-line);padding:.4rem .6rem;margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
details.source{margin:.3rem 0 .5rem}
details.source>summary{cursor:pointer;font-size:.85rem}
pre.src{font:12px/1.4 var(--mono);background:var(--bg2);border:1px solid var(--line);border-radius:4px;padding:.5rem .7rem;overflow-x:auto;max-width:100%;margin:.3rem 0}
.matrix th.group{font-size:.8rem;letter-spacing:.04em;text-transform:uppercase;border-bottom:2px solid var(--line)}
.matrix th.group.safety{color:var(--bad)}.matrix th.group.cost{color:var(--cost)}.matrix th.group.capability{color:var(--possible)}
.failures{font-size:.85rem}
footer.page{margin-top:2.5rem;color:var(--muted);font-size:.82rem;border-top:1px solid var(--line)}
@media (max-width:700px){
  body{padding:.6rem .6rem 2rem}
  h1{font-size:1.25rem}
  h1 small{display:block;margin:0}
  .stat{min-width:0;flex:1 1 40%}
  .defs>div{grid-template-columns:1fr;gap:.1rem}
  .index{columns:1;padding-left:1.2rem}
  .drill{padding:.5rem .5rem .7rem;margin:.8rem 0}
  .drill-head{flex-wrap:wrap}
  details.witness>.body{padding:.3rem}
  .seq{max-width:100%}
  .seq .changes{padding-left:.5rem}
  .legend{gap:.3rem .8rem}
  .legend .chip{min-width:0}
  .replay{font-size:.78rem}
  .nowit{display:block;overflow-x:auto;max-width:100%}
  .matrix th.corner{width:7.5rem}
  .matrix-scroll .matrix{min-width:70rem}
}
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
.matrix-scroll .matrix.with-costs{min-width:104rem}
.matrix td.measured,.grid.costs td.measured{text-align:right;font-size:.76rem;font-variant-numeric:tabular-nums;padding:.2rem .3rem;background:var(--cost-bg)}
.matrix td.measured .ci{display:block;color:var(--muted);font-size:.68rem;white-space:nowrap}
.token{font-family:var(--mono);font-size:.74rem;overflow-wrap:anywhere}
`;
