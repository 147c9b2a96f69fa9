/** The app's only stylesheet: small, mobile first, no build step. */
export const STYLESHEET = `
:root { --ink:#1d2433; --muted:#5b6577; --line:#dde2ea; --bg:#f5f7fa; --brand:#0b6e4f; --warn:#b54708; --bad:#b42318; --ok:#067647; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header.top { background:var(--brand); color:#fff; padding:.6rem 1rem; display:flex; flex-wrap:wrap; gap:.4rem 1rem; align-items:center; }
header.top a, header.top button { color:#fff; text-decoration:none; font-weight:600; background:none; border:0; font-size:1rem; cursor:pointer; padding:0; }
header.top .who { margin-left:auto; font-weight:400; opacity:.9; }
main { max-width:1100px; margin:0 auto; padding:1rem; }
h1 { font-size:1.4rem; margin:.2rem 0 1rem; } h2 { font-size:1.1rem; margin:1.2rem 0 .5rem; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:1rem; margin-bottom:1rem; }
.card h3 { margin:0 0 .3rem; font-size:1.05rem; }
.muted { color:var(--muted); } .small { font-size:.875rem; }
.badge { display:inline-block; padding:.1rem .5rem; border-radius:999px; font-size:.8rem; background:#eef2f6; margin-right:.25rem; }
.badge.bad { background:#fee4e2; color:var(--bad); } .badge.warn { background:#fef0c7; color:var(--warn); } .badge.ok { background:#dcfae6; color:var(--ok); }
.flash { padding:.7rem 1rem; border-radius:8px; margin-bottom:1rem; background:#dcfae6; border:1px solid #abefc6; }
.flash.error { background:#fee4e2; border-color:#fecdca; }
.errors { color:var(--bad); margin:.25rem 0 .5rem; padding-left:1.2rem; }
form.inline { display:inline; }
.buttons { display:flex; flex-wrap:wrap; gap:.4rem; margin-top:.6rem; }
button, .button { font:inherit; padding:.5rem .9rem; border-radius:8px; border:1px solid var(--line); background:#fff; color:var(--ink); cursor:pointer; text-decoration:none; display:inline-block; min-height:44px; }
button.primary, .button.primary { background:var(--brand); color:#fff; border-color:var(--brand); }
button.danger { color:var(--bad); border-color:#fecdca; }
label { display:block; font-weight:600; margin:.6rem 0 .2rem; font-size:.9rem; }
input, select, textarea { font:inherit; width:100%; padding:.5rem; border:1px solid var(--line); border-radius:8px; background:#fff; }
textarea { min-height:5rem; }
pre.script { white-space:pre-wrap; background:#f8fafc; border:1px dashed var(--line); border-radius:8px; padding:.6rem; margin:.4rem 0; font:inherit; }
table { width:100%; border-collapse:collapse; background:#fff; }
th, td { text-align:left; padding:.45rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
td { overflow-wrap:anywhere; }
th { font-size:.85rem; color:var(--muted); }
.filters { display:grid; grid-template-columns:repeat(auto-fit, minmax(140px, 1fr)); gap:.5rem; align-items:end; }
.filters label { margin:0; font-weight:400; font-size:.8rem; }
.grid2 { display:grid; grid-template-columns:1fr; gap:1rem; }
@media (min-width: 800px) { .grid2 { grid-template-columns:2fr 1fr; } }
ol.timeline { list-style:none; padding:0; margin:0; }
ol.timeline li { border-left:3px solid var(--line); padding:.2rem 0 .6rem .8rem; }
ol.timeline li.done { border-color:var(--ok); } ol.timeline li.missed { border-color:var(--bad); } ol.timeline li.planned, ol.timeline li.due { border-color:var(--warn); }
.table-wrap { overflow-x:auto; }
.chart { background:#fff; border:1px solid var(--line); border-radius:10px; padding:.5rem; margin-bottom:1rem; overflow-x:auto; }
.chart svg { max-width:100%; height:auto; }
@media (max-width: 640px) { table.responsive thead { display:none; } table.responsive td { display:block; border:0; padding:.15rem .5rem; } table.responsive tr { display:block; border-bottom:1px solid var(--line); padding:.4rem 0; } }
`;

/** Copy buttons: the one bit of script the app needs (no inline script, so the CSP can forbid it). */
export const SCRIPT = `
document.addEventListener('click', function (e) {
  var button = e.target.closest('[data-copy]');
  if (!button) return;
  var source = document.getElementById(button.getAttribute('data-copy'));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent).then(function () {
    var label = button.textContent; button.textContent = 'Copiado'; setTimeout(function () { button.textContent = label; }, 1500);
  });
});
`;
