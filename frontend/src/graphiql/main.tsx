/**
 * GraphiQL, built into frontend/dist with the rest of the front end so it works offline
 * (graphene-django's own page loads its files from a CDN). Django serves graphiql.html
 * at GET /graphql/ to signed-in MSP staff who passed the second factor, and to nobody else.
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createFetcher } from './fetcher';

const root = document.getElementById('graphiql');
if (!root) throw new Error('#graphiql element missing from graphiql.html');

createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={createFetcher()} />
  </StrictMode>,
);
