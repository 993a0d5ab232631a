/** "62.5 %", or "No accounts" when the client has none (not 0 %). */
export function formatCoverage(percent: number | null | undefined): string {
  if (percent === null || percent === undefined) return 'No accounts';
  return `${percent.toLocaleString('en-GB', { maximumFractionDigits: 1 })} %`;
}

export type TrendPoint = { day: string; percent?: number | null };

/** SVG path points for the trend: x spread over the days given, y = 0–100 %. */
export function trendCoordinates(points: readonly TrendPoint[], width: number, height: number, pad = 4): { x: number; y: number; point: TrendPoint }[] {
  const usable = points.filter((p) => p.percent !== null && p.percent !== undefined);
  if (usable.length === 0) return [];
  const step = usable.length > 1 ? (width - pad * 2) / (usable.length - 1) : 0;
  return usable.map((point, i) => ({
    x: pad + (usable.length > 1 ? i * step : (width - pad * 2) / 2),
    y: pad + (height - pad * 2) * (1 - (point.percent as number) / 100),
    point,
  }));
}
