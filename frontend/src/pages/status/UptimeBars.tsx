import { useId } from 'react';
import { UPTIME_TONE_LABEL, dayAfter, formatPercent, shortDay, uptimeTone } from './status';

const BAR_W = 8;
const GAP = 2;
const H = 28;

/**
 * One service's uptime per day (oldest left), as small bars: full height when measured,
 * coloured and described by how the day compares with the promised availability. The
 * figure is an image with a text alternative summarising the period and naming bad days.
 */
export function UptimeBars({
  name,
  daily,
  from,
  promised,
}: {
  name: string;
  daily: readonly (number | null)[];
  from: string;
  promised: number | null;
}) {
  const titleId = useId();
  const width = Math.max(daily.length, 1) * (BAR_W + GAP) - GAP;
  const measured = daily.filter((d): d is number => d !== null);
  const badDays = daily
    .map((p, i) => ({ p, day: dayAfter(from, i) }))
    .filter(({ p }) => p !== null && uptimeTone(p, promised) !== 'up');
  const summary = !measured.length
    ? `${name}: no uptime measured in the last ${daily.length} days.`
    : badDays.length
      ? `${name}: ${badDays.length} of ${measured.length} measured days below the promised ${formatPercent(promised, 3)}: ${badDays
          .map(({ p, day }) => `${shortDay(day)} ${formatPercent(p, 2)}`)
          .join(', ')}.`
      : `${name}: every measured day of the last ${daily.length} met the promised ${formatPercent(promised, 3)}.`;
  return (
    <svg
      className="uptime-bars"
      viewBox={`0 0 ${width} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-labelledby={titleId}
      data-testid="uptime-bars"
    >
      <title id={titleId}>{summary}</title>
      {daily.map((percent, i) => {
        const tone = uptimeTone(percent, promised);
        const day = dayAfter(from, i);
        return (
          <rect key={day} x={i * (BAR_W + GAP)} y={0} width={BAR_W} height={H} rx={1.5} className={`uptime-${tone}`} data-day={day} data-tone={tone}>
            <title>{`${shortDay(day)}: ${percent === null ? 'not measured' : `${formatPercent(percent, 2)} (${UPTIME_TONE_LABEL[tone]})`}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
