/** A small live chart: resident bytes vs budget (lines), hits and misses per sample (bars). */
export interface ChartPoint {
  resident: number;
  budget: number;
  hits: number;
  misses: number;
}

const MAX_POINTS = 400;

export class PagerChart {
  private points: ChartPoint[] = [];
  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(): void {
    this.points = [];
    this.draw();
  }

  push(p: ChartPoint): void {
    this.points.push(p);
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
    this.draw();
  }

  private draw(): void {
    const { canvas } = this;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const w = canvas.width,
      h = canvas.height,
      pad = 24;
    ctx.clearRect(0, 0, w, h);
    const pts = this.points;
    if (pts.length === 0) return;
    const top = Math.max(...pts.map((p) => Math.max(p.budget, p.resident))) * 1.1 || 1;
    const span = Math.max(60, pts.length);
    const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, span - 1);
    const y = (v: number) => h - pad - (v / top) * (h - 2 * pad);
    const maxEvents = Math.max(1, ...pts.map((p) => p.hits + p.misses));
    pts.forEach((p, i) => {
      const bh = ((p.hits + p.misses) / maxEvents) * 40;
      const mh = (p.misses / maxEvents) * 40;
      ctx.fillStyle = '#c9e7c9';
      ctx.fillRect(x(i), h - pad - bh, 2, bh - mh);
      ctx.fillStyle = '#f1a9a0';
      ctx.fillRect(x(i), h - pad - mh, 2, mh);
    });
    line(
      ctx,
      pts.map((p, i) => [x(i), y(p.budget)]),
      '#b00020',
      [6, 4],
    );
    line(
      ctx,
      pts.map((p, i) => [x(i), y(p.resident)]),
      '#2f5cd6',
      [],
    );
    ctx.fillStyle = '#1d2330';
    ctx.font = '12px system-ui';
    ctx.fillText("resident bytes (blue) vs the model's budget (red); hits (green) / misses (red) per sample", pad, 14);
  }
}

function line(ctx: CanvasRenderingContext2D, xy: Array<[number, number]>, color: string, dash: number[]): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  ctx.beginPath();
  xy.forEach(([px, py], i) => (i ? ctx.lineTo(px, py) : ctx.moveTo(px, py)));
  ctx.stroke();
  ctx.setLineDash([]);
}
