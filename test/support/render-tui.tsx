// ink-testing-library with a pinned terminal size and act()-wrapped input, so component tests see
// the same layout a real 80×24 (or 100×30) terminal would.
import { act } from 'react';
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';

export interface TuiSize {
  readonly columns?: number;
  readonly rows?: number;
}

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  pageDown: '\u001B[6~',
} as const;

export interface RenderedTui {
  readonly frame: () => string;
  readonly press: (...keys: string[]) => Promise<void>;
  readonly type: (text: string) => Promise<void>;
  readonly resize: (size: TuiSize) => Promise<void>;
  readonly unmount: () => void;
  readonly stdout: ReturnType<typeof render>['stdout'];
  readonly stdin: ReturnType<typeof render>['stdin'];
}

function pin(stdout: object, size: Required<TuiSize>) {
  Object.defineProperty(stdout, 'columns', { get: () => size.columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { get: () => size.rows, configurable: true });
}

// The React act() environment flag: without it act() warns on every call.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export async function renderTui(tree: ReactElement, size: TuiSize = {}): Promise<RenderedTui> {
  const current = { columns: size.columns ?? 100, rows: size.rows ?? 30 };
  let instance!: ReturnType<typeof render>;
  await act(async () => {
    instance = render(tree);
  });
  // ink-testing-library builds its stdout inside render(); pin the size, then tell ink and the
  // App's size hook to re-read it, exactly as a terminal resize would.
  pin(instance.stdout, current);
  await act(async () => {
    instance.stdout.emit('resize');
  });
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      await act(async () => {
        instance.stdin.write(k);
        // ink holds a lone ESC for one setImmediate to tell it from an escape sequence.
        await new Promise((r) => setImmediate(r));
      });
    }
  };
  return {
    frame: () => instance.lastFrame() ?? '',
    press,
    type: async (text: string) => press(...text.split('')),
    resize: async (next: TuiSize) => {
      Object.assign(current, next);
      pin(instance.stdout, current);
      await act(async () => {
        instance.stdout.emit('resize');
      });
    },
    unmount: () => {
      act(() => {
        instance.unmount();
      });
    },
    stdout: instance.stdout,
    stdin: instance.stdin,
  };
}
