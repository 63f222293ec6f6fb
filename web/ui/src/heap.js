// The heap usage over time of a recorded run, drawn with uPlot.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { html, api, size, num } from './lib.js';

// byteSteps are the y axis steps: 1, 2 and 5 times powers of 1024 (and of
// ten times those), so that the labels read "8 MiB", "16 MiB".
const byteSteps = [];
for (let unit = 1; unit <= 1024 ** 4; unit *= 1024) for (const m of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) byteSteps.push(m * unit);

export function HeapChart() {
  const ref = useRef(null);
  const [info, setInfo] = useState(null);
  useEffect(() => {
    let plot = null;
    let ro = null;
    let alive = true;
    api('/api/samples').then((r) => {
      const s = r.samples;
      if (!alive) return;
      if (!s.length || !ref.current) return setInfo({ n: 0 });
      const t0 = s[0].timeMillis;
      const xs = s.map((x) => (x.timeMillis - t0) / 1000);
      const ys = s.map((x) => x.usedBytes);
      setInfo({ n: s.length, span: xs[xs.length - 1], peak: Math.max(...ys) });
      const el = ref.current;
      const width = () => Math.max(320, el.clientWidth);
      plot = new uPlot(
        {
          width: width(),
          height: 260,
          legend: { show: false },
          scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, hi * 1.05] } },
          axes: [
            { label: 'seconds', values: (u, v) => v.map((x) => x + 's') },
            { size: 70, incrs: byteSteps, values: (u, v) => v.map((x) => size(x)) },
          ],
          series: [
            { label: 'time', value: (u, v) => (v == null ? '' : v.toFixed(1) + ' s') },
            { label: 'heap used', stroke: '#d93025', fill: 'rgba(217,48,37,0.12)', width: 2, value: (u, v) => (v == null ? '' : size(v)) },
          ],
        },
        [xs, ys],
        el,
      );
      ro = new ResizeObserver(() => alive && plot.setSize({ width: width(), height: 260 }));
      ro.observe(el);
    });
    return () => {
      alive = false;
      ro && ro.disconnect();
      plot && plot.destroy();
    };
  }, []);
  return html`<div data-testid="heap-chart">
    ${info && info.n ? html`<div class="muted small">${num(info.n)} samples over ${info.span.toFixed(1)} s, peak ${size(info.peak)}</div>` : info ? html`<div class="muted">No samples.</div>` : ''}
    <div ref=${ref}></div>
  </div>`;
}
