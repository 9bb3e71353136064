import { useInput, useStdin } from 'ink';
import type { Key } from 'ink';

export type KeyHandler = (input: string, key: Key) => void;

/**
 * The one place the TUI listens to keys. Gated on raw-mode support: without a TTY, ink's
 * useInput would abort the process (toolchain pitfall P2).
 */
export function useKeymap(handler: KeyHandler, active = true): void {
  const { isRawModeSupported } = useStdin();
  useInput(handler, { isActive: active && isRawModeSupported === true });
}
