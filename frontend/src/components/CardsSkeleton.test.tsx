import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CardsSkeleton, DetailSkeleton } from './CardsSkeleton';

describe('CardsSkeleton', () => {
  it('draws the top lines, then one card per entry with its lines, without a grid by default', () => {
    const { container } = render(<CardsSkeleton label="Loading things" top={[{ width: 100, height: 24 }]} cards={[[{ width: '40%' }, { height: 120 }], [{}]]} />);
    const busy = screen.getByLabelText('Loading things');
    expect(busy).toHaveAttribute('aria-busy', 'true');
    const children = Array.from(busy.children);
    expect(children.map((c) => c.className)).toEqual(['skeleton', 'card pad stack-sm', 'card pad stack-sm']);
    expect((children[0]! as HTMLElement).style.height).toBe('24px');
    const firstCard = children[1]!.querySelectorAll('.skeleton');
    expect(firstCard).toHaveLength(2);
    expect((firstCard[0] as HTMLElement).style.width).toBe('40%');
    expect((firstCard[0] as HTMLElement).style.height).toBe('12px');
    expect((firstCard[1] as HTMLElement).style.height).toBe('120px');
    expect(children[2]!.querySelectorAll('.skeleton')).toHaveLength(1);
    expect(container.querySelector('.detail-grid')).toBeNull();
  });

  it('puts the cards of a detail page inside the grid, under a title and a subtitle', () => {
    render(<DetailSkeleton label="Loading ticket" titleWidth={420} />);
    const busy = screen.getByLabelText('Loading ticket');
    const [title, subtitle, grid] = Array.from(busy.children) as [HTMLElement, HTMLElement, HTMLElement];
    expect(title.style.width).toBe('420px');
    expect(title.style.height).toBe('24px');
    expect(subtitle.style.width).toBe('360px');
    expect(grid).toHaveClass('detail-grid');
    expect(Array.from(grid.children).map((card) => card.querySelectorAll('.skeleton').length)).toEqual([3, 2]);
  });
});
