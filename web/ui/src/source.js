// The source view: the lines around a location (a constructor, a function
// of a leak finding), from the script's source the snapshot holds.
import { useEffect, useState } from 'preact/hooks';
import { html, api, num, href } from './lib.js';

const CONTEXT = 20;

export function SourceView({ s, script, line, column }) {
  const [r, setR] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    setR(null);
    setErr(null);
    api(`/api/snapshots/${s}/scripts/${encodeURIComponent(script)}/source`, { line, column, context: CONTEXT }).then(setR, (e) => setErr(e.message));
  }, [s, script, line, column]);
  if (err) return html`<div class="page"><div class="error-box">${err}</div></div>`;
  if (!r) return html`<div class="page muted">Loading the source…</div>`;
  const at = `${r.script || 'script ' + r.scriptId}:${r.line}${r.column ? ':' + r.column : ''}`;
  return html`<div class="page" data-testid="source-view">
    <h2 class="mono src-title" title=${at}>${at}</h2>
    ${r.beyond
      ? html`<div class="card muted" data-testid="source-beyond">The snapshot holds only the first ${num(r.chars)} characters of this script's source (V8 keeps no more of any string in a heap snapshot), and line ${num(r.line)} is past them. Open <span class="mono">${r.script}</span> in your editor at line ${num(r.line)}.</div>`
      : html`<pre class="source" data-testid="source">${r.lines.map(
          (l) => html`<div class=${'sl' + (l.line === r.line ? ' hl' : '')} data-line=${l.line}><span class="ln">${l.line}</span><span class="st">${l.text}${l.cut ? html`<span class="muted"> …</span>` : ''}</span></div>`,
        )}</pre>
        <p class="muted small">Lines ${num(r.from)}–${num(r.to)}${r.partial ? html`; the snapshot holds only the first ${num(r.chars)} characters of this script's source` : ''}.</p>`}
    <p class="small"><a href=${href(['s', String(s), 'summary'])}>back to the Summary</a></p>
  </div>`;
}
