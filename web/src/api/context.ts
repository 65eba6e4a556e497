import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import { ApiClient } from './client';

/**
 * ApiContext hands pages their client, so main.tsx decides where the API is
 * (the page's own origin) and a test or a preview can supply another.
 */
export const ApiContext = createContext<ApiClient>(new ApiClient());

export function useApi(): ApiClient {
  return useContext(ApiContext);
}
