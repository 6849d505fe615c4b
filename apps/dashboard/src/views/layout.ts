import { html, raw, type SafeHtml } from './html';

/** Inline CSS: the pages work without JavaScript and without any other request. */
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f5f6f8}
header.top{background:#1d2430;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header.top a{color:#fff;text-decoration:none;margin-right:.8rem}
header.top strong{margin-right:1rem}
main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.35rem;margin:.2rem 0 .8rem;word-break:break-all}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
section.card>h2:first-child{margin-top:.2rem}
section.card>p:first-child{margin-top:.2rem}
section.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.8rem 1rem;margin:0 0 1rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;min-width:560px;background:#fff}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e6e8ec;vertical-align:top}
th{background:#eef0f3;font-weight:600;white-space:nowrap}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:3px;font-size:.82rem;font-weight:600;white-space:nowrap}
.ok{background:#d9f2e1;color:#14622f}.bad{background:#fbdcdc;color:#8c1c1c}.warn{background:#fff0c7;color:#7a5400}
.info{background:#dde9fb;color:#1b4a8c}.muted{background:#eceef1;color:#4a5260}
.st{display:inline-block;font-family:ui-monospace,monospace;font-size:.85rem;padding:0 .3rem;margin:.05rem;border-radius:3px;background:#eceef1}
.add{background:#d9f2e1;color:#14622f}.rem{background:#fbdcdc;color:#8c1c1c;text-decoration:line-through}
.err{color:#8c1c1c}.small{font-size:.85rem;color:#5b6472}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}
dl.meta dt{color:#5b6472}dl.meta dd{margin:0}
form label{display:block;margin:.3rem 0}
button,.button{font:inherit;padding:.45rem 1rem;border-radius:4px;border:1px solid #1d2430;background:#1d2430;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.danger{background:#a61b1b;border-color:#a61b1b}
.notice{padding:.6rem .8rem;border-radius:4px;margin:0 0 1rem}
a{color:#1b4a8c}
figure.usmap{margin:.4rem 0;max-width:560px}figure.usmap svg{width:100%;height:auto;display:block}
.key{display:inline-flex;align-items:center;gap:.25rem;margin-right:.6rem}.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;border:1px solid #c9ced6}
@media (max-width:600px){main{padding:.6rem}body{font-size:14px}}
@media (max-width:700px){
table.cards{min-width:0;background:none}
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:0 0 .6rem;padding:.3rem .2rem}
table.cards td{border:0;padding:.2rem .6rem;overflow-wrap:anywhere}
table.cards td::before{content:attr(data-label);display:block;font-size:.75rem;color:#5b6472;text-transform:uppercase;letter-spacing:.03em}
}
.progress{height:.7rem;background:#eceef1;border-radius:4px;overflow:hidden;max-width:420px;margin:0 0 .8rem}
.progress>span{display:block;height:100%;background:#1b4a8c}
`;

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Seconds after which the browser reloads the page (an unfinished run), without JavaScript. */
  refreshSeconds?: number;
}

export function layout(opts: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<title>${opts.title} · closrads</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header class="top"><strong>closrads</strong><nav><a href="/runs">Runs</a><a href="/campaigns">Campaigns</a><a href="/runs/new">Run now</a><a href="/queues">Queues</a></nav></header>
<main>
${opts.body}
</main>
</body>
</html>`.value;
}
