import clsx from 'clsx';
import { Link } from 'react-router';
import { EVIDENCE_LABEL, LAYER_STATE_LABEL, LAYER_STATE_SYMBOL, evidenceLink, pyramidRows, type Audience, type HierarchyLayerData } from './status';

/**
 * The remote-work hierarchy as a pyramid: innovation on top, connectivity at the base.
 * An ordered list (base first in reading order is the hierarchy's order, so the list is
 * drawn reversed); each layer states its condition in words and a symbol, never by colour
 * alone, and lists why, each reason linking to its evidence.
 */
export function Pyramid({ layers, audience }: { layers: readonly HierarchyLayerData[]; audience: Audience }) {
  const rows = pyramidRows(layers);
  const n = rows.length;
  return (
    <ol className="pyramid" reversed aria-label="Remote-work hierarchy, top layer first" data-testid="pyramid">
      {rows.map((layer, i) => {
        const heldBack = layer.state !== layer.ownState;
        return (
          <li key={layer.key} className={clsx('pyramid-layer', `layer-${layer.state.toLowerCase()}`)} data-layer={layer.key} data-state={layer.state}>
            <div className="pyramid-band" style={{ width: `${Math.round(46 + (54 * (i + 1)) / n)}%` }}>
              <span className="pyramid-symbol" aria-hidden="true">
                {LAYER_STATE_SYMBOL[layer.state]}
              </span>
              <span className="pyramid-name">{layer.label}</span>
              <span className="pyramid-state">{LAYER_STATE_LABEL[layer.state]}</span>
            </div>
            <details className="pyramid-reasons">
              <summary>
                Why <span className="sr-only">{layer.label} is {LAYER_STATE_LABEL[layer.state].toLowerCase()}</span>
                {heldBack && <span className="muted small"> (on its own: {LAYER_STATE_LABEL[layer.ownState].toLowerCase()})</span>}
              </summary>
              <ul>
                {layer.reasons.map((reason, j) => (
                  <li key={j} className={clsx('reason', `reason-${reason.state.toLowerCase()}`)}>
                    <span className="reason-symbol" aria-label={LAYER_STATE_LABEL[reason.state]}>
                      {LAYER_STATE_SYMBOL[reason.state]}
                    </span>{' '}
                    {reason.text}{' '}
                    <Link to={evidenceLink(reason.evidence, audience)} className="subtle-link small">
                      See {EVIDENCE_LABEL[reason.evidence]}
                    </Link>
                  </li>
                ))}
              </ul>
            </details>
          </li>
        );
      })}
    </ol>
  );
}
