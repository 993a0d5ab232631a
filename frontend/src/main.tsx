// The global base (tokens, reset, utilities) first: component styles build on it.
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { ViewerProvider } from './auth/ViewerContext';
import { ErrorBoundary } from './components/ErrorBoundary';

const root = document.getElementById('root');
if (!root) throw new Error('#root element missing from index.html');

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <BrowserRouter>
        <ViewerProvider>
          <App />
        </ViewerProvider>
      </BrowserRouter>
    </ErrorBoundary>
  </StrictMode>,
);
