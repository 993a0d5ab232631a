import { Skeleton } from './ui';

type Line = { width?: number | string; height?: number };

/**
 * The busy placeholder of a page still loading: optional lines on top (a title, a subtitle),
 * then one skeleton card per entry of `cards`, each with its lines, inside a `gridClassName`
 * wrapper when the loaded page lays its cards out in a grid.
 */
export function CardsSkeleton({ label, top = [], cards, gridClassName }: { label: string; top?: Line[]; cards: Line[][]; gridClassName?: string }) {
  const shown = cards.map((lines, i) => (
    <div key={i} className="card pad stack-sm">
      {lines.map((line, j) => (
        <Skeleton key={j} width={line.width} height={line.height} />
      ))}
    </div>
  ));
  return (
    <div className="stack" aria-busy="true" aria-label={label}>
      {top.map((line, i) => (
        <Skeleton key={i} width={line.width} height={line.height} />
      ))}
      {gridClassName ? <div className={gridClassName}>{shown}</div> : shown}
    </div>
  );
}

/** The placeholder of a detail page (client, ticket): title, subtitle and two cards side by side. */
export function DetailSkeleton({ label, titleWidth }: { label: string; titleWidth: number }) {
  return (
    <CardsSkeleton
      label={label}
      top={[{ width: titleWidth, height: 24 }, { width: 360 }]}
      cards={[
        [{ width: '70%' }, { width: '50%' }, { width: '60%' }],
        [{ width: '80%' }, { width: '40%' }],
      ]}
      gridClassName="detail-grid"
    />
  );
}
