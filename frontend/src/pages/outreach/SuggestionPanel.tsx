import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/ui';
import type {
  RecordSuggestionOutcomeMutation,
  RecordSuggestionOutcomeMutationVariables,
  SuggestBroadcastsMutation,
  SuggestBroadcastsMutationVariables,
  SuggestionOutcome,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { RECORD_SUGGESTION_OUTCOME_MUTATION, SUGGEST_BROADCASTS_MUTATION } from '../../graphql/operations';
import { useDebouncedValue } from '../../lib/useDebounced';
import './outreach.css';

type Found = NonNullable<SuggestBroadcastsMutation['suggestBroadcasts']['suggestions']>;

/**
 * While a client user types a new request's title: the MSP's broadcasts and how-tos that
 * match (full-text search). `outcome` reports what happened next (solved, abandoned, submitted).
 */
export function useSuggestions(clientSlug: string | undefined, title: string) {
  const debounced = useDebouncedValue(title.trim(), 400);
  const [suggest] = useMutation<SuggestBroadcastsMutation, SuggestBroadcastsMutationVariables>(SUGGEST_BROADCASTS_MUTATION);
  const [record] = useMutation<RecordSuggestionOutcomeMutation, RecordSuggestionOutcomeMutationVariables>(RECORD_SUGGESTION_OUTCOME_MUTATION);
  const [found, setFound] = useState<Found | null>(null);
  const current = useRef<Found | null>(null);

  useEffect(() => {
    if (debounced.length < 4) return;
    let stale = false;
    void suggest({ ...(clientSlug ? { clientSlug } : {}), title: debounced }).then((data) => {
      const next = data?.suggestBroadcasts.suggestions ?? null;
      if (stale || !next?.suggestionId) return;
      current.current = next;
      setFound(next);
    });
    return () => {
      stale = true;
    };
  }, [debounced, clientSlug, suggest]);

  /** Report the outcome of the latest suggestions shown (once; nothing when none were shown). */
  const outcome = (value: SuggestionOutcome, broadcastId?: string) => {
    const shown = current.current;
    if (!shown?.suggestionId) return;
    current.current = null;
    void record({ id: shown.suggestionId, outcome: value, ...(broadcastId ? { broadcastId } : {}) });
  };
  return { found, outcome };
}

export function SuggestionPanel({ found, onSolved }: { found: Found | null; onSolved: (broadcastId: string) => void }) {
  if (!found || found.broadcasts.length === 0) return null;
  return (
    <section className="outreach-suggestions" aria-labelledby="suggestions-title" data-testid="suggestions">
      <h3 id="suggestions-title">These might already answer it</h3>
      {found.broadcasts.map((b) => (
        <details key={b.id}>
          <summary>{b.title}</summary>
          {/* Sanitised by the server (nh3 allow-list) before it was stored. */}
          <div className="outreach-suggestion-body" dangerouslySetInnerHTML={{ __html: b.bodyHtml }} />
          <Button size="sm" onClick={() => onSolved(b.id)} data-testid="suggestion-solved">
            This solved it
          </Button>
        </details>
      ))}
    </section>
  );
}
