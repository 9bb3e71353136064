// Colour is a context, not a global: NO_COLOR (or a test) switches every colour prop off at once,
// and components ask `fg(...)` rather than passing `color` themselves.
import { createContext, useContext } from 'react';

export const ColorContext = createContext<boolean>(true);

export function useColors(): boolean {
  return useContext(ColorContext);
}

/** Props for an ink <Text>: the colour when colours are on, nothing at all when off. */
export function fg(on: boolean, color: string | undefined): { color?: string } {
  return on && color !== undefined ? { color } : {};
}
