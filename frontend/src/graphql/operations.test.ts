import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kind, buildSchema, parse, validate, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from './operations';

const schema = buildSchema(readFileSync(resolve(__dirname, '../../../schema.graphql'), 'utf8'));

const documents: [string, DocumentNode][] = Object.entries(operations as Record<string, unknown>).flatMap(
  ([name, text]): [string, DocumentNode][] => (typeof text === 'string' ? [[name, parse(text)]] : []),
);

const sent = documents.filter(([, doc]) => doc.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION));
const mutations = sent.filter(([, doc]) =>
  doc.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'mutation'),
);

/** The `errors { … }` selection of a mutation's payload, if it asks for one. */
function errorsSelection(doc: DocumentNode) {
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = op.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD) return undefined;
  return root.selectionSet?.selections.find((s) => s.kind === Kind.FIELD && s.name.value === 'errors');
}

describe('GraphQL operations', () => {
  it('are named by one convention: <NAME>_QUERY, <NAME>_MUTATION, <NAME>_FIELDS', () => {
    expect(sent.length).toBeGreaterThan(20);
    for (const [name, doc] of documents) {
      const def = doc.definitions[0]!;
      if (def.kind === Kind.OPERATION_DEFINITION) {
        expect(name, name).toMatch(def.operation === 'query' ? /_QUERY$/ : /_MUTATION$/);
      } else {
        expect(def.kind, name).toBe(Kind.FRAGMENT_DEFINITION);
        expect(name, name).toMatch(/_FIELDS$/);
      }
    }
  });

  it('are valid against schema.graphql, with every fragment they use interpolated exactly once', () => {
    for (const [name, doc] of sent) {
      expect(validate(schema, doc).map((e) => e.message), name).toEqual([]);
    }
  });

  it('select mutation errors through the app’s shared error fragment, never field by field', () => {
    expect(mutations.length).toBeGreaterThan(15);
    for (const [name, doc] of mutations) {
      const errors = errorsSelection(doc);
      if (!errors || errors.kind !== Kind.FIELD) continue; // logout: no errors in the schema (yet)
      const selections = errors.selectionSet?.selections ?? [];
      expect(selections, name).toHaveLength(1);
      const spread = selections[0]!;
      expect(spread.kind, name).toBe(Kind.FRAGMENT_SPREAD);
      if (spread.kind === Kind.FRAGMENT_SPREAD) expect(spread.name.value, name).toMatch(/^(Auth|Billing|Client|Support|Catalog|Stripe|Infrastructure|Ingest|Mfa|Monitoring|Outreach|Security)ErrorFields$/);
    }
  });

  it('declare each error fragment once, with field, code and message', () => {
    const errorFragments = new Map<string, string[]>();
    for (const [, doc] of documents) {
      // Only the fragment's own declaration (documents interpolate the fragments they use).
      visit(doc.definitions[0]!, {
        FragmentDefinition(node) {
          if (!node.name.value.endsWith('ErrorFields')) return;
          const fields = node.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '?'));
          expect(errorFragments.has(node.name.value), node.name.value).toBe(false);
          errorFragments.set(node.name.value, fields);
        },
      });
    }
    expect([...errorFragments.keys()].sort()).toEqual(['AuthErrorFields', 'BillingErrorFields', 'CatalogErrorFields', 'ClientErrorFields', 'InfrastructureErrorFields', 'IngestErrorFields', 'MfaErrorFields', 'MonitoringErrorFields', 'OutreachErrorFields', 'SecurityErrorFields', 'StripeErrorFields', 'SupportErrorFields']);
    for (const fields of errorFragments.values()) expect(fields).toEqual(['field', 'code', 'message']);
  });
});
