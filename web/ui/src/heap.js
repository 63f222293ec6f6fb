// The heap usage over time of a recorded run, drawn with uPlot, with a
// dashed line where each snapshot was taken (when the server knows).
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { html, api, size, num, shortName } from './lib.js';

// markSnapshots is a uPlot plugin drawing a labelled vertical line at each
// snapshot's time (seconds on the chart's x scale).
function markSnapshots(marks) {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        const dpr = window.devicePixelRatio || 1;
        ctx.save();
        ctx.strokeStyle = '#1a73e8';
        ctx.fillStyle = '#1a73e8';
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([5 * dpr, 4 * dpr]);
        ctx.font = `${11 * dpr}px sans-serif`;
        ctx.textAlign = 'left';
        for (const m of marks) {
          const x = Math.round(u.valToPos(m.x, 'x', true));
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.fillText(`#${m.index + 1}`, x + 4 * dpr, top + 12 * dpr);
        }
        ctx.restore();
      },
    },
  };
}

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
      const marks = (r.snapshots || []).map((m) => ({ index: m.index, name: m.name, x: (m.timeMillis - t0) / 1000 }));
      setInfo({ n: s.length, span: xs[xs.length - 1], peak: Math.max(...ys), marks });
      const el = ref.current;
      const width = () => Math.max(320, el.clientWidth);
      plot = new uPlot(
        {
          width: width(),
          height: 260,
          legend: { show: false },
          scales: {
            // The x range takes in the snapshots taken after the last sample.
            x: { time: false, range: (u, lo, hi) => [Math.min(lo, ...marks.map((m) => m.x)), Math.max(hi, ...marks.map((m) => m.x))] },
            y: { range: (u, lo, hi) => [0, hi * 1.05] },
          },
          plugins: [markSnapshots(marks)],
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
    ${info && info.n ? html`<div class="muted small">${num(info.n)} samples over ${info.span.toFixed(1)} s, peak ${size(info.peak)}${info.marks.length ? '; the dashed lines are the snapshots' : ''}</div>` : info ? html`<div class="muted">No samples.</div>` : ''}
    <div ref=${ref}></div>
    ${info && info.marks && info.marks.length
      ? html`<div class="muted small heap-marks" data-testid="heap-marks">${info.marks.map((m, j) => html`${j ? ' · ' : ''}<span title=${m.name} data-testid="heap-mark">#${m.index + 1} ${shortName(m.name)} at ${m.x.toFixed(1)} s</span>`)}</div>`
      : ''}
  </div>`;
}
