import { render } from 'preact';

import { App } from './app';
import { ApiClient } from './api/client';
import { ApiContext } from './api/context';
import './styles/base.css';

// The API is on the page's own origin (CloudFront routes /api/ to it; so
// does the local gateway and, in `npm run dev`, Vite's proxy).
const api = new ApiClient();

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
render(
  <ApiContext.Provider value={api}>
    <App />
  </ApiContext.Provider>,
  root,
);
