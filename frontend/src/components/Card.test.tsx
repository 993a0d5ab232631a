import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Card } from './Card';

describe('Card', () => {
  it('is a region named by its heading, with the aside in the header and the body after it', () => {
    render(
      <Card headingId="facts-heading" title="Details" aside={<span>note</span>} className="extra" testId="facts">
        <p>body</p>
      </Card>,
    );
    const region = screen.getByRole('region', { name: 'Details' });
    expect(region).toHaveAttribute('data-testid', 'facts');
    expect(region).toHaveClass('card', 'extra');
    const heading = screen.getByRole('heading', { level: 2, name: 'Details' });
    expect(heading).toHaveAttribute('id', 'facts-heading');
    const header = heading.parentElement!;
    expect(header).toHaveClass('card-header');
    expect(header).toHaveTextContent('Detailsnote');
    expect(header.nextElementSibling).toHaveTextContent('body');
  });

  it('leaves out the test id and extra class when none is given', () => {
    render(<Card headingId="h" title="Plain" />);
    const region = screen.getByRole('region', { name: 'Plain' });
    expect(region).not.toHaveAttribute('data-testid');
    expect(region.className).toBe('card');
  });
});
